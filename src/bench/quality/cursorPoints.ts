/**
 * Where the quality replay asks for suggestions, and what the right answer is there. Each point is
 * a document as the editor holds it while a person writes one line of the real file (the "target"
 * line) and the text they would type next (`truth`):
 *
 * - new-line: Enter was pressed at the end of the line above; the editor left the cursor on a new
 *   line with its auto-indentation (the line above's, one unit deeper after an opening bracket or a
 *   Python colon). Only lines at least that deep: at a dedent the person first deletes indentation.
 * - mid-line: a few characters (2–6) of the line are typed.
 * - line-end: the cursor is at the end of the line above, which is complete; the truth starts with
 *   the line break and the target line's indentation.
 * - argument-list: right after an opening parenthesis or a comma inside a call on an existing line;
 *   the rest of the line from the matching parenthesis on is there, the arguments are the truth.
 *
 * In the first three the rest of the target line is not in the document (the person is writing it);
 * everything after it is. Points are drawn with a seeded generator, so a run is repeatable.
 */
import { seededRandom } from '../../tooling/seededRandom.js';

export const CURSOR_KINDS = ['new-line', 'mid-line', 'line-end', 'argument-list'] as const;
export type CursorKind = (typeof CURSOR_KINDS)[number];

export interface CursorPoint {
	kind: CursorKind;
	/** 0-based line of the target line in the original file. */
	line: number;
	prefix: string;
	suffix: string;
	/** What the person types next, up to the end of the target line (or of the argument list). */
	truth: string;
}

/** The editor's indentation unit for a file: a tab, or the most common step between space indentations. */
export function detectIndentUnit(text: string): string {
	const lines = text.split('\n').filter((line) => line.trim() !== '');
	const tabbed = lines.filter((line) => line.startsWith('\t')).length;
	const spaced = lines.filter((line) => line.startsWith(' ')).length;
	if (tabbed > spaced) {
		return '\t';
	}
	const steps = new Map<number, number>();
	let previous = 0;
	for (const line of lines) {
		const width = line.length - line.trimStart().length;
		const step = width - previous;
		if (step > 0 && step <= 8 && !line.startsWith('\t')) {
			steps.set(step, (steps.get(step) ?? 0) + 1);
		}
		previous = width;
	}
	const best = [...steps.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
	return ' '.repeat(best ? best[0] : 4);
}

/** What VS Code puts on the new line after Enter at the end of `lineAbove`. */
export function autoIndent(lineAbove: string, indentUnit: string, language: string): string {
	const indentation = lineAbove.slice(0, lineAbove.length - lineAbove.trimStart().length);
	const code = lineAbove.trimEnd();
	const opens = /[{([]$/.test(code) || (language === 'python' && code.endsWith(':'));
	return opens ? indentation + indentUnit : indentation;
}

function indentationOf(line: string): string {
	return line.slice(0, line.length - line.trimStart().length);
}

/** A line worth asking about: some code on it, not only a closing bracket. */
function substantial(line: string): boolean {
	const content = line.trim();
	return content.length >= 3 && !/^[\s)\]};,]*$/.test(content);
}

/** Every place of one kind in a file (in file order), before sampling. */
export function candidatePoints(text: string, kind: CursorKind, language: string, indentUnit = detectIndentUnit(text)): CursorPoint[] {
	const lines = text.split('\n');
	const offsets: number[] = [];
	let offset = 0;
	for (const line of lines) {
		offsets.push(offset);
		offset += line.length + 1;
	}
	/** The document with target line `index` replaced by `typed` (cursor after it), and the text after that line. */
	const writing = (index: number, typed: string) => ({
		prefix: text.slice(0, offsets[index]) + typed,
		suffix: text.slice(offsets[index]! + lines[index]!.length),
	});
	const points: CursorPoint[] = [];
	// Not the first lines (too little before them) nor the last (nothing after the target line).
	for (let index = 3; index < lines.length - 1; index++) {
		const line = lines[index]!;
		const above = lines[index - 1]!;
		if (kind === 'new-line' && substantial(line) && above.trim() !== '') {
			const indent = autoIndent(above, indentUnit, language);
			if (indentationOf(line).startsWith(indent)) {
				points.push({ kind, line: index, ...writing(index, indent), truth: line.slice(indent.length) });
			}
		} else if (kind === 'mid-line' && substantial(line) && line.trim().length >= 8) {
			// The typed characters are fixed here and drawn in samplePoints, so that candidates are per line.
			points.push({ kind, line: index, ...writing(index, indentationOf(line)), truth: line.trimStart() });
		} else if (kind === 'line-end' && substantial(line) && above.trim() !== '') {
			const { prefix, suffix } = writing(index, '');
			// The cursor sits after the line above: the prefix ends before the target line's line break.
			points.push({ kind, line: index, prefix: prefix.slice(0, -1), suffix, truth: '\n' + line });
		} else if (kind === 'argument-list') {
			points.push(...argumentPoints(line, index, offsets[index]!, text));
		}
	}
	return points;
}

/** Places right after `(` or `, ` of a call whose closing parenthesis is on the same line. */
function argumentPoints(line: string, index: number, lineOffset: number, text: string): CursorPoint[] {
	const points: CursorPoint[] = [];
	for (let open = line.indexOf('('); open !== -1; open = line.indexOf('(', open + 1)) {
		// A call: a name right before the parenthesis.
		if (!/[\w$>\]]$/.test(line.slice(0, open))) continue;
		const close = matchingParen(line, open);
		if (close === undefined) continue;
		// An empty call has nothing to suggest.
		if (line.slice(open + 1, close).trim().length < 2) continue;
		const starts = [open + 1];
		for (let at = open + 1; at < close; at++) {
			if (line[at] === ',' && line[at + 1] === ' ' && depthBetween(line, open + 1, at) === 0) starts.push(at + 2);
		}
		for (const start of starts) {
			const truth = line.slice(start, close);
			if (truth.trim().length < 2) continue;
			points.push({
				kind: 'argument-list',
				line: index,
				prefix: text.slice(0, lineOffset + start),
				suffix: text.slice(lineOffset + close),
				truth,
			});
		}
	}
	return points;
}

