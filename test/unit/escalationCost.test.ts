import assert from 'node:assert/strict';
import { estimateCost, estimateTokens, formatUsdRange } from '../../src/extension/escalation/frontier/costEstimate.js';
import { listPriceOf } from '../../src/extension/escalation/frontier/modelPrices.js';

describe('escalation: token and cost estimates', function () {
	it('over- rather than under-estimates tokens', function () {
		// Token counts as OpenAI's byte-pair tokenizers (cl100k, o200k) split these strings, counted by hand.
		const known: [string, number][] = [
			['hello world', 2],
			['function add(a, b) { return a + b; }', 13],
			['\tif (x !== undefined) {\n\t\treturn x;\n\t}\n', 14],
			['const veryLongIdentifierName = computeSomethingExpensive();', 11],
		];
		for (const [text, tokens] of known) {
			assert.ok(estimateTokens(text) >= tokens, `${JSON.stringify(text)}: estimated ${estimateTokens(text)}, at least ${tokens}`);
			assert.ok(
				estimateTokens(text) <= tokens * 2.5,
				`${JSON.stringify(text)}: estimated ${estimateTokens(text)}, not wildly over ${tokens}`,
			);
		}
		assert.equal(estimateTokens(''), 0);
		assert.ok(estimateTokens('你好世界，这是一个测试') >= 11, 'CJK: about one token per character');
		assert.ok(estimateTokens('x'.repeat(3000)) >= 1000);
		assert.ok(estimateTokens('}}}}}}}}') >= 4, 'punctuation runs');
	});

	it('prices known models by their longest matching prefix, and admits not knowing', function () {
		assert.equal(listPriceOf('gpt-4o-2024-08-06')!.key, 'gpt-4o');
		assert.equal(listPriceOf('gpt-4o-mini')!.key, 'gpt-4o-mini');
		assert.equal(listPriceOf('openai/gpt-4.1-mini')!.key, 'gpt-4.1-mini');
		assert.equal(listPriceOf('O3')!.key, 'o3');
		assert.equal(listPriceOf('o3x'), undefined, 'a prefix ends at a boundary');
		assert.equal(listPriceOf('my-local-llama'), undefined);
		const unknown = estimateCost('my-local-llama', 1000, 2000);
		assert.deepEqual(unknown, { inputTokens: 1000, maxOutputTokens: 2000 });
	});

	it('ranges from a short answer to every allowed output token', function () {
		const estimate = estimateCost('gpt-4o', 10_000, 4_000);
		// gpt-4o: $2.50 in, $10 out per million.
		assert.ok(Math.abs(estimate.usd!.high - (10_000 * 2.5 + 4_000 * 10) / 1e6) < 1e-12);
		assert.ok(Math.abs(estimate.usd!.low - (7_500 * 2.5 + 100 * 10) / 1e6) < 1e-12);
		assert.match(estimate.priceSource!, /built-in list \(gpt-4o, checked \d{4}-\d{2}\)/);
		const override = estimateCost('my-local-llama', 1_000_000, 0, { inputPerMillion: 1, outputPerMillion: 3 });
		assert.deepEqual(override.usd, { low: 0.75, high: 1 });
		assert.equal(override.priceSource, 'your settings');
		assert.equal(
			estimateCost('gpt-4o', 1, 1, { inputPerMillion: Number.NaN, outputPerMillion: 1 }).usd,
			undefined,
			'a broken override prices nothing',
		);
	});

	it('formats small amounts without rounding them to zero', function () {
		assert.equal(formatUsdRange({ low: 0.00123, high: 0.0456 }), '$0.0012 – $0.046');
		assert.equal(formatUsdRange({ low: 0, high: 1.234 }), '$0 – $1.23');
		assert.equal(formatUsdRange({ low: 1e-7, high: 0.5 }), '$0.0000001 – $0.5');
	});
});
