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

/** How far around the cursor the document's indentation is judged. */
const INDENT_SAMPLE_CHARS = 8_000;

/**
 * The document's indentation unit, judged from the lines around the cursor: "\t" when more lines
 * start with a tab than with spaces, otherwise N spaces, N being the most common step by which a
 * line's indentation grows over the line before it. Undefined when no line is indented.
 */
export function documentIndentUnit(prefix: string, suffix: string): string | undefined {
	// Post-processing asks again after every token with the same text around the cursor.
	if (lastJudged !== undefined && lastJudged.prefix === prefix && lastJudged.suffix === suffix) return lastJudged.unit;
	const unit = judgeIndentUnit(prefix, suffix);
	lastJudged = { prefix, suffix, unit };
	return unit;
}

let lastJudged: { prefix: string; suffix: string; unit: string | undefined } | undefined;

function judgeIndentUnit(prefix: string, suffix: string): string | undefined {
	const lines = (prefix.slice(-INDENT_SAMPLE_CHARS) + suffix.slice(0, INDENT_SAMPLE_CHARS)).split('\n');
	let tabs = 0;
	let spaces = 0;
	const steps = new Map<number, number>();
	let previous = 0;
	for (const line of lines) {
		if (isBlank(line)) continue;
		if (line.startsWith('\t')) tabs++;
		else if (line.startsWith(' ')) spaces++;
		const width = line.length - line.trimStart().length;
		if (!line.startsWith('\t') && width > previous) steps.set(width - previous, (steps.get(width - previous) ?? 0) + 1);
		previous = line.startsWith('\t') ? previous : width;
	}
	if (tabs === 0 && spaces === 0) return undefined;
	if (tabs > spaces) return '\t';
	let best = 4;
	let bestCount = 0;
	for (const [step, count] of steps) {
		if (step <= 8 && (count > bestCount || (count === bestCount && step < best))) {
			best = step;
			bestCount = count;
		}
	}
	return ' '.repeat(best);
}

/**
 * Rewrites a generated line's leading whitespace in the document's unit: a model that indents with
 * tabs in a file indented with spaces (or the other way round) writes one level per tab, or per
 * `tabSize` spaces. Indentation already in the document's style is left as it is.
 */
export function reindentLine(line: string, unit: string, tabSize: number): string {
	const body = line.trimStart();
	const lead = line.slice(0, line.length - body.length);
	if (lead === '' || body === '') return line;
	if (unit === '\t') {
		if (!lead.includes(' ')) return line;
		const columns = indentWidth(lead, tabSize);
		return '\t'.repeat(Math.floor(columns / tabSize)) + ' '.repeat(columns % tabSize) + body;
	}
	if (!lead.includes('\t')) return line;
	let levels = 0;
	let rest = 0;
	for (const ch of lead) {
		if (ch === '\t') levels++;
		else rest++;
	}
	return unit.repeat(levels) + ' '.repeat(rest) + body;
}
