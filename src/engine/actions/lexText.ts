/** Small position helpers shared by the lexer rules. Lines end at "\n"; a "\r" before it belongs to the line break. */

export function isIdentifierChar(ch: string | undefined): boolean {
	return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

export function lineStartOf(text: string, position: number): number {
	return text.lastIndexOf('\n', position - 1) + 1;
}

/** Where the line holding `position` ends: the index of its line break ("\r\n" or "\n"), or the text's end. */
export function lineEndOf(text: string, position: number): number {
	const newline = text.indexOf('\n', position);
	if (newline < 0) return text.length;
	return newline > position && text[newline - 1] === '\r' ? newline - 1 : newline;
}

/** Index just past the line break that ends the line holding `position` (the text's end on the last line). */
export function nextLineStart(text: string, position: number): number {
	const newline = text.indexOf('\n', position);
	return newline < 0 ? text.length : newline + 1;
}

export function onlyBlanksBefore(text: string, position: number): boolean {
	return /^[ \t]*$/.test(text.slice(lineStartOf(text, position), position));
}

/** True when the line before the one starting at `lineStart` ends with a backslash (it continues onto this one). */
export function previousLineContinues(text: string, lineStart: number): boolean {
	if (lineStart === 0) return false;
	let i = lineStart - 2;
	if (text[i] === '\r') i--;
	return text[i] === '\\';
}

/** The identifier ending at `index` (inclusive), e.g. to tell `return /re/` from `a / b`. */
export function wordEndingAt(text: string, index: number): string {
	let start = index;
	while (start > 0 && isIdentifierChar(text[start - 1])) start--;
	return text.slice(start, index + 1);
}
