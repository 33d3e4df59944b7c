/**
 * What a completion is asked for and what it answers, shared by the pipeline, its token sources,
 * the scheduler and every backend. Types and small constructors only: nothing here imports a
 * backend, so no module imports in a loop.
 */

import type { Token } from 'node-llama-cpp';
import type { CacheHit, CachedCompletion } from '../cache/completionCache.js';
import type { ContextChunk } from '../fim/fimTypes.js';
import type { CompletionMode } from '../postprocess/index.js';

export interface CompletionRequest {
	/** Text before the cursor (the whole document is fine: the pipeline cuts its window). */
	prefix: string;
	/**
	 * The document offset of `prefix[0]` (default 0: the prefix starts the document). A caller that
	 * passes a window of a long document says where it starts, so that the prompt's cuts land on
	 * steps anchored to the document and not to the window.
	 */
	prefixOffset?: number;
	/** Text after the cursor. */
	suffix: string;
	/** Workspace-relative path, for templates trained with a file-name header. */
	filePath?: string;
	/**
	 * Which document this is for: each recent document keeps its own KV cache, so switching between
	 * two files does not re-evaluate either from scratch. Requests without a key share one.
	 */
	documentKey?: string;
	/** Text from elsewhere laid out ahead of the file, for families with a multi-file format. */
	contextChunks?: readonly ContextChunk[];
	/** Most prompt tokens (default: what the context holds besides the generated tokens). */
	contextBudget?: number;
	maxTokens: number;
	mode?: CompletionMode | 'auto';
	/** Aborting stops prompt evaluation between chunks and generation within one token. */
	signal?: AbortSignal;
	/** Generation stops (keeping what it has) when this much time has passed since the request started. */
	timeBudgetMs?: number;
	/** Answer from earlier suggestions when possible (default true). */
	useCache?: boolean;
	/**
	 * Generate exactly `maxTokens` tokens, past end-of-generation, stop strings and post-processing
	 * stops (the text shown is still post-processed). For benchmarks: a random-weight model's
	 * output length would otherwise be noise.
	 */
	fixedLength?: boolean;
	/** Called with the post-processed text each time generation adds to it. */
	onText?: (text: string) => void;
	/**
	 * Evaluate the prompt at once but start generating no earlier than this (performance.now()): a
	 * keystroke likely followed by another gets its prompt into the KV cache, which the next one keeps,
	 * without spending generated tokens the next keystroke would throw away. An abort ends the wait.
	 */
	generateNotBefore?: number;
	/**
	 * When the document's KV cache holds none of its prompt yet (a file just opened, a cache another
	 * file took) and the whole prompt would be long to evaluate, answer from a small prompt of the text
	 * around the cursor, evaluated beside the document's cache rather than in it; the result's
	 * `stats.smallFirstPrompt` says so, and the caller fills the whole prompt in afterwards (the
	 * scheduler does, with a warm-up a keystroke interrupts and the next one resumes). Unset: the whole prompt.
	 */
	smallFirstPrompt?: boolean;
	/**
	 * Nobody waits for this run (a prefetch, the fill of a cold document's prompt): the next keystroke
	 * interrupts it, so its prompt goes in short timed batches throughout, none of which would hold up
	 * that keystroke's own run for long.
	 */
	background?: boolean;
	/** Switches for the quality fixes (all on by default); a replay turns one off to measure it. */
	quality?: QualityOptions;
	/**
	 * Token log-probability (natural log, at most 0) that every token of a suggestion must reach, else it
	 * is held back: the result's text is empty and `heldBack` has what would have been shown. Unset: nothing is held back.
	 */
	minConfidence?: number;
	/**
	 * The token log-probability (natural log) below which generation stops and the suggestion ends
	 * before that token (the `unsureCut` fix; `hearth.inlineCompletion.minTokenConfidence`). Unset: no cut.
	 */
	unsureCutLogProb?: number;
}

/** The quality fixes, each on unless set to false. */
export interface QualityOptions {
	/** A line dedented at a block's end (`return result` after a loop body) is kept, once, instead of cut. */
	keepDedent?: boolean;
	/** At a line's end, a completion that starts with a line break writes the next line at its own indentation. */
	lineEndContinue?: boolean;
	/** The prompt backs off the partial token before the cursor; the first generated tokens re-spell it. */
	tokenHealing?: boolean;
	/** Generated indentation is rewritten in the document's unit (tabs or N spaces). */
	documentIndent?: boolean;
	/** A multi-line suggestion that breaks a parsable region is cut to its longest parsable prefix (tree-sitter). */
	syntaxCheck?: boolean;
	/**
	 * Generation stops at the first token the model gives less than `unsureCutLogProb` (when set), and
	 * the suggestion ends before it: a small model's suggestion goes wrong where it guesses, so the text
	 * shown is the part it was sure of (often a right prefix instead of a wrong whole).
	 */
	unsureCut?: boolean;
}

