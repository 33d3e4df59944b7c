import type { RecentChunk } from './recentChunks.js';
import { similarChunks } from './similarChunks.js';

export interface ExtraContextInput {
	currentPath: string;
	/** The lines around the cursor: already in the prompt, and what similar code is looked for with. */
	nearCursorText: string;
	recent: readonly RecentChunk[];
	openDocuments: readonly { path: string; text: string }[];
	/** A hard budget per source, in characters. */
	budgets: { recentChars: number; similarChars: number };
	timeBudgetMs: number;
	now?: () => number;
}

export interface ExtraContextChunk {
	path: string;
	text: string;
	source: 'edited' | 'viewed' | 'copied' | 'similar';
}

/**
 * The chunks to put ahead of the file in the prompt. They are ordered so that the ones least likely
 * to change come first (oldest recent places, then similar code), because the model's KV cache is
 * reused up to the first difference.
 */
export function selectExtraContext(input: ExtraContextInput): { chunks: ExtraContextChunk[]; timedOut: boolean } {
	const now = input.now ?? (() => performance.now());
	const deadline = now() + input.timeBudgetMs;
	const seen = new Set<string>();
	const taken = (text: string) => seen.has(text.trim()) || input.nearCursorText.includes(text.trim());

	const recent: ExtraContextChunk[] = [];
	let recentLeft = input.budgets.recentChars;
	for (const chunk of input.recent) {
		if (chunk.text.length > recentLeft || taken(chunk.text)) {
			continue;
		}
		recent.push({ path: chunk.path, text: chunk.text, source: chunk.source });
		seen.add(chunk.text.trim());
		recentLeft -= chunk.text.length;
	}

	const others = input.openDocuments.filter((document) => document.path !== input.currentPath);
	const { chunks: candidates, timedOut } = similarChunks(input.nearCursorText, others, { deadline, now, limit: 8 });
	const similar: ExtraContextChunk[] = [];
	let similarLeft = input.budgets.similarChars;
	for (const chunk of candidates) {
		if (chunk.text.length > similarLeft || taken(chunk.text)) {
			continue;
		}
		similar.push({ path: chunk.path, text: chunk.text, source: 'similar' });
		seen.add(chunk.text.trim());
		similarLeft -= chunk.text.length;
	}
	return { chunks: [...recent.reverse(), ...similar.reverse()], timedOut };
}
