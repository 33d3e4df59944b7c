import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { CompletionCache, type CacheHit, type CachedCompletion } from '../cache/completionCache.js';
import type { Logger } from '../logger.js';
import { chooseCompletionMode, clampContext, processCompletion, type CompletionMode } from '../postprocess/index.js';
import type { LoadedModel } from './loadModel.js';
import type { ModelInfo } from './modelInfo.js';
import { tokenizePrompt } from './promptTokens.js';

export interface CompletionRequest {
	/** Text before the cursor (the whole document is fine: it is clamped here). */
	prefix: string;
	/** Text after the cursor. */
	suffix: string;
	/** Workspace-relative path, for templates trained with a file-name header. */
	filePath?: string;
	maxTokens: number;
	mode?: CompletionMode | 'auto';
	/** Aborting stops prompt evaluation between chunks and generation within one token. */
	signal?: AbortSignal;
	/** Generation stops (keeping what it has) when this much time has passed since the request started. */
	timeBudgetMs?: number;
	/** Answer from earlier suggestions when possible (default true). */
	useCache?: boolean;
}

export type StopReason = 'cached' | 'end-of-generation' | 'stop-string' | 'post-process' | 'max-tokens' | 'time-budget' | 'cancelled' | 'context-full';

export interface CompletionStats {
	/** Set when the answer came from an earlier suggestion and the model was not called. */
	cacheHit?: CacheHit;
	promptTokens: number;
	/** Prompt tokens whose KV state was kept from the previous request. */
	reusedPromptTokens: number;
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
}

/** Tokens evaluated per batch while filling the prompt, so that an abort lands between chunks. */
const PROMPT_CHUNK_TOKENS = 64;
/** Documents of megabytes are cut to this many characters on each side before tokenising. */
const MAX_PREFIX_CHARS = 24_000;
const MAX_SUFFIX_CHARS = 8_000;

/**
 * Fill-in-the-middle completion on one loaded model. Requests run one at a time on the model's
 * single sequence; the KV state of the longest common prompt prefix is kept between requests.
 */
export class CompletionEngine {
	private queue: Promise<unknown> = Promise.resolve();
	private readonly cache = new CompletionCache();
	private readonly stopTokens: ReadonlySet<Token>;
	/** Stop strings that are not control tokens, matched in the generated text. */
	private readonly stopTexts: readonly string[];

	constructor(
		private readonly loaded: LoadedModel,
		private readonly logger: Logger,
	) {
		const stops = classifyStopStrings(loaded.model, loaded.promptTemplate.stopStrings);
		this.stopTokens = stops.tokens;
		this.stopTexts = stops.texts;
	}

	get info(): ModelInfo {
		return this.loaded.info;
	}

	/** The answer from earlier suggestions, without calling the model, when there is one. */
	cachedCompletion(request: CompletionRequest): CompletionResult | undefined {
		if (request.useCache === false) {
			return undefined;
		}
		const cached = this.cache.lookup(request.prefix, request.suffix, cacheVariant(request));
		return cached && cachedResult(cached);
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		const variant = cacheVariant(request);
		if (!request.signal?.aborted) {
			const cached = this.cachedCompletion(request);
			if (cached) {
				return Promise.resolve(cached);
			}
		}
		const queuedAt = performance.now();
		const run = this.queue.then(() => this.run(request, queuedAt));
		this.queue = run.catch(() => undefined);
		return run.then((result) => {
			// A suggestion cut short by the time budget is not the model's whole answer: not cached.
			if (result.stopReason !== 'cancelled' && result.stopReason !== 'time-budget') {
				this.cache.remember(request.prefix, request.suffix, variant, result.text);
			}
			return result;
		});
	}

	async dispose(): Promise<void> {
		await this.queue;
		await this.loaded.dispose();
	}

	private async run(request: CompletionRequest, queuedAt: number): Promise<CompletionResult> {
		const startedAt = performance.now();
		const { model, sequence, context, promptTemplate } = this.loaded;
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
		const finish = (text: string, rawText: string, stopReason: StopReason): CompletionResult => {
			stats.totalMs = performance.now() - startedAt;
			return { text, rawText, stopReason, stats };
		};
		if (request.signal?.aborted) {
			return finish('', '', 'cancelled');
		}

		const clamped = clampContext(request.prefix, request.suffix, { maxPrefixChars: MAX_PREFIX_CHARS, maxSuffixChars: MAX_SUFFIX_CHARS });
		const maxTokens = Math.max(1, Math.min(request.maxTokens, Math.floor(context.contextSize / 4)));
		const prompt = tokenizePrompt(model, promptTemplate, { prefix: clamped.prefix, suffix: clamped.suffix, filePath: request.filePath }, context.contextSize - maxTokens - 1);
		const mode = request.mode === undefined || request.mode === 'auto' ? chooseCompletionMode(clamped.prefix, clamped.suffix) : request.mode;
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
			}
			stats.evaluatedPromptTokens = remaining.length;
			stats.promptMs = performance.now() - startedAt;
			if (abortedAt !== undefined) {
				return finish('', '', 'cancelled');
			}

			const generated: Token[] = [];
			let text = '';
			let rawText = '';
			let stopReason: StopReason = 'max-tokens';
			for await (const token of sequence.evaluate(remaining.slice(-1), { temperature: 0 })) {
				if (abortedAt !== undefined) {
					stats.tokensAfterAbort++;
					stopReason = 'cancelled';
					break;
				}
				stats.firstTokenMs ??= performance.now() - startedAt;
				if (model.isEogToken(token) || this.stopTokens.has(token)) {
					stopReason = 'end-of-generation';
					break;
				}
				generated.push(token);
				stats.generatedTokens = generated.length;
				rawText = model.detokenize(generated);
				const stopAt = firstStopString(rawText, this.stopTexts);
				const candidate = stopAt === -1 ? rawText : rawText.slice(0, stopAt);
				const processed = processCompletion(candidate, postContext);
				text = processed.text;
				if (stopAt !== -1) {
					stopReason = 'stop-string';
					break;
				}
				if (processed.done) {
					stopReason = 'post-process';
					break;
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
	 */
	private async reuseCachedPrefix(sequence: LlamaContextSequence, tokens: Token[], stats: CompletionStats): Promise<Token[]> {
		const { firstDifferentIndex } = sequence.compareContextTokens(tokens);
		const keep = Math.min(firstDifferentIndex, tokens.length - 1);
		if (keep < sequence.nextTokenIndex) {
			await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
		}
		stats.reusedPromptTokens = keep;
		return tokens.slice(keep);
	}
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
function cacheVariant(request: CompletionRequest): string {
	return `${request.mode ?? 'auto'}|${request.maxTokens}`;
}

function cachedResult(cached: CachedCompletion): CompletionResult {
	return {
		text: cached.text,
		rawText: cached.text,
		stopReason: 'cached',
		stats: { cacheHit: cached.hit, promptTokens: 0, reusedPromptTokens: 0, evaluatedPromptTokens: 0, generatedTokens: 0, tokensAfterAbort: 0, queuedMs: 0, promptMs: 0, totalMs: 0 },
	};
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
