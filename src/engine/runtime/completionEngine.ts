import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { CacheHit, CachedCompletion } from '../cache/completionCache.js';
import type { ContextChunk } from '../fim/fimTypes.js';
import type { Logger } from '../logger.js';
import { chooseCompletionMode, clampContext, processCompletion, type CompletionMode } from '../postprocess/index.js';
import type { LoadedModel } from './loadModel.js';
import { CachedRunQueue } from './cachedRunQueue.js';
import type { CompletionBackend } from './completionBackend.js';
import type { ModelInfo } from './modelInfo.js';
import { tokenizePrompt } from './promptTokens.js';
import { SequencePool } from './sequencePool.js';

export interface CompletionRequest {
	/** Text before the cursor (the whole document is fine: it is clamped here). */
	prefix: string;
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
}

export type StopReason =
	'cached' | 'end-of-generation' | 'stop-string' | 'post-process' | 'max-tokens' | 'time-budget' | 'cancelled' | 'context-full';

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
}

export interface CompletionEngineOptions {
	/** Attach each run's prompt tokens to its result. */
	keepPromptTokens?: boolean;
}

/** Tokens evaluated per batch while filling the prompt, so that an abort lands between chunks. */
const PROMPT_CHUNK_TOKENS = 64;
/** Documents of megabytes are cut to this many characters on each side before tokenising. */
const MAX_PREFIX_CHARS = 24_000;
const MAX_SUFFIX_CHARS = 8_000;
/** The character cut of a huge prefix moves in steps this long, so typing does not move it each key. */
const PREFIX_CUT_STEP_CHARS = 4_000;

/**
 * Fill-in-the-middle completion on one loaded model. Requests run one at a time (two cores do not
 * gain from running two); each recent document has its own context sequence, on which the KV state
 * of the longest common prompt prefix is kept between requests.
 */
export class CompletionEngine implements CompletionBackend {
	private readonly runs = new CachedRunQueue();
	private readonly sequences: SequencePool;
	private readonly stopTokens: ReadonlySet<Token>;
	/** Stop strings that are not control tokens, matched in the generated text. */
	private readonly stopTexts: readonly string[];

	constructor(
		private readonly loaded: LoadedModel,
		private readonly logger: Logger,
		private readonly options: CompletionEngineOptions = {},
	) {
		this.sequences = new SequencePool(loaded.sequences);
		const stops = classifyStopStrings(loaded.model, loaded.promptTemplate.stopStrings);
		this.stopTokens = stops.tokens;
		this.stopTexts = stops.texts;
	}

	get info(): ModelInfo {
		return this.loaded.info;
	}

	/** The answer from earlier suggestions, without calling the model, when there is one. */
	cachedCompletion(request: CompletionRequest): CompletionResult | undefined {
		return this.runs.cached(request);
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		return this.runs.run(request, (queuedAt) => this.run(request, queuedAt));
	}

	/** Requests waiting behind the running one (superseded ones leave at once). */
	get queuedRequests(): number {
		return this.runs.waiting;
	}

	/** Forgets a closed document's KV cache claim, so its sequence goes to the next document first. */
	forgetDocument(documentKey: string): void {
		this.sequences.release(documentKey);
	}

	async dispose(): Promise<void> {
		await this.runs.idle();
		await this.loaded.dispose();
	}

