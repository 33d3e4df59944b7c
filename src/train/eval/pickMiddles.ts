/**
 * Fill-in-the-middle tasks from held-out files, deterministic by seed and path:
 * - single-line: the rest of a line from a random point after its indentation (what a completion
 *   offers while a statement is being typed);
 * - multi-line: a block of 2–6 whole lines starting at a line's beginning (a body or a few
 *   statements, what a completion offers on an empty line).
 * The prefix and suffix are the whole rest of the file; the engine clamps them to its prompt
 * budget exactly as it does in the editor.
 */
import { splitIntoLines } from '../tokenize/lineChunks.js';
import { randomInteger, seededRandom, type Random } from './seededRandom.js';

export type MiddleKind = 'single-line' | 'multi-line';

export interface FimTask {
	readonly id: string;
	readonly path: string;
	readonly language: string;
	readonly kind: MiddleKind;
	readonly prefix: string;
	readonly middle: string;
	readonly suffix: string;
}

export interface MiddlePickOptions {
	readonly seed: number;
	readonly singleLinePerFile: number;
	readonly multiLinePerFile: number;
}

/** Lines worth completing: some code on them, not just a bracket or a blank. */
function isSubstantial(line: string): boolean {
	return line.trim().replace(/[\s{}()[\];,]/g, '').length >= 4;
}

function pickSingleLine(lines: readonly string[], random: Random): { start: number; end: number } | undefined {
	let offset = 0;
	const candidates: { from: number; to: number; lineEnd: number }[] = [];
	for (const line of lines) {
		const content = line.replace(/\n$/, '');
		const indent = content.length - content.trimStart().length;
		const codeEnd = content.trimEnd().length;
		// At least two characters of the line are left to complete.
		if (isSubstantial(content) && codeEnd - indent >= 6) {
			candidates.push({ from: offset + indent, to: offset + codeEnd - 2, lineEnd: offset + content.length });
		}
		offset += line.length;
	}
	if (candidates.length === 0) return undefined;
	const chosen = candidates[randomInteger(random, 0, candidates.length - 1)]!;
	// The middle ends at the line break, which stays in the suffix.
	return { start: randomInteger(random, chosen.from, chosen.to), end: chosen.lineEnd };
}

function pickMultiLine(lines: readonly string[], random: Random): { start: number; end: number } | undefined {
	const count = randomInteger(random, 2, 6);
	const candidates: number[] = [];
	for (let index = 0; index + count <= lines.length; index++) {
		const block = lines.slice(index, index + count);
		if (isSubstantial(block[0]!) && block.filter(isSubstantial).length >= 2) candidates.push(index);
	}
	if (candidates.length === 0) return undefined;
	const first = candidates[randomInteger(random, 0, candidates.length - 1)]!;
	const start = lines.slice(0, first).reduce((sum, line) => sum + line.length, 0);
	const end = start + lines.slice(first, first + count).reduce((sum, line) => sum + line.length, 0);
	return { start, end };
}

export function pickMiddles(file: { path: string; language: string; text: string }, options: MiddlePickOptions): FimTask[] {
	const random = seededRandom(`${options.seed}:${file.path}`);
	const lines = splitIntoLines(file.text);
	const tasks: FimTask[] = [];
	const seen = new Set<string>();
	const add = (kind: MiddleKind, span: { start: number; end: number } | undefined) => {
		if (span === undefined || span.end <= span.start) return;
		const key = `${span.start}:${span.end}`;
		if (seen.has(key)) return;
		seen.add(key);
		tasks.push({
			id: `${file.path}#${kind}@${span.start}`,
			path: file.path,
			language: file.language,
			kind,
			prefix: file.text.slice(0, span.start),
			middle: file.text.slice(span.start, span.end),
			suffix: file.text.slice(span.end),
		});
	};
	for (let index = 0; index < options.singleLinePerFile; index++) add('single-line', pickSingleLine(lines, random));
	for (let index = 0; index < options.multiLinePerFile; index++) add('multi-line', pickMultiLine(lines, random));
	return tasks;
}
