/**
 * Tokens from the model loaded in this process (node-llama-cpp). Each recent document has its own
 * context sequence, on which the KV state of the longest common prompt prefix is kept between
 * requests (and shifted, not recomputed, when a block near the prompt's start was dropped). The
 * prompt is evaluated in chunks, so a cancellation lands between chunks, and generation stops
 * within one token of it.
 */

import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { CompletionRequest, CompletionStats } from '../completion/completionTypes.js';
import type { SourcePrompt, SourceRun, SourceStep, TokenSource } from '../completion/tokenSource.js';
import { tokenizePrompt, type PromptTokens } from '../prompt/promptTokens.js';
import type { LoadedModel } from './loadModel.js';
import { SequencePool } from './sequencePool.js';

/** Tokens evaluated per batch while filling the prompt, so that an abort lands between chunks. */
const PROMPT_CHUNK_TOKENS = 64;
/** Documents of megabytes are cut to this many characters on each side before tokenising. */
const MAX_PREFIX_CHARS = 24_000;
const MAX_SUFFIX_CHARS = 8_000;
/** The character cut of a huge prefix moves in steps this long (anchored to the document), not with each key. */
const PREFIX_CUT_STEP_CHARS = 4_000;

export class LocalTokenSource implements TokenSource {
	readonly window = { maxPrefixChars: MAX_PREFIX_CHARS, maxSuffixChars: MAX_SUFFIX_CHARS, prefixCutStepChars: PREFIX_CUT_STEP_CHARS };
	private readonly sequences: SequencePool;
	/** Where each document's last prompt started in it, so that the token budget's cut holds still. */
	private readonly promptStarts = new Map<string, number>();
	private readonly stopTokens: ReadonlySet<Token>;
	/** Stop strings that are not control tokens, matched in the generated text. */
	readonly stopTexts: readonly string[];

	constructor(private readonly loaded: LoadedModel) {
		this.sequences = new SequencePool(loaded.sequences);
		const stops = classifyStopStrings(loaded.model, loaded.promptTemplate.stopStrings);
		this.stopTokens = stops.tokens;
		this.stopTexts = stops.texts;
	}

	/** A quarter of the context at most, so that a long prompt still leaves room to generate. */
	tokenLimit(request: CompletionRequest): number {
		return Math.max(1, Math.min(request.maxTokens, Math.floor(this.loaded.context.contextSize / 4)));
	}

	forgetDocument(documentKey: string): void {
		this.sequences.release(documentKey);
		this.promptStarts.delete(documentKey);
	}

	/** The prompt's tokens for a window of a document, within the context's budget. */
	prompt(prompt: SourcePrompt): PromptTokens {
		const { model, context, promptTemplate } = this.loaded;
		const key = prompt.documentKey ?? '';
		const budget = Math.min(prompt.contextBudget ?? Infinity, context.contextSize - prompt.maxTokens - 1);
		const tokens = tokenizePrompt(model, promptTemplate, { ...prompt, previousPrefixStart: this.promptStarts.get(key) }, budget);
		this.promptStarts.set(key, tokens.prefixStart);
		return tokens;
	}

	async *generate(prompt: SourcePrompt, run: SourceRun): AsyncGenerator<SourceStep> {
		const { model, context } = this.loaded;
		const { stats } = run;
		const sequence = this.sequences.acquire(prompt.documentKey ?? '');
		const tokens = this.prompt(prompt).tokens;
		run.promptTokens = tokens;
		stats.promptTokens = tokens.length;

		const remaining = await this.reuseCachedPrefix(sequence, tokens, stats);
		// All but the last prompt token are evaluated in chunks; the last one goes with generation.
		for (let start = 0; start < remaining.length - 1; start += PROMPT_CHUNK_TOKENS) {
			if (run.cancelled) {
				stats.promptMs = performance.now() - run.startedAt;
				return;
			}
			const chunk = remaining.slice(start, Math.min(start + PROMPT_CHUNK_TOKENS, remaining.length - 1));
			await sequence.evaluateWithoutGeneratingNewTokens(chunk);
			// Counted as it goes: a run cancelled halfway has still spent these.
			stats.evaluatedPromptTokens += chunk.length;
		}
		stats.promptMs = performance.now() - run.startedAt;
		if (run.cancelled) {
			return;
		}
		// The prompt's last token is evaluated with the first generation step.
		stats.evaluatedPromptTokens++;

		const generated: Token[] = [];
		const text = () => model.detokenize(generated);
		for await (const token of sequence.evaluate(remaining.slice(-1), { temperature: 0 })) {
			if (run.cancelled) {
				stats.tokensAfterAbort++;
				return;
			}
			if (!prompt.fixedLength && (model.isEogToken(token) || this.stopTokens.has(token))) {
				yield { kind: 'stop-token' };
				return;
			}
			generated.push(token);
			yield { kind: 'token', text };
			if (sequence.nextTokenIndex >= context.contextSize - 1) {
				yield { kind: 'finish', reason: 'context-full' };
				return;
			}
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
