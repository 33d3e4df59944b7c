/**
 * Says, in words shown in the editor, where a clean-up changed code: which line, what it was and
 * what it became, and whether it was removed, added, re-indented, commented out or un-commented.
 */

export interface CodeDifference {
	/** 1-based line in the original text where the code first differs. */
	line: number;
	/** That line of the original, and the corresponding line of the rewrite (without line breaks). */
	originalText: string;
	rewrittenText: string;
}

export interface DifferenceInput {
	original: string;
	rewritten: string;
	/** The code of each version as compared (see codeSkeleton.ts), and the index where they first differ. */
	originalCode: string;
	rewrittenCode: string;
	index: number;
	/** Source offsets of that first differing code character in each text (the text's length past its code). */
	originalOffset: number;
	rewrittenOffset: number;
	/** All comment texts of each version, to recognise code commented out or a comment made code. */
	originalComments: string;
	rewrittenComments: string;
}

export function describeCodeDifference(input: DifferenceInput): { ok: false; reason: string; firstDifference: CodeDifference } {
	const line = lineIndexAt(input.original, input.originalOffset);
	const before = input.original.split(/\r?\n/)[line] ?? '';
	const after = input.rewritten.split(/\r?\n/)[lineIndexAt(input.rewritten, input.rewrittenOffset)] ?? '';
	const firstDifference: CodeDifference = { line: line + 1, originalText: before, rewrittenText: after };
	return { ok: false, reason: explain(input, firstDifference), firstDifference };
}

/** Compares the code lines (comments removed) around the difference; quotes the source lines. */
function explain(input: DifferenceInput, { line, originalText: before, rewrittenText: after }: CodeDifference): string {
	const original = codeLinesAround(input.originalCode, input.index);
	const rewritten = codeLinesAround(input.rewrittenCode, input.index);

	if (!rewritten.current.includes(original.current.trim()) && contains(input.rewrittenComments, original.current)) {
		return `the model turned code on line ${line} into a comment: ${quote(original.current)}`;
	}
	if (!original.current.includes(rewritten.current.trim()) && contains(input.originalComments, rewritten.current)) {
		return `the model turned a comment into code at line ${line}: ${quote(rewritten.current)}`;
	}
	const lineStart = input.originalCode.lastIndexOf('\n', input.index - 1) + 1;
	const originalRest = input.originalCode.slice(lineStart);
	const rewrittenRest = input.rewrittenCode.slice(lineStart);
	const removed = linesDropped(originalRest, rewrittenRest);
	if (removed > 0) {
		if (original.current.trim() === '' && removed === 1) return `the model removed the blank line ${line}`;
		return `the model removed code on line ${line}${andMore(removed)}: ${quote(before)}`;
	}
	const added = linesDropped(rewrittenRest, originalRest);
	if (added > 0) {
		if (rewritten.current.trim() === '' && added === 1) return `the model added a blank line at line ${line}`;
		return `the model added code at line ${line}${andMore(added)}: ${quote(rewritten.current)}`;
	}
	if (original.current.trim() === rewritten.current.trim()) {
		if (leadingSpace(original.current) !== leadingSpace(rewritten.current))
			return `the model changed the indentation of line ${line}: ${quote(before)}`;
		if (original.current.trimEnd() === rewritten.current.trimEnd())
			return `the model changed the trailing whitespace of line ${line}: ${quote(before)}`;
		if (original.current === rewritten.current) return `the model added or removed a line break near line ${line}`;
		return `the model changed the spacing of code on line ${line}: ${quote(before)} became ${quote(after)}`;
	}
	return `the model changed code on line ${line}: ${quote(before)} became ${quote(after)}`;
}

const MAX_LINES_DROPPED = 20;

/** How many whole lines at the start of `longer` must go to leave exactly `shorter` (0 if none do). */
function linesDropped(longer: string, shorter: string): number {
	let rest = longer;
	for (let lines = 1; lines <= MAX_LINES_DROPPED && rest.length > shorter.length; lines++) {
		const newline = rest.indexOf('\n');
		rest = newline < 0 ? '' : rest.slice(newline + 1);
		if (rest === shorter) return lines;
	}
	return 0;
}

function andMore(lines: number): string {
	return lines === 1 ? '' : ` (and ${lines - 1} more line${lines === 2 ? '' : 's'})`;
}

/** The code line holding `index` and the one after it ("\r" dropped). */
function codeLinesAround(code: string, index: number): { current: string; next: string | undefined } {
	const start = code.lastIndexOf('\n', index - 1) + 1;
	const end = code.indexOf('\n', Math.min(index, code.length));
	const current = code.slice(start, end < 0 ? code.length : end).replace(/\r$/, '');
	if (end < 0) return { current, next: undefined };
	const nextEnd = code.indexOf('\n', end + 1);
	return { current, next: code.slice(end + 1, nextEnd < 0 ? code.length : nextEnd).replace(/\r$/, '') };
}

function lineIndexAt(text: string, offset: number): number {
	let line = 0;
	for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
	return line;
}

function leadingSpace(text: string): string {
	return /^\s*/.exec(text)![0];
}

/** Whether the trimmed line (long enough to mean something) appears inside the comments. */
function contains(comments: string, line: string): boolean {
	const code = line.trim();
	return code.length >= 3 && comments.includes(code);
}

const MAX_QUOTED = 80;

function quote(text: string): string {
	const trimmed = text.trim();
	if (trimmed === '') return 'an empty line';
	const shown = trimmed.length > MAX_QUOTED ? `${trimmed.slice(0, MAX_QUOTED - 1)}…` : trimmed;
	return `\`${shown.replace(/`/g, "'")}\``;
}