	private async run(request: CompletionRequest, queuedAt: number): Promise<CompletionResult> {
		const startedAt = performance.now();
		const { model, context, promptTemplate } = this.loaded;
		const sequence = this.sequences.acquire(request.documentKey ?? '');
		const stats: CompletionStats = {
			promptTokens: 0,
			reusedPromptTokens: 0,
			evaluatedPromptTokens: 0,
			generatedTokens: 0,
			tokensAfterAbort: 0,
			queuedMs: startedAt - queuedAt,
			promptMs: 0,
			totalMs: 0,
		};
		let promptTokens: Token[] | undefined;
		const finish = (text: string, rawText: string, stopReason: StopReason): CompletionResult => {
			stats.totalMs = performance.now() - startedAt;
			return { text, rawText, stopReason, stats, promptTokens: this.options.keepPromptTokens ? promptTokens : undefined };
		};
		if (request.signal?.aborted) {
			return finish('', '', 'cancelled');
		}

		const clamped = clampContext(request.prefix, request.suffix, {
			maxPrefixChars: MAX_PREFIX_CHARS,
			maxSuffixChars: MAX_SUFFIX_CHARS,
			prefixCutStepChars: PREFIX_CUT_STEP_CHARS,
		});
		const maxTokens = Math.max(1, Math.min(request.maxTokens, Math.floor(context.contextSize / 4)));
		const budget = Math.min(request.contextBudget ?? Infinity, context.contextSize - maxTokens - 1);
		const prompt = tokenizePrompt(
			model,
			promptTemplate,
			{ prefix: clamped.prefix, suffix: clamped.suffix, filePath: request.filePath, contextChunks: request.contextChunks },
			budget,
		);
		promptTokens = prompt.tokens;
		const mode =
			request.mode === undefined || request.mode === 'auto' ? chooseCompletionMode(clamped.prefix, clamped.suffix) : request.mode;
		const postContext = { prefix: clamped.prefix, suffix: clamped.suffix, mode };
		stats.promptTokens = prompt.tokens.length;

		// Abort is observed through a flag so that the token loop stops at the very next token.
		let abortedAt: number | undefined;
		const onAbort = () => (abortedAt ??= performance.now());
		request.signal?.addEventListener('abort', onAbort, { once: true });
		try {
			const remaining = await this.reuseCachedPrefix(sequence, prompt.tokens, stats);
			// All but the last prompt token are evaluated in chunks; the last one goes with generation.
			for (let start = 0; start < remaining.length - 1; start += PROMPT_CHUNK_TOKENS) {
				if (abortedAt !== undefined) {
					stats.promptMs = performance.now() - startedAt;
					return finish('', '', 'cancelled');
				}
				const chunk = remaining.slice(start, Math.min(start + PROMPT_CHUNK_TOKENS, remaining.length - 1));
				await sequence.evaluateWithoutGeneratingNewTokens(chunk);
				// Counted as it goes: a run cancelled halfway has still spent these.
				stats.evaluatedPromptTokens += chunk.length;
			}
			stats.promptMs = performance.now() - startedAt;
			if (abortedAt !== undefined) {
				return finish('', '', 'cancelled');
			}
			// The prompt's last token is evaluated with the first generation step.
			stats.evaluatedPromptTokens++;

			const generated: Token[] = [];
			let text = '';
			let rawText = '';
			let stopReason: StopReason = 'max-tokens';
			/** With fixedLength, the text is final once post-processing has ended it; generation goes on. */
			let stoppedText = false;
			for await (const token of sequence.evaluate(remaining.slice(-1), { temperature: 0 })) {
				if (abortedAt !== undefined) {
					stats.tokensAfterAbort++;
					stopReason = 'cancelled';
					break;
				}
				stats.firstTokenMs ??= performance.now() - startedAt;
				const fixed = request.fixedLength === true;
				if (!fixed && (model.isEogToken(token) || this.stopTokens.has(token))) {
					stopReason = 'end-of-generation';
					break;
				}
				generated.push(token);
				stats.generatedTokens = generated.length;
				if (!stoppedText) {
					rawText = model.detokenize(generated);
					const stopAt = firstStopString(rawText, this.stopTexts);
					const candidate = stopAt === -1 ? rawText : rawText.slice(0, stopAt);
					const processed = processCompletion(candidate, postContext);
					if (processed.text !== text) {
						text = processed.text;
						request.onText?.(text);
					}
					if (stopAt !== -1 || processed.done) {
						stopReason = stopAt !== -1 ? 'stop-string' : 'post-process';
						if (!fixed) {
							break;
						}
						stoppedText = true;
					}
				}
				if (generated.length >= maxTokens) {
					break;
				}
				if (request.timeBudgetMs !== undefined && performance.now() - startedAt > request.timeBudgetMs) {
					stopReason = 'time-budget';
					break;
				}
				if (sequence.nextTokenIndex >= context.contextSize - 1) {
					stopReason = 'context-full';
					break;
				}
			}
			if (stopReason === 'cancelled') {
				return finish('', rawText, 'cancelled');
			}
			return finish(text, rawText, stopReason);
		} finally {
			request.signal?.removeEventListener('abort', onAbort);
			this.logger.debug(
				`completion: ${stats.promptTokens} prompt tokens (${stats.reusedPromptTokens} reused, ${stats.evaluatedPromptTokens} evaluated), ` +
					`${stats.generatedTokens} generated in ${Math.round(performance.now() - startedAt)} ms`,
			);
		}
	}

