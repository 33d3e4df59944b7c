/**
 * The model's confidence in a suggestion, from the probabilities of the tokens it generated, and the
 * gate that holds back a suggestion below a threshold (`hearth.inlineCompletion.minConfidence`):
 * small local models write plausible-looking wrong code, and the least sure of it is the cheapest
 * noise to remove.
 */

import type { CompletionConfidence, CompletionResult } from './completionTypes.js';

/** Running mean and minimum of token log-probabilities. */
export class LogProbs {
	private sum = 0;
	private min = 0;
	private count = 0;

	/** Counts one token's natural-log probability (a source without probabilities passes undefined). */
	add(logProb: number | undefined): void {
		if (logProb === undefined || Number.isNaN(logProb)) return;
		this.sum += logProb;
		this.min = this.count === 0 ? logProb : Math.min(this.min, logProb);
		this.count++;
	}

	/** The summary, or undefined when no token had a probability. */
	summary(): CompletionConfidence | undefined {
		return this.count === 0 ? undefined : { meanLogProb: this.sum / this.count, minLogProb: this.min, tokens: this.count };
	}
}

/**
 * The result with its text held back when its least likely token's log-probability is below
 * `minConfidence` (the quality replay measured the minimum to separate wrong suggestions from right
 * ones far better than the mean, which one confident run of tokens lifts):
 * `text` becomes '' and `heldBack` keeps what would have been shown. Results without a suggestion or
 * without probabilities, and every result when no threshold is set, pass unchanged.
 */
export function gateByConfidence(result: CompletionResult, minConfidence: number | undefined): CompletionResult {
	if (minConfidence === undefined || result.text === '' || result.confidence === undefined) return result;
	if (result.confidence.minLogProb >= minConfidence) return result;
	return { ...result, text: '', heldBack: { text: result.text, reason: 'low-confidence' } };
}
