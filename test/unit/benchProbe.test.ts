import assert from 'node:assert/strict';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { SequenceProbe } from '../../src/bench/replay/sequenceProbe.js';

/** Just enough of a context sequence for the probe: what the engine calls, recorded. */
class FakeSequence {
	readonly calls: string[] = [];
	nextTokenIndex = 0;
	closed = false;

	compareContextTokens(tokens: Token[]) {
		this.calls.push(`compare ${tokens.length}`);
		return { firstDifferentIndex: 0 };
	}

	async evaluateWithoutGeneratingNewTokens(tokens: Token[]) {
		this.calls.push(`prompt ${tokens.length}`);
		this.nextTokenIndex += tokens.length;
	}

	async *evaluate(tokens: Token[]): AsyncGenerator<Token, void, void | Token | Token[]> {
		this.calls.push(`evaluate ${tokens.length}`);
		try {
			for (let token = 100; ; token++) {
				yield token as Token;
			}
		} finally {
			this.closed = true;
		}
	}
}

describe('bench: the sequence probe', function () {
	it('records each run\'s prompt and counts evaluated and decoded tokens, forwarding every call', async function () {
		const fake = new FakeSequence();
		const probe = new SequenceProbe(fake as unknown as LlamaContextSequence);
		const sequence = probe.sequence;

		sequence.compareContextTokens([1, 2, 3, 4, 5] as Token[]);
		await sequence.evaluateWithoutGeneratingNewTokens([2, 3, 4] as Token[]);
		const generated: Token[] = [];
		for await (const token of sequence.evaluate([5] as Token[])) {
			generated.push(token);
			if (generated.length === 3) {
				break;
			}
		}

		assert.deepEqual(fake.calls, ['compare 5', 'prompt 3', 'evaluate 1']);
		assert.equal(fake.closed, true, 'breaking out of the loop closes the real generator (it holds the sequence lock)');
		assert.equal(sequence.nextTokenIndex, 3, 'other properties read through');
		assert.deepEqual(generated, [100, 101, 102]);
		const run = probe.claimNextRun();
		assert.deepEqual(run && { prompt: run.promptTokens, evaluated: run.evaluatedPromptTokens, decoded: run.decodedTokens }, { prompt: [1, 2, 3, 4, 5], evaluated: 4, decoded: 3 });
		assert.equal(probe.claimNextRun(), undefined);
	});
});
