/**
 * How sure a chat model was of its answer, from its own token probabilities (ChatResult.confidence).
 *
 * LlamaChat generates without reporting probabilities, so the answer is scored afterwards: its tokens
 * are evaluated once more after the prompt, in batches, and each position's logits give the model's
 * probability of the token that follows. That costs what evaluating the answer as a prompt costs: on a
 * real model a fraction of generating it token by token (measurements in ChatEngine's doc comment).
 *
 * Each position asks for the logit of the answer's token and of the greedy one plus the softmax
 * denominator (`totalLogitWeight`, the sum of exp(logit − max logit)). The greedy token has the
 * largest logit, so log p(answer token) = logit(answer) − logit(greedy) − ln(totalLogitWeight), exact
 * whether or not the answer took the greedy token (sampled with temperature > 0, or a near tie that
 * the batched evaluation breaks the other way). These are the model's raw probabilities, before any
 * temperature or top-k/top-p the answer was sampled with. Asking for `confidence` instead would sort
 * the whole vocabulary at each position, and `probabilities` would copy it to JavaScript: 7 and 60
 * times slower on Qwen's 152k-token vocabulary (measured on tiny-qwen2-instruct, where the vocabulary
 * is all the work).
 */

import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import { LogProbs } from '../completion/confidence.js';
import type { ChatConfidence } from './chatTypes.js';

/**
 * Mean token log-probability below which a chat answer is called unsure (the editor says so and
 * offers Escalate…). Provisional: no instruction-tuned model reaches these machines to measure it on,
 * so it is the threshold measured for Document This (writeDocComment.ts) until one does.
 */
export const CHAT_UNSURE_BELOW = -0.43;

/**
 * Answer positions scored per evaluation. llama.cpp keeps a logits buffer of outputs × vocabulary
 * floats for the context, sized by the largest evaluation: 32 positions of Qwen's vocabulary are
 * 19 MB, a full 512-token batch would be 311 MB.
 */
const SCORE_CHUNK_TOKENS = 32;

/**
 * The natural-log probability of each of `answer`'s tokens given the prompt and the answer before it.
 * The sequence must hold the prompt but its last token, `lastPromptToken`, and nothing after it;
 * afterwards it holds prompt and answer (so a follow-up turn can reuse them). Returns fewer values
 * when `shouldStop` turns true between batches. The caller makes sure that prompt and answer fit the
 * context: evaluation past its end would shift it.
 */
export async function answerLogProbs(
	sequence: LlamaContextSequence,
	lastPromptToken: Token,
	answer: readonly Token[],
	shouldStop: () => boolean = () => false,
): Promise<number[]> {
	// Position i of the input holds the token before answer[i]; the answer's last token has nothing to score.
	const input = [lastPromptToken, ...answer];
	const logProbs: number[] = [];
	for (let start = 0; start < input.length && !shouldStop(); start += SCORE_CHUNK_TOKENS) {
		const chunk = input.slice(start, start + SCORE_CHUNK_TOKENS);
		const items: ControlledEvaluateInputItem[] = chunk.map((token, offset) => {
			const next = answer[start + offset];
			if (next === undefined) {
				return token;
			}
			return [
				token,
				{
					generateNext: {
						token: true,
						totalLogitWeight: true,
						logits: { filter: { tokens: [next], includeSelected: true } },
						options: { temperature: 0 }, // greedy: the selected token is the one with the largest logit
					},
				},
			];
		});
		const outputs = await sequence.controlledEvaluate(items);
		for (let offset = 0; offset < chunk.length && start + offset < answer.length; offset++) {
			logProbs.push(logProbOf(answer[start + offset]!, outputs[offset]?.next));
		}
	}
	return logProbs;
}

/** NaN where the evaluation returned no logits for the position. */
function logProbOf(
	token: Token,
	next: { token?: Token | null; logits?: Map<Token, number>; totalLogitWeight?: number } | undefined,
): number {
	const greedy = next?.token ?? undefined;
	const maxLogit = greedy === undefined ? undefined : next?.logits?.get(greedy);
	const logit = next?.logits?.get(token);
	if (maxLogit === undefined || logit === undefined || next?.totalLogitWeight === undefined) {
		return NaN;
	}
	return logit - maxLogit - Math.log(next.totalLogitWeight);
}

/** Mean and minimum of the finite values; undefined when there are none. */
export function summarizeLogProbs(logProbs: readonly number[]): ChatConfidence | undefined {
	const summary = new LogProbs();
	for (const logProb of logProbs) {
		summary.add(Number.isFinite(logProb) ? logProb : undefined);
	}
	const result = summary.summary();
	return result && { meanLogProb: result.meanLogProb, minLogProb: result.minLogProb, scoredTokens: result.tokens };
}
