/**
 * Token healing at the cursor. A prompt that ends inside a token the model would have written
 * differently (a bare newline whose indentation is not typed yet, half an identifier) pushes the
 * model off the text it learned: in training, `\n` is never followed by an indented line, because
 * the indentation is merged into the newline's token. So the prompt is backed off its last token
 * (promptTokens.ts) and the first generated token is the likeliest one that re-spells that text, which
 * lets the model choose the token it would have used. The re-spelled part is never shown.
 */

import type { LlamaModel, Token } from 'node-llama-cpp';

/** Each token's text on its own, computed once per model (about 0.1 s for 49,152 tokens). */
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

export class TokenHealing {
	private constructor(
		/** The text taken off the prompt's end, which the first generated tokens re-spell. */
		readonly healText: string,
		private readonly model: LlamaModel,
		private readonly vocabulary: readonly string[],
	) {}

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
	 * so there is always one; its probability is the one the model gave it.
	 */
	choose(probabilities: ReadonlyMap<Token, number>): { token: Token; probability: number } {
		let best: { token: Token; probability: number } | undefined;
		for (const [token, probability] of probabilities) {
			if ((best === undefined || probability > best.probability) && (this.vocabulary[token] ?? '').startsWith(this.healText)) {
				best = { token, probability };
			}
		}
		return best ?? { token: this.model.tokenize(this.healText, false, 'trimLeadingSpace')[0]!, probability: Number.MIN_VALUE };
	}

	/** What the user sees of the generated text: everything after the re-spelled part. */
	visible(generated: string): string {
		return generated.startsWith(this.healText) ? generated.slice(this.healText.length) : '';
	}
}
