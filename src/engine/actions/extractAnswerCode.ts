/**
 * The code to put in place of the selection, taken out of a model's answer. Small models wrap code
 * in Markdown fences, add a sentence before or after it, or answer with the code alone:
 *
 * - one fenced block: its content; several: the one most like the original (the longest on a tie);
 * - no fence: the answer minus lead-in and sign-off sentences, where that is unambiguous;
 * - otherwise the answer as it is.
 *
 * When the original itself holds fences (Markdown, a docstring with examples), the answer's fences
 * may be the original's own, so the whole answer and the outermost block compete with the blocks.
 *
 * The result keeps the original's layout at its edges (its leading blank lines, its final line
 * break or the absence of one) and its line endings (CRLF stays CRLF), so accepting never adds a
 * stray line break.
 */

import { stripChatter } from './answerChatter.js';
import { findFencedBlocks, hasFenceLine } from './answerFences.js';
import { withOriginalLayout } from '../../shared/originalLayout.js';

export function extractAnswerCode(answer: string, original: string): string {
	const answerLf = answer.replace(/\r\n?/g, '\n');
	const originalLf = original.replace(/\r\n?/g, '\n');
	return withOriginalLayout(chooseCode(answerLf, originalLf), original);
}

function chooseCode(answer: string, original: string): string {
	const blocks = findFencedBlocks(answer).map((block) => block.content);
	const inlineCode = /^\s*`([^`\n]+)`\s*$/.exec(answer);
	if (blocks.length === 0) return inlineCode && !original.trimStart().startsWith('`') ? inlineCode[1]! : stripChatter(answer, original);
	if (!hasFenceLine(original)) return blocks.length === 1 ? blocks[0]! : mostSimilar(blocks, original);

	const candidates = [stripChatter(answer, original), ...blocks];
	const outer = outermostBlock(answer);
	if (outer !== undefined) candidates.push(outer);
	return mostSimilar(candidates, original);
}

/** Everything between the first and the last fence line: an answer fenced as a whole around inner fences. */
function outermostBlock(answer: string): string | undefined {
	const lines = answer.split('\n');
	const fenceLines = lines.flatMap((line, index) => (/^[ \t]*(?:`{3,}|~{3,})/.test(line) ? [index] : []));
	if (fenceLines.length < 3) return undefined;
	return lines.slice(fenceLines[0]! + 1, fenceLines.at(-1)!).join('\n');
}

/** The candidate whose lines best match the original's (Dice coefficient over trimmed lines); the longest wins a tie. */
function mostSimilar(candidates: readonly string[], original: string): string {
	const originalLines = meaningfulLines(original);
	let best = candidates[0]!;
	let bestScore = -1;
	for (const candidate of candidates) {
		const score = similarity(meaningfulLines(candidate), originalLines);
		if (score > bestScore || (score === bestScore && candidate.length > best.length)) {
			best = candidate;
			bestScore = score;
		}
	}
	return best;
}

function meaningfulLines(text: string): string[] {
	return text
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '');
}

function similarity(a: readonly string[], b: readonly string[]): number {
	if (a.length + b.length === 0) return 0;
	const counts = new Map<string, number>();
	for (const line of b) counts.set(line, (counts.get(line) ?? 0) + 1);
	let common = 0;
	for (const line of a) {
		const left = counts.get(line) ?? 0;
		if (left > 0) {
			common++;
			counts.set(line, left - 1);
		}
	}
	return (2 * common) / (a.length + b.length);
}