/** Whether a quality fix is on for a request (they all are unless switched off). */
export function qualityOn(request: { quality?: QualityOptions }, fix: keyof QualityOptions): boolean {
	return request.quality?.[fix] !== false;
}

/** The model's own probabilities of the tokens it generated for a suggestion. */
export interface CompletionConfidence {
	/** Mean natural-log probability per generated token. */
	meanLogProb: number;
	/** The least likely token's log probability. */
	minLogProb: number;
	/** Tokens counted. */
	tokens: number;
}

export type StopReason =
	| 'cached'
	| 'end-of-generation'
	| 'stop-string'
	| 'post-process'
	| 'unsure-token'
	| 'max-tokens'
	| 'time-budget'
	| 'cancelled'
	| 'context-full';

export interface CompletionStats {
	/** Set when the answer came from an earlier suggestion and the model was not called. */
	cacheHit?: CacheHit;
	promptTokens: number;
	/** Prompt tokens whose KV state was kept from the previous request. */
	reusedPromptTokens: number;
	/** Of those, tokens whose KV entries were moved down after a block before them was dropped. */
	shiftedPromptTokens?: number;
	evaluatedPromptTokens: number;
	generatedTokens: number;
	/** Tokens that came out of the model after the abort signal fired. */
	tokensAfterAbort: number;
	queuedMs: number;
	promptMs: number;
	firstTokenMs?: number;
	totalMs: number;
	/** When the run saw its abort (performance.now()); unset for a run that was not cancelled. */
	abortedAt?: number;
	/**
	 * When the last llama.cpp evaluation done for this run returned (performance.now()): after each
	 * prompt chunk and each generated token. For a cancelled run, the moment its compute stopped.
	 */
	lastComputeEndedAt?: number;
	/** The run answered from the small first prompt (see CompletionRequest.smallFirstPrompt): the whole prompt is still to be filled in. */
	smallFirstPrompt?: boolean;
}

export interface CompletionResult {
	/** What to show as ghost text (post-processed; may be empty). */
	text: string;
	/** Everything the model produced before stopping, for logs and tests. */
	rawText: string;
	stopReason: StopReason;
	stats: CompletionStats;
	/** The prompt as evaluated (only with `keepPromptTokens`; for the benchmark's token accounting). */
	promptTokens?: readonly Token[];
	/** The model's probabilities of the generated tokens (absent when the source has none, or for a cached answer). */
	confidence?: CompletionConfidence;
	/** Set when the confidence gate hid the suggestion: `text` is what would have been shown. */
	heldBack?: { text: string; reason: 'low-confidence' | 'unsure-token' };
}

/** Settings that change the answer for the same text separate cache entries. */
export function cacheVariant(request: CompletionRequest): string {
	const quality = request.quality === undefined ? '' : `|${JSON.stringify(request.quality)}`;
	const gate = request.minConfidence === undefined ? '' : `|${request.minConfidence}`;
	const cut = request.unsureCutLogProb === undefined ? '' : `|cut${request.unsureCutLogProb}`;
	return `${request.mode ?? 'auto'}|${request.maxTokens}${quality}${gate}${cut}`;
}

/** Statistics of an answer the model had no part in. */
export function idleStats(overrides: Partial<CompletionStats> = {}): CompletionStats {
	return {
		promptTokens: 0,
		reusedPromptTokens: 0,
		evaluatedPromptTokens: 0,
		generatedTokens: 0,
		tokensAfterAbort: 0,
		queuedMs: 0,
		promptMs: 0,
		totalMs: 0,
		...overrides,
	};
}

export function cachedResult(cached: CachedCompletion): CompletionResult {
	return { text: cached.text, rawText: cached.text, stopReason: 'cached', stats: idleStats({ cacheHit: cached.hit }) };
}

/** No answer: the request was cancelled before the model ran for it (`queuedMs`: how long it waited). */
export function cancelledResult(queuedMs = 0): CompletionResult {
	return { text: '', rawText: '', stopReason: 'cancelled', stats: idleStats({ queuedMs }) };
}
