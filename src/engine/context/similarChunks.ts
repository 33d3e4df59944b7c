import { clipLine } from './chunkText.js';

export interface SimilarChunk {
	path: string;
	text: string;
	startLine: number;
	score: number;
}

export interface SimilarChunkOptions {
	windowLines?: number;
	strideLines?: number;
	/** Documents larger than this are skipped: scanning them would cost more than they give. */
	maxDocumentChars?: number;
	/** Stop scanning at this time (in `now()` units) and return what was found. */
	deadline: number;
	now?: () => number;
	/** Most chunks returned. */
	limit: number;
}

const WORD = /[A-Za-z_$][A-Za-z0-9_$]{2,}/g;

/** The identifier-like words of a text (three characters or more: `i` and `x` match everything). */
export function wordsOf(text: string): Set<string> {
	return new Set(text.match(WORD) ?? []);
}

/** |a ∩ b| / |a ∪ b|, 0 for two empty sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
	if (a.size === 0 && b.size === 0) {
		return 0;
	}
	let shared = 0;
	for (const word of a) {
		if (b.has(word)) shared++;
	}
	return shared / (a.size + b.size - shared);
}

/**
 * The windows of the given documents that share the most words with `query`, best first. Cheap
 * (no model) and time-boxed: when the deadline passes, what was scored so far is the answer.
 * Oversized and binary-looking documents are skipped before any work is done on them, and lines
 * are cut short, so that no single window (minified code) can overrun the deadline by much.
 */
export function similarChunks(
	query: string,
	documents: readonly { path: string; text: string }[],
	options: SimilarChunkOptions,
): { chunks: SimilarChunk[]; timedOut: boolean } {
	const windowLines = options.windowLines ?? 32;
	const stride = options.strideLines ?? 16;
	const maxChars = options.maxDocumentChars ?? 1_000_000;
	const now = options.now ?? (() => performance.now());
	const queryWords = wordsOf(query);
	const found: SimilarChunk[] = [];
	let timedOut = false;
	if (queryWords.size === 0) {
		return { chunks: [], timedOut };
	}
	scan: for (const document of documents) {
		// Length first: it is free, and a huge document is then never even searched for a NUL.
		if (document.text.length > maxChars || document.text.includes('\u0000')) {
			continue;
		}
		if (now() >= options.deadline) {
			timedOut = true;
			break;
		}
		const lines = document.text.split('\n');
		for (let start = 0; start < lines.length; start += stride) {
			if (now() >= options.deadline) {
				timedOut = true;
				break scan;
			}
			const text = lines
				.slice(start, start + windowLines)
				.map(clipLine)
				.join('\n');
			const score = jaccard(queryWords, wordsOf(text));
			if (score > 0) {
				found.push({ path: document.path, text, startLine: start, score });
			}
			if (start + windowLines >= lines.length) {
				break;
			}
		}
	}
	// Best first; ties broken by path and line (not by locale) so that the same inputs always give the same order.
	found.sort((a, b) => b.score - a.score || compareStrings(a.path, b.path) || a.startLine - b.startLine);
	const chosen: SimilarChunk[] = [];
	for (const chunk of found) {
		// Overlapping windows of one file say the same thing twice.
		if (chosen.some((other) => other.path === chunk.path && Math.abs(other.startLine - chunk.startLine) < windowLines)) {
			continue;
		}
		chosen.push(chunk);
		if (chosen.length >= options.limit) {
			break;
		}
	}
	return { chunks: chosen, timedOut };
}

function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
