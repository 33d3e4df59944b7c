/** Indentation measured in columns, so that tabs and spaces compare sensibly. */

const DEFAULT_TAB_SIZE = 4;

/** Columns a tab advances to: the width of a space-based indent unit, otherwise 4. */
export function tabSizeFor(indentUnit: string | undefined): number {
	if (indentUnit !== undefined && indentUnit.length > 0 && /^ +$/.test(indentUnit)) return indentUnit.length;
	return DEFAULT_TAB_SIZE;
}

/** Column of the first non-whitespace character of `line` (tabs advance to the next tab stop). */
export function indentWidth(line: string, tabSize: number): number {
	let column = 0;
	for (const ch of line) {
		if (ch === ' ') column += 1;
		else if (ch === '\t') column += tabSize - (column % tabSize);
		else break;
	}
	return column;
}

export function isBlank(line: string): boolean {
	return line.trim() === '';
}