	/**
	 * Keeps the KV state shared with the previous prompt and erases the rest; returns the tokens that
	 * still need evaluating. At least one token is always left, because generation needs the logits of
	 * the prompt's last token and those are not kept between requests.
	 *
	 * When the prompt lost a block near its start and the rest of the old prompt follows unchanged
	 * (the far edge of a long prefix moved on, or extra context was dropped), the block is erased and
	 * the KV entries after it are shifted down instead of recomputed, as llama.cpp's context shift
	 * does. Those entries were computed with the block still in view: an approximation, allowed only
	 * for a long unchanged run, so the text near the cursor is always computed exactly.
	 */
	private async reuseCachedPrefix(sequence: LlamaContextSequence, tokens: Token[], stats: CompletionStats): Promise<Token[]> {
		let { firstDifferentIndex } = sequence.compareContextTokens(tokens);
		const shiftFrom = droppedBlockEnd(sequence.contextTokens, tokens, firstDifferentIndex);
		if (shiftFrom !== undefined) {
			stats.shiftedPromptTokens = sequence.nextTokenIndex - shiftFrom;
			await sequence.eraseContextTokenRanges([{ start: firstDifferentIndex, end: shiftFrom }]);
			firstDifferentIndex = sequence.compareContextTokens(tokens).firstDifferentIndex;
		}
		const keep = Math.min(firstDifferentIndex, tokens.length - 1);
		if (keep < sequence.nextTokenIndex) {
			await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
		}
		stats.reusedPromptTokens = keep;
		return tokens.slice(keep);
	}
}

/** An unchanged run must be at least this long for its KV entries to be shifted rather than recomputed. */
const MIN_SHIFTED_RUN = 128;
/** Tokens of the new prompt looked for in the old one to find where the unchanged run resumes. */
const SHIFT_PROBE_TOKENS = 16;

/**
 * Where the old prompt resumes after a block the new one dropped at `from`: the index in `old` from
 * which at least MIN_SHIFTED_RUN tokens equal the new prompt's tokens at `from`. Undefined if none.
 */
function droppedBlockEnd(old: readonly Token[], tokens: readonly Token[], from: number): number | undefined {
	if (from <= 0 || tokens.length - from < MIN_SHIFTED_RUN || old.length - from < MIN_SHIFTED_RUN) {
		return undefined;
	}
	const probe = tokens.slice(from, from + SHIFT_PROBE_TOKENS);
	for (let at = from + 1; at + MIN_SHIFTED_RUN <= old.length; at++) {
		if (!probe.every((token, offset) => old[at + offset] === token)) {
			continue;
		}
		let run = 0;
		while (from + run < tokens.length && at + run < old.length && tokens[from + run] === old[at + run]) {
			run++;
		}
		if (run >= MIN_SHIFTED_RUN) {
			return at;
		}
	}
	return undefined;
}

/**
 * A stop string that is one control token in this vocabulary is matched by token id only: the same
 * characters written as text (an HTML `</s>`, say) are legitimate code and must not end a completion.
 */
function classifyStopStrings(model: LlamaModel, stopStrings: readonly string[]): { tokens: Set<Token>; texts: string[] } {
	const tokens = new Set<Token>();
	const texts: string[] = [];
	for (const text of stopStrings) {
		const tokenized = model.tokenize(text, true);
		if (tokenized.length === 1 && model.detokenize(tokenized, true) === text) {
			tokens.add(tokenized[0]!);
		} else {
			texts.push(text);
		}
	}
	return { tokens, texts };
}

/** Settings that change the answer for the same text separate cache entries. */
export function cacheVariant(request: CompletionRequest): string {
	return `${request.mode ?? 'auto'}|${request.maxTokens}`;
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

function firstStopString(text: string, stopStrings: readonly string[]): number {
	let first = -1;
	for (const stop of stopStrings) {
		const index = text.indexOf(stop);
		if (index !== -1 && (first === -1 || index < first)) {
			first = index;
		}
	}
	return first;
}
