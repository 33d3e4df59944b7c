import assert from 'node:assert/strict';
import { gateByConfidence, LogProbs } from '../../src/engine/completion/confidence.js';
import { idleStats, type CompletionResult } from '../../src/engine/completion/completionTypes.js';

/** A result whose least likely token has `minLogProb` (its mean `meanLogProb`, by default well above it). */
const result = (text: string, minLogProb?: number, meanLogProb = (minLogProb ?? 0) / 4): CompletionResult => ({
	text,
	rawText: text,
	stopReason: 'post-process',
	stats: idleStats(),
	...(minLogProb !== undefined ? { confidence: { meanLogProb, minLogProb, tokens: 3 } } : {}),
});

describe('confidence: token log-probabilities and the gate', () => {
	it('LogProbs keeps the mean and the minimum, skipping tokens without a probability', () => {
		const probs = new LogProbs();
		assert.equal(probs.summary(), undefined);
		probs.add(Math.log(0.5));
		probs.add(undefined);
		probs.add(Math.log(0.125));
		const summary = probs.summary()!;
		assert.equal(summary.tokens, 2);
		assert.ok(Math.abs(summary.meanLogProb - Math.log(0.25)) < 1e-12);
		assert.equal(summary.minLogProb, Math.log(0.125));
	});

	it('judges by the least likely token, not the mean: one guessed token holds a suggestion back', () => {
		assert.equal(gateByConfidence(result('return x', Math.log(0.1), Math.log(0.9)), Math.log(0.2)).text, '');
		assert.equal(gateByConfidence(result('return x', Math.log(0.3), Math.log(0.3)), Math.log(0.2)).text, 'return x');
	});

	it('holds back a suggestion below the threshold, keeping what would have been shown', () => {
		const gated = gateByConfidence(result('return x', Math.log(0.1)), Math.log(0.2));
		assert.equal(gated.text, '');
		assert.deepEqual(gated.heldBack, { text: 'return x', reason: 'low-confidence' });
		assert.equal(gated.confidence?.tokens, 3);
	});

	it('passes a suggestion at or above the threshold, an empty one, one without probabilities, and every one without a threshold', () => {
		assert.equal(gateByConfidence(result('a', Math.log(0.2)), Math.log(0.2)).text, 'a');
		assert.equal(gateByConfidence(result('', Math.log(0.01)), Math.log(0.2)).heldBack, undefined);
		assert.equal(gateByConfidence(result('a'), Math.log(0.2)).text, 'a');
		assert.equal(gateByConfidence(result('a', Math.log(0.01)), undefined).text, 'a');
	});
});
