/**
 * Token healing at the cursor. A prompt that ends inside a token the model would have written
 * differently (a bare newline whose indentation is not typed yet, half an identifier) pushes the
 * model off the text it learned: in training, `\n` is never followed by an indented line, because
 * the indentation is merged into the newline's token. So the prompt is backed off its last token
 * (promptTokens.ts) and the first generated token is the likeliest one that re-spells that text, which
 * lets the model choose the token it would have used. The re-spelled part is never shown.
 */

import type { LlamaModel, Token } from 'node-llama-cpp';

/**
 * Each token's text on its own, computed once per model (41-52 ms for the bundled model's 49,152
 * tokens here): when the model is set up for completions (TokenHealing.prepare), not on the first keystroke.
 */
const vocabularies = new WeakMap<LlamaModel, readonly string[]>();

function vocabularyOf(model: LlamaModel): readonly string[] | undefined {
	let vocabulary = vocabularies.get(model);
	if (vocabulary === undefined) {
		const size = (model.fileInfo.metadata.tokenizer as { ggml?: { tokens?: unknown } } | undefined)?.ggml?.tokens;
		if (!Array.isArray(size) || size.length === 0) {
			return undefined;
		}
		vocabulary = Array.from({ length: size.length }, (_, token) => model.detokenize([token as Token], false));
		vocabularies.set(model, vocabulary);
	}
	return vocabulary;
}

/**
 * At most this many tokens re-spelling a healed text are asked for by their logits (so are 76–79 %
 * of the keystrokes of the bench's typing trace); more go through the full probabilities. llama.cpp's
 * filter looks each vocabulary token up in the list, which stays cheap at this size (a few ms on a
 * 152k vocabulary), where the full list is sorted and copied into a Map (~60 ms).
 */
export const MAX_FILTERED_CANDIDATES = 512;
/** Candidate lists kept per model, by healed text (typing revisits the same word ends). */
const MAX_CACHED_CANDIDATE_LISTS = 256;
const candidateLists = new WeakMap<LlamaModel, Map<string, readonly Token[] | null>>();

export class TokenHealing {
	private constructor(
		/** The text taken off the prompt's end, which the first generated tokens re-spell. */
		readonly healText: string,
		private readonly model: LlamaModel,
		private readonly vocabulary: readonly string[],
	) {}

	/**
	 * Computes the model's token texts now, while it is being set up, so that the first suggestion
	 * after a model loads does not wait for them (it did: 41-52 ms of the bundled model's first answer here).
	 */
	static prepare(model: LlamaModel): void {
		vocabularyOf(model);
	}

	/** Whether the model's token texts are computed already. */
	static prepared(model: LlamaModel): boolean {
		return vocabularies.has(model);
	}

	/** Healing for a prompt backed off `healText`, or undefined when there is nothing to heal or no vocabulary to do it with. */
	static for(model: LlamaModel, healText: string): TokenHealing | undefined {
		if (healText === '') {
			return undefined;
		}
		const vocabulary = vocabularyOf(model);
		return vocabulary === undefined ? undefined : new TokenHealing(healText, model, vocabulary);
	}

	/**
	 * The likeliest next token that re-spells the whole healed text at once (its text starts with it),
	 * from the model's next-token probabilities. The token the prompt was backed off always qualifies,
	 * so there is always one; its probability is the one the model gave it. node-llama-cpp hands the
	 * probabilities most likely first, so the first token that qualifies is the answer (going through
	 * all 152k of a Qwen vocabulary took ~20 ms a request).
	 */
	choose(probabilities: ReadonlyMap<Token, number>): { token: Token; probability: number } {
		let best: { token: Token; probability: number } | undefined;
		for (const [token, probability] of probabilities) {
			if (best !== undefined && probability < best.probability) {
				break; // most likely first: nothing after this can beat it
			}
			if ((best === undefined || probability > best.probability) && (this.vocabulary[token] ?? '').startsWith(this.healText)) {
				best = { token, probability };
			}
		}
		return best ?? this.fallback();
	}

	/** The token the prompt was backed off, should no probability or logit name a qualifying token. */
	private fallback(): { token: Token; probability: number } {
		return { token: this.model.tokenize(this.healText, false, 'trimLeadingSpace')[0]!, probability: Number.MIN_VALUE };
	}

	/**
	 * The tokens that re-spell the whole healed text at once, when there are at most
	 * MAX_FILTERED_CANDIDATES of them (undefined otherwise).
	 */
	candidates(): readonly Token[] | undefined {
		let lists = candidateLists.get(this.model);
		if (lists === undefined) {
			lists = new Map();
			candidateLists.set(this.model, lists);
		}
		let list = lists.get(this.healText);
		if (list === undefined) {
			const found: Token[] = [];
			for (let token = 0; token < this.vocabulary.length && found.length <= MAX_FILTERED_CANDIDATES; token++) {
				if (this.vocabulary[token]!.startsWith(this.healText)) {
					found.push(token as Token);
				}
			}
			list = found.length > 0 && found.length <= MAX_FILTERED_CANDIDATES ? found : null;
			if (lists.size >= MAX_CACHED_CANDIDATE_LISTS) {
				lists.delete(lists.keys().next().value!);
			}
		} else {
			lists.delete(this.healText); // most recently used last
		}
		lists.set(this.healText, list);
		return list ?? undefined;
	}

	/**
	 * The likeliest qualifying token from the logits of a greedy step: `greedy` is the most likely
	 * token overall (its logit is the maximum), `logits` holds those of `candidates()` and the greedy
	 * token's, and `totalLogitWeight` is the sum of exp(logit − maximum) over the vocabulary.
	 */
	chooseFromLogits(greedy: Token, logits: ReadonlyMap<Token, number>, totalLogitWeight: number): { token: Token; probability: number } {
		const maxLogit = logits.get(greedy);
		let best: { token: Token; logit: number } | undefined;
		for (const [token, logit] of logits) {
			if ((best === undefined || logit > best.logit) && (this.vocabulary[token] ?? '').startsWith(this.healText)) {
				best = { token, logit };
			}
		}
		if (best === undefined || maxLogit === undefined || !(totalLogitWeight > 0)) {
			return this.fallback();
		}
		return { token: best.token, probability: Math.exp(best.logit - maxLogit) / totalLogitWeight };
	}

	/** What the user sees of the generated text: everything after the re-spelled part. */
	visible(generated: string): string {
		return generated.startsWith(this.healText) ? generated.slice(this.healText.length) : '';
	}
}
