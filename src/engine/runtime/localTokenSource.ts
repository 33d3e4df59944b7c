/**
 * Tokens from the model loaded in this process (node-llama-cpp). Each recent document has its own
 * context sequence, on which the KV state of the longest common prompt prefix is kept between
 * requests (and shifted, not recomputed, when a block near the prompt's start was dropped). The
 * prompt is evaluated in batches (PromptChunkSize), its last batch in the decode that yields the
 * first token. A cancellation stops the decode in flight where Hearth's decode abort module is built
 * (DecodeAbort), and otherwise lands between batches, and generation stops within one token of it. A
 * request may ask for its generation to wait (`generateNotBefore`): only a long stretch of new text
 * before the cursor is evaluated before the wait is over.
 */

import type { ControlledEvaluateIndexOutput, ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { CompletionRequest, CompletionStats } from '../completion/completionTypes.js';
import type { SourcePrompt, SourceRun, SourceStep, TokenSource } from '../completion/tokenSource.js';
import { tokenizePrompt, type PromptTokens } from '../prompt/promptTokens.js';
import { abortableDecode, DECODE_ABORTED, DecodeAbort } from './decodeAbort.js';
import type { LoadedModel } from './loadModel.js';
import { PromptChunkSize } from './promptChunkSize.js';
import { SequencePool } from './sequencePool.js';
import { TokenHealing } from './tokenHealing.js';

/** Documents of megabytes are cut to this many characters on each side before tokenising. */
const MAX_PREFIX_CHARS = 24_000;
const MAX_SUFFIX_CHARS = 8_000;
/** The character cut of a huge prefix moves in steps this long (anchored to the document), not with each key. */
const PREFIX_CUT_STEP_CHARS = 4_000;
/**
 * Tokens of the small first prompt a cold document answers from (about llama.vscode's window of a
 * short file, a few seconds at most on a 1.5B model on two cores), and how many times as many tokens
 * the whole prompt must still need evaluating for it to be used.
 */
export const SMALL_FIRST_PROMPT_TOKENS = 256;
const SMALL_FIRST_WORTH = 2;

export interface LocalTokenSourceOptions {
	/** Tokens per prompt batch, fixed (64 was the old behaviour); default: sized from the measured speed. */
	promptChunkTokens?: number;
	/** Tokens of the small first prompt of a cold document (CompletionRequest.smallFirstPrompt); 0: never. */
	smallFirstPromptTokens?: number;
	/** False: a cancellation lands between decodes only, even where the addon can stop one in flight (the bench's before). */
	decodeAbort?: boolean;
	/** False: the prompt's last token alone goes with the first generated one, the rest in decodes of their own (the bench's before). */
	lastBatchWithFirstToken?: boolean;
}

export class LocalTokenSource implements TokenSource {
	readonly window = { maxPrefixChars: MAX_PREFIX_CHARS, maxSuffixChars: MAX_SUFFIX_CHARS, prefixCutStepChars: PREFIX_CUT_STEP_CHARS };
	private readonly sequences: SequencePool;
	/** Where each document's last prompt started in it, so that the token budget's cut holds still. */
	private readonly promptStarts = new Map<string, number>();
	private readonly stopTokens: ReadonlySet<Token>;
	/** Stop strings that are not control tokens, matched in the generated text. */
	readonly stopTexts: readonly string[];
	/** Tokens per prompt batch, from the measured speed (an abort lands between batches). */
	private readonly chunkSize: PromptChunkSize;
	private readonly smallFirstTokens: number;
	/** Documents whose own sequence has held a whole prompt of theirs since it became theirs. */
	private readonly filled = new Set<string>();
	/** Stops a decode in flight when its run ends; undefined where Hearth's decode abort module is not built. */
	private readonly decodeAbort: DecodeAbort | undefined;
	private readonly lastBatchWithFirstToken: boolean;

	constructor(
		private readonly loaded: LoadedModel,
		options: LocalTokenSourceOptions = {},
	) {
		this.sequences = new SequencePool(loaded.sequences);
		this.decodeAbort = options.decodeAbort === false ? undefined : DecodeAbort.for(loaded.context);
		this.lastBatchWithFirstToken = options.lastBatchWithFirstToken !== false;
		this.chunkSize = new PromptChunkSize({ fixedTokens: options.promptChunkTokens, abortsDecodes: this.decodeAbort !== undefined });
		this.smallFirstTokens = options.smallFirstPromptTokens ?? SMALL_FIRST_PROMPT_TOKENS;
		const stops = classifyStopStrings(loaded.model, loaded.promptTemplate.stopStrings);
		this.stopTokens = stops.tokens;
		this.stopTexts = stops.texts;
		TokenHealing.prepare(loaded.model);
	}

	/** Whether a cancellation stops a decode in flight (Hearth's decode abort module), not only between decodes. */
	get abortsDecodes(): boolean {
		return this.decodeAbort !== undefined;
	}

	/** The libllama whose abort callback stops this source's decodes, for the log; undefined without the abort. */
	get decodeAbortLibrary(): string | undefined {
		return this.decodeAbort?.library;
	}

	/** A quarter of the context at most, so that a long prompt still leaves room to generate. */
	tokenLimit(request: CompletionRequest): number {
		return Math.max(1, Math.min(request.maxTokens, Math.floor(this.loaded.context.contextSize / 4)));
	}

	forgetDocument(documentKey: string): void {
		this.sequences.release(documentKey);
		this.promptStarts.delete(documentKey);
		this.promptStarts.delete(smallPromptKey(documentKey));
		this.filled.delete(documentKey);
	}

	/** The prompt's tokens for a window of a document, within the context's budget. */
	prompt(prompt: SourcePrompt): PromptTokens {
		const budget = Math.min(prompt.contextBudget ?? Infinity, this.loaded.context.contextSize - prompt.maxTokens - 1);
		return this.tokenizeHeld(prompt, prompt.documentKey ?? '', budget);
	}

	/** Tokenises a prompt within `budget`, its cut held at the start last recorded under `startKey`. */
	private tokenizeHeld(prompt: SourcePrompt, startKey: string, budget: number): PromptTokens {
		const { model, promptTemplate } = this.loaded;
		const tokens = tokenizePrompt(model, promptTemplate, { ...prompt, previousPrefixStart: this.promptStarts.get(startKey) }, budget);
		this.promptStarts.set(startKey, tokens.prefixStart);
		return tokens;
	}

	async *generate(prompt: SourcePrompt, run: SourceRun): AsyncGenerator<SourceStep> {
		const { model, context } = this.loaded;
		const { stats } = run;
		const key = prompt.documentKey ?? '';
		if (!this.sequences.owns(key)) {
			this.filled.delete(key);
		}
		const own = this.sequences.acquire(key);
		const whole = this.prompt(prompt);
		const small = this.smallFirst(prompt, own, whole.tokens);
		const sequence = small?.sequence ?? own;
		const { tokens, healText, prefixEndToken } = small?.prompt ?? whole;
		if (small) {
			stats.smallFirstPrompt = true;
		}
		run.promptTokens = tokens;
		stats.promptTokens = tokens.length;

		const remaining = await this.reuseCachedPrefix(sequence, tokens, stats);
		// The prompt is evaluated in batches, all but the last; the last batch goes into the decode
		// that yields the first token, which spares a decode per run (each costs a pass over the
		// weights). A run asked to hold its generation waits before its last batch. If the text before
		// the cursor still needs more than a batch (a cold prompt, a jump), that part is evaluated
		// first, as the next keystroke's prompt keeps it; a few new tokens before the cursor wait with
		// the rest, as the one decode they would take alone is wasted when a keystroke comes first.
		const background = prompt.background === true;
		const holdUntil = prompt.generateNotBefore;
		const beforeCursor = Math.max(0, Math.min(remaining.length - 1, prefixEndToken - stats.reusedPromptTokens));
		const early = holdUntil !== undefined && beforeCursor > this.chunkSize.tokens ? beforeCursor : 0;
		const evaluated = (await this.evaluateBatches(sequence, remaining.slice(0, early), run, background, false)) !== undefined;
		if (evaluated && holdUntil !== undefined) {
			await waitUntil(holdUntil, run.signal);
		}
		const last =
			!evaluated || run.cancelled ? undefined : await this.evaluateAllButLast(sequence, remaining.slice(early), run, background);
		stats.promptMs = performance.now() - run.startedAt;
		if (last === undefined) {
			return;
		}

		const generated: Token[] = [];
		// With token healing the first token re-spells the text the prompt was backed off; that part is not shown.
		const healing = TokenHealing.for(model, healText);
		const text = healing === undefined ? () => model.detokenize(generated) : () => healing.visible(model.detokenize(generated));
		const decoder: Decoder = { sequence, abort: this.decodeAbort, signal: run.signal, stats };
		/** The prompt's last batch is counted, and the prompt's time taken, once the decode that holds it is done. */
		const promptDone = () => {
			stats.evaluatedPromptTokens += last.length;
			stats.promptMs = performance.now() - run.startedAt;
			if (!small) {
				this.filled.add(key);
			}
		};
		let input = last;
		if (healing !== undefined) {
			const first = await this.healedFirstToken(decoder, input, healing);
			if (first === DECODE_ABORTED) {
				return;
			}
			promptDone();
			if (run.cancelled) {
				return;
			}
			generated.push(first.token);
			yield { kind: 'token', text, logProb: Math.log(first.probability), healed: true };
			input = [first.token];
		}
		let firstStep = healing === undefined;
		for await (const { token, confidence } of greedyTokens(decoder, input)) {
			if (firstStep) {
				promptDone();
				firstStep = false;
			}
			if (run.cancelled) {
				stats.tokensAfterAbort++;
				return;
			}
			if (!prompt.fixedLength && (model.isEogToken(token) || this.stopTokens.has(token))) {
				yield { kind: 'stop-token' };
				return;
			}
			generated.push(token);
			yield { kind: 'token', text, logProb: Math.log(confidence) };
			if (sequence.nextTokenIndex >= context.contextSize - 1) {
				yield { kind: 'finish', reason: 'context-full' };
				return;
			}
		}
	}

	/**
	 * The small first prompt of a cold document, and the sequence beside the document's own that it
	 * runs on (so the whole prompt's fill, which a keystroke interrupts, keeps its progress there):
	 * when the request allows it, the document's sequence has not held a whole prompt of its own, and
	 * the whole prompt would still need more than SMALL_FIRST_WORTH times the small one's tokens.
	 * The small prompt is the text around the cursor only (no chunks from elsewhere, no far suffix).
	 */
	private smallFirst(
		prompt: SourcePrompt,
		own: LlamaContextSequence,
		tokens: Token[],
	): { sequence: LlamaContextSequence; prompt: PromptTokens } | undefined {
		const key = prompt.documentKey ?? '';
		if (prompt.smallFirstPrompt !== true || this.smallFirstTokens <= 0 || this.filled.has(key)) {
			return undefined;
		}
		const { firstDifferentIndex } = own.compareContextTokens(tokens);
		if (tokens.length - firstDifferentIndex <= SMALL_FIRST_WORTH * this.smallFirstTokens) {
			return undefined;
		}
		const sequence = this.sequences.scratch(key);
		if (sequence === undefined) {
			return undefined;
		}
		const budget = Math.min(this.smallFirstTokens, this.loaded.context.contextSize - prompt.maxTokens - 1);
		// Its cut holds its own last place, as the whole prompt's does, so the next keystroke's small prompt reuses this one.
		return { sequence, prompt: this.tokenizeHeld({ ...prompt, contextChunks: undefined }, smallPromptKey(key), budget) };
	}

	/**
	 * The first generated token under token healing: the likeliest token whose text starts with the
	 * text the prompt was backed off (the token taken off always qualifies). It is chosen here from the
	 * next-token probabilities rather than by a sampling bias over the vocabulary, which node-llama-cpp
	 * 3.22 can leave waiting forever on some prompts. The chosen token is not evaluated yet.
	 * When few tokens qualify, only their logits are asked for (with the greedy token's, the maximum),
	 * which spares sorting the vocabulary and copying it into a Map.
	 */
	private async healedFirstToken(
		decoder: Decoder,
		input: Token[],
		healing: TokenHealing,
	): Promise<{ token: Token; probability: number } | typeof DECODE_ABORTED> {
		const candidates = healing.candidates();
		if (candidates !== undefined) {
			const next = await greedyStep(decoder, input, { logits: { filter: { tokens: candidates, includeSelected: true } } });
			if (next === DECODE_ABORTED) {
				return next;
			}
			if (next?.token === undefined || next.token === null || next.logits === undefined || next.totalLogitWeight === undefined) {
				throw new Error('the model produced no next-token logits');
			}
			return healing.chooseFromLogits(next.token, next.logits, next.totalLogitWeight);
		}
		// node-llama-cpp's own sampling path, as before the decode abort: asking controlledEvaluate for
		// every token's probability instead broke the e2e suite's chat-model test (not understood yet).
		// Its decode stops on an abort like any other.
		const probabilities = await abortableDecode(decoder.abort, decoder.signal, async () => {
			for await (const { probabilities } of decoder.sequence.evaluateWithMetadata(
				input,
				{ probabilities: true },
				{ temperature: 0, yieldEogToken: true },
			)) {
				return probabilities;
			}
			return undefined;
		});
		decoder.stats.lastComputeEndedAt = performance.now();
		if (probabilities === DECODE_ABORTED) {
			return probabilities;
		}
		if (probabilities === undefined) {
			throw new Error('the model produced no next-token probabilities');
		}
		return healing.choose(probabilities);
	}

	/** Evaluates all of the prompt's tokens but those that go with the first generated token, which it returns. */
	private async evaluateAllButLast(
		sequence: LlamaContextSequence,
		tokens: readonly Token[],
		run: SourceRun,
		background: boolean,
	): Promise<Token[] | undefined> {
		if (this.lastBatchWithFirstToken) {
			return this.evaluateBatches(sequence, tokens, run, background, true);
		}
		const evaluated = await this.evaluateBatches(sequence, tokens.slice(0, -1), run, background, false);
		return evaluated === undefined ? undefined : tokens.slice(-1);
	}

	/**
	 * Evaluates prompt tokens in batches (see PromptChunkSize); with `leaveLast`, all but the last
	 * batch, which it returns for the caller to evaluate with the first generated token (so at least
	 * one token is left). Undefined when the run was cancelled or a batch was aborted.
	 */
	private async evaluateBatches(
		sequence: LlamaContextSequence,
		tokens: readonly Token[],
		run: SourceRun,
		background: boolean,
		leaveLast: boolean,
	): Promise<Token[] | undefined> {
		const { stats } = run;
		let start = 0;
		for (;;) {
			if (run.cancelled) {
				return undefined;
			}
			// One batch is one llama.cpp batch (at most the context's batch size), so that an aborted
			// decode leaves none of its KV entries behind.
			const size = Math.min(this.loaded.context.batchSize, this.chunkSize.next(tokens.length - start, background));
			if (leaveLast ? start + size >= tokens.length : start >= tokens.length) {
				return tokens.slice(start);
			}
			const chunk = tokens.slice(start, start + size);
			const chunkStartedAt = performance.now();
			const done = await abortableDecode(this.decodeAbort, run.signal, () => sequence.evaluateWithoutGeneratingNewTokens(chunk));
			stats.lastComputeEndedAt = performance.now();
			if (done === DECODE_ABORTED) {
				return undefined; // llama.cpp dropped the batch's partial work: none of it is counted or kept
			}
			this.chunkSize.record(chunk.length, stats.lastComputeEndedAt - chunkStartedAt);
			// Counted as it goes: a run cancelled halfway has still spent these.
			stats.evaluatedPromptTokens += chunk.length;
			start += chunk.length;
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
			// llama.cpp shifts the later entries at the start of the next decode, which must not be aborted.
			this.decodeAbort?.shifted();
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

/** Where a document's small first prompts last started is kept apart from its whole prompt's start. */
function smallPromptKey(documentKey: string): string {
	return `${documentKey}\u0000small`;
}

/**
 * Greedy generation, one decode per token, with each token's probability. node-llama-cpp's
 * `evaluateWithMetadata({ confidence: true })` sorts the whole vocabulary for every token to find it
 * (on the bundled model that doubled the time per token: 8 → 22 ms; +8 ms on a 1.5B model with its
 * 152k vocabulary). A greedy token is the most likely one, so its probability is exp(0) divided by
 * the sum of exp(logit − max logit), which llama.cpp sums without sorting (`totalLogitWeight`).
 * EOG tokens are yielded too, for the caller to check. The iteration ends when the caller stops it,
 * nothing is sampled, or the run ended during a decode that DecodeAbort stopped.
 */
async function* greedyTokens(decoder: Decoder, input: readonly Token[]): AsyncGenerator<{ token: Token; confidence: number }> {
	let next: readonly Token[] = input;
	for (;;) {
		const output = await greedyStep(decoder, next);
		if (output === DECODE_ABORTED || output?.token === undefined || output.token === null) {
			return; // nothing sampled: the generation ends, as node-llama-cpp's own loop ends it
		}
		// Without a weight the probability is unknown (NaN), which the confidence summary skips.
		const weight = output.totalLogitWeight ?? 0;
		yield { token: output.token, confidence: weight > 0 ? 1 / weight : Number.NaN };
		next = [output.token];
	}
}

/** A greedy step may also ask for the logits of some tokens (and the greedy one's). */
interface StepRequest {
	logits?: { filter: { tokens: readonly Token[]; includeSelected: boolean } };
}

/** Where a run's decodes go, what stops one in flight, and where the time its compute ended is kept. */
interface Decoder {
	readonly sequence: LlamaContextSequence;
	readonly abort: DecodeAbort | undefined;
	readonly signal: AbortSignal;
	readonly stats: CompletionStats;
}

/**
 * Evaluates `input` in one decode and samples the next token greedily, with llama.cpp's sum of
 * exp(logit − max) over the vocabulary and whatever `extra` asks for; undefined when nothing came
 * out, DECODE_ABORTED when the run ended during the decode and DecodeAbort stopped it.
 */
async function greedyStep(
	{ sequence, abort, signal, stats }: Decoder,
	input: readonly Token[],
	extra: StepRequest = {},
): Promise<ControlledEvaluateIndexOutput['next'] | undefined | typeof DECODE_ABORTED> {
	const last = input.length - 1;
	const items: ControlledEvaluateInputItem[] = input.map((token, index) =>
		index === last ? [token, { generateNext: { ...extra, token: true, totalLogitWeight: true, options: { temperature: 0 } } }] : token,
	);
	const output = await abortableDecode(abort, signal, () => sequence.controlledEvaluate(items));
	stats.lastComputeEndedAt = performance.now();
	return output === DECODE_ABORTED ? output : output[last]?.next;
}

/** Resolves at `time` (performance.now()), or as soon as `signal` aborts. */
function waitUntil(time: number, signal: AbortSignal): Promise<void> {
	const delay = time - performance.now();
	if (delay <= 0 || signal.aborted) {
		return Promise.resolve();
	}
	return new Promise((resolve) => {
		const done = () => {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, delay);
		signal.addEventListener('abort', done, { once: true });
	});
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