function matchingParen(line: string, open: number): number | undefined {
	let depth = 0;
	let quote: string | undefined;
	for (let at = open; at < line.length; at++) {
		const character = line[at]!;
		if (quote) {
			if (character === '\\') at++;
			else if (character === quote) quote = undefined;
		} else if (character === '"' || character === "'" || character === '`') {
			quote = character;
		} else if (character === '(' || character === '[' || character === '{') {
			depth++;
		} else if (character === ')' || character === ']' || character === '}') {
			depth--;
			if (depth === 0) return character === ')' ? at : undefined;
		}
	}
	return undefined;
}

function depthBetween(line: string, from: number, to: number): number {
	let depth = 0;
	let quote: string | undefined;
	for (let at = from; at < to; at++) {
		const character = line[at]!;
		if (quote) {
			if (character === '\\') at++;
			else if (character === quote) quote = undefined;
		} else if (character === '"' || character === "'" || character === '`') {
			quote = character;
		} else if ('([{'.includes(character)) depth++;
		else if (')]}'.includes(character)) depth--;
	}
	return quote ? 1 : depth;
}

/**
 * `count` points of one kind from a file, drawn without replacement with a generator seeded by
 * `seed`, in the order drawn (the first n of a larger draw are a fair sample too). Mid-line points
 * get their 2–6 typed characters here.
 */
export function samplePoints(
	text: string,
	kind: CursorKind,
	language: string,
	count: number,
	seed: number,
	indentUnit = detectIndentUnit(text),
): CursorPoint[] {
	const random = seededRandom(seed);
	const candidates = candidatePoints(text, kind, language, indentUnit);
	// One point per line at most, so a long line of arguments does not fill the sample.
	const byLine = new Map<number, CursorPoint[]>();
	for (const candidate of candidates) byLine.set(candidate.line, [...(byLine.get(candidate.line) ?? []), candidate]);
	const lines = [...byLine.keys()];
	const picked: CursorPoint[] = [];
	while (picked.length < count && lines.length > 0) {
		const [line] = lines.splice(Math.floor(random() * lines.length), 1);
		const onLine = byLine.get(line!)!;
		const point = onLine[Math.floor(random() * onLine.length)]!;
		picked.push(kind === 'mid-line' ? typeInto(point, 2 + Math.floor(random() * 5)) : point);
	}
	return picked;
}

/** A mid-line candidate with `typed` characters of its truth moved into the prefix (at least 3 left to suggest). */
function typeInto(point: CursorPoint, typed: number): CursorPoint {
	const count = Math.max(1, Math.min(typed, point.truth.length - 3));
	return { ...point, prefix: point.prefix + point.truth.slice(0, count), truth: point.truth.slice(count) };
}
