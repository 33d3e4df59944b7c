/**
 * Cheap views of the text around the cursor. Documents can be megabytes long, so these
 * look only at the cursor's line and a bounded stretch of the suffix, never split the whole text.
 */

/** How far into the suffix we look for the next non-blank line. */
const NEXT_LINE_SCAN_CHARS = 16_384;

/** The cursor's line up to the cursor. */
export function currentLinePrefix(prefix: string): string {
	return prefix.slice(prefix.lastIndexOf('\n') + 1);
}

/** The cursor's line after the cursor, without its line ending. */
export function restOfCursorLine(suffix: string): string {
	const newline = suffix.indexOf('\n');
	const line = newline === -1 ? suffix : suffix.slice(0, newline);
	return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** The first line after the cursor's line that has non-whitespace text, without its line ending. */
export function nextNonBlankSuffixLine(suffix: string): string | undefined {
	let start = suffix.indexOf('\n');
	while (start !== -1 && start < NEXT_LINE_SCAN_CHARS) {
		const end = suffix.indexOf('\n', start + 1);
		let line = end === -1 ? suffix.slice(start + 1) : suffix.slice(start + 1, end);
		if (line.endsWith('\r')) line = line.slice(0, -1);
		if (line.trim() !== '') return line;
		start = end;
	}
	return undefined;
}

/** The document's line ending, judged from the line endings nearest the cursor. */
export function documentEol(prefix: string, suffix: string): '\n' | '\r\n' {
	const before = prefix.lastIndexOf('\n');
	if (before !== -1) return before > 0 && prefix[before - 1] === '\r' ? '\r\n' : '\n';
	const after = suffix.indexOf('\n');
	if (after !== -1) return after > 0 && suffix[after - 1] === '\r' ? '\r\n' : '\n';
	return '\n';
}
