/**
 * What the completion pipeline needs of whatever produces the tokens: the model run in this process
 * (LocalTokenSource) or an OpenAI-compatible server (OpenAiTokenSource). A source evaluates the
 * prompt and yields what is generated; the pipeline decides everything else (the window, the mode,
 * when to stop, what to show, the statistics, the cache).
 */

import type { Token } from 'node-llama-cpp';
import type { ContextChunk } from '../fim/fimTypes.js';
import type { ClampLimits } from '../prompt/promptWindow.js';
import type { CompletionRequest, CompletionStats, StopReason } from './completionTypes.js';

/** The prompt a source is given: the request's text cut to the source's character window. */
export interface SourcePrompt {
	prefix: string;
	suffix: string;
	/** The document offset of `prefix[0]`, to which any further cut is anchored. */
	prefixOffset: number;
	filePath?: string;
	documentKey?: string;
	contextChunks?: readonly ContextChunk[];
	contextBudget?: number;
	/** Tokens to generate at most (a local source has already applied its own limit, see `tokenLimit`). */
	maxTokens: number;
	/** Generate past end-of-generation (benchmarks). */
	fixedLength: boolean;
	/** Start generating no earlier than this (performance.now()); see CompletionRequest. */
	generateNotBefore?: number;
	/** A small near-cursor prompt may answer while the document's cache is cold (see CompletionRequest). */
	smallFirstPrompt?: boolean;
	/** Nobody waits for this run (see CompletionRequest.background). */
	background?: boolean;
	/**
	 * Back the prompt off the partial token before the cursor and make the first generated tokens
	 * re-spell it (a source that cannot constrain its tokens ignores this). `text()` never includes
	 * the re-spelled part.
	 */
	tokenHealing?: boolean;
}

/** One run as the source sees it; the pipeline owns it. */
export interface SourceRun {
	/** When the request started running (performance.now()). */
	readonly startedAt: number;
	/**
	 * True once the request was cancelled: a source stops evaluating the prompt at the next chunk
	 * and generating at the next token (counting it in `stats.tokensAfterAbort`).
	 */
	readonly cancelled: boolean;
	/**
	 * Aborted as soon as the run is over for any reason, its `reason` the StopReason: cancelled, the
	 * time budget spent, or the text complete. A source that waits on I/O stops waiting.
	 */
	readonly signal: AbortSignal;
	/** The source fills in the prompt's figures (tokens, reused, evaluated, promptMs, tokens after abort). */
	readonly stats: CompletionStats;
	/** The prompt's tokens as evaluated, when the source has them. */
	promptTokens?: readonly Token[];
}

export type SourceStep =
	/**
	 * One more token (or streamed piece) was generated; `text()` is everything generated so far,
	 * `logProb` the token's natural-log probability when the source knows it.
	 */
	| { kind: 'token'; text: () => string; logProb?: number; healed?: boolean }
	/** The model produced an end-of-generation or stop token: the run ends here. */
	| { kind: 'stop-token' }
	/** Why the source stopped (max tokens, context full); a stream may still carry figures after it. */
	| { kind: 'finish'; reason: StopReason };

export interface TokenSource {
	/** The character window of the text around the cursor this source is given. */
	readonly window: Omit<ClampLimits, 'prefixOffset'>;
	/** Stop strings matched in the generated text (those that are not stop tokens). */
	readonly stopTexts: readonly string[];
	/** Most tokens to generate for a request; undefined when the source enforces `maxTokens` itself. */
	tokenLimit(request: CompletionRequest): number | undefined;
	/** Evaluates the prompt and yields what is generated until the pipeline stops asking or the source is done. */
	generate(prompt: SourcePrompt, run: SourceRun): AsyncIterable<SourceStep>;
}
