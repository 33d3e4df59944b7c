import { hasSubstance, substantialLines } from './chunkText.js';
import type { ChunkSource, RecentChunk } from './recentChunks.js';
import { similarChunks } from './similarChunks.js';

export interface ExtraContextInput {
	currentPath: string;
	/** The lines around the cursor: already in the prompt, and what similar code is looked for with. */
	nearCursorText: string;
	/** Newest first, as RecentChunks gives them. */
	recent: readonly RecentChunk[];
	openDocuments: readonly { path: string; text: string }[];
	/** A hard budget per source, in characters of chunk text. */
	budgets: { recentChars: number; similarChars: number };
	/** How long the search for similar code may take. */
	timeBudgetMs: number;
	now?: () => number;
}

export interface ExtraContextChunk {
	path: string;
	text: string;
	source: ChunkSource | 'similar';
}

export interface ExtraContext {
	chunks: ExtraContextChunk[];
	/** The similar-code search was cut short by its time budget. */
	timedOut: boolean;
}

/** Candidates for the similar-code source; more than fit the budget, since some turn out to be repeats. */
const SIMILAR_CANDIDATES = 8;
/** A chunk whose substantial lines are at least this much already in the prompt adds too little. */
const MAX_REPEATED_SHARE = 0.5;

/**
 * The chunks to put ahead of the file in the prompt. They are ordered so that the ones least likely
 * to change come first (oldest recent places, then similar code, best last: nearest the file),
 * because the model's KV cache is reused up to the first difference.
 */
export function selectExtraContext(input: ExtraContextInput): ExtraContext {
	const now = input.now ?? (() => performance.now());
	const deadline = now() + input.timeBudgetMs;
	const nearCursor = input.nearCursorText.replace(/\r/g, '');
	const nearCursorLines = new Set(substantialLines(nearCursor));
	const picked: string[] = [];
	const pickedLines = new Set<string>();

	const repeats = (path: string, text: string): boolean => {
		const trimmed = text.trim();
		if (nearCursor.includes(trimmed) || picked.some((other) => other.includes(trimmed) || trimmed.includes(other))) {
			return true;
		}
		// A chunk of the current file near the cursor is a stale copy of what the prompt holds anyway.
		if (path === input.currentPath && mostlyIn(text, nearCursorLines)) {
			return true;
		}
		return mostlyIn(text, pickedLines);
	};

	const take = (
		candidates: readonly { path: string; text: string; source: ExtraContextChunk['source'] }[],
		budget: number,
	): ExtraContextChunk[] => {
		const taken: ExtraContextChunk[] = [];
		let left = budget;
		for (const candidate of candidates) {
			if (repeats(candidate.path, candidate.text)) {
				continue;
			}
			const text = fitTo(candidate.text, left);
			if (text === undefined || (text !== candidate.text && repeats(candidate.path, text))) {
				continue;
			}
			taken.push({ path: candidate.path, text, source: candidate.source });
			picked.push(text.trim());
			for (const line of substantialLines(text)) pickedLines.add(line);
			left -= text.length;
		}
		return taken;
	};

	// Newest first, so that the newest win the budget; reversed below to put the oldest first.
	const recent = take(input.recent, input.budgets.recentChars);
	const others = input.openDocuments.filter((document) => document.path !== input.currentPath);
	const found = similarChunks(nearCursor, others, { deadline, now, limit: SIMILAR_CANDIDATES });
	const similar = take(
		found.chunks.map((chunk) => ({ path: chunk.path, text: chunk.text, source: 'similar' as const })),
		input.budgets.similarChars,
	);
	return { chunks: [...recent.reverse(), ...similar.reverse()], timedOut: found.timedOut };
}

/** True when at least MAX_REPEATED_SHARE of the text's substantial lines are in `lines` (or it has none). */
function mostlyIn(text: string, lines: ReadonlySet<string>): boolean {
	const own = substantialLines(text);
	if (own.length === 0) {
		return true;
	}
	return own.filter((line) => lines.has(line)).length >= own.length * MAX_REPEATED_SHARE;
}

/**
 * The text, or its middle lines when it is over `budget` characters (an edit window is centred on
 * the edited line; any part of a similar window is as good as another); undefined when what fits
 * is too little to be worth a place in the prompt.
 */
function fitTo(text: string, budget: number): string | undefined {
	if (text.length <= budget) {
		return text;
	}
	const lines = text.split('\n');
	let first = 0;
	let end = lines.length;
	let length = text.length;
	for (let fromEnd = true; length > budget && end > first; fromEnd = !fromEnd) {
		// Each dropped line takes its line break with it (the last one left has none, hence max 0).
		const dropped = fromEnd ? lines[--end]! : lines[first++]!;
		length = Math.max(0, length - dropped.length - 1);
	}
	const fitted = lines.slice(first, end).join('\n');
	return fitted.length <= budget && hasSubstance(fitted) ? fitted : undefined;
}
