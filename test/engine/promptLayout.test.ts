import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/engine/testModels/ensureModel.js';

const PREFIX = 'export function area(width: number, height: number): number {\n\treturn wid';
/** A long suffix, as in the middle of a real file. */
const SUFFIX = ';\n}\n\n' + Array.from({ length: 20 }, (_, i) => `export const constant${i} = ${i} * Math.PI; // a line below the cursor`).join('\n');

async function keystrokeCost(preset: 'tiny-fim' | 'tiny-starcoder1'): Promise<{ order: string; family: string; evaluated: number; suffixTokens: number }> {
	const loaded = await loadModel({ modelPath: await ensureTestModel(preset), contextSize: 1024, gpu: 'off', logger: silentLogger });
	const engine = new CompletionEngine(loaded, silentLogger);
	try {
		await engine.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 4, useCache: false });
		const next = await engine.complete({ prefix: PREFIX + 'th', suffix: SUFFIX, maxTokens: 4, useCache: false });
		return {
			order: engine.info.fimOrder,
			family: engine.info.fimFamily,
			evaluated: next.stats.evaluatedPromptTokens,
			suffixTokens: loaded.model.tokenize(SUFFIX, false).length,
		};
	} finally {
		await engine.dispose();
	}
}

describe('engine: prompt layout and the KV cache while typing', function () {
	it('with a suffix-prefix-middle family, a keystroke evaluates only the newly typed tokens', async function () {
		const cost = await keystrokeCost('tiny-starcoder1');
		assert.equal(cost.family, 'starcoder');
		assert.equal(cost.order, 'spm');
		// "th" plus at most a re-tokenised last word of the prefix; the suffix is not touched.
		assert.ok(cost.evaluated <= 4, `evaluated ${cost.evaluated} prompt tokens for a 2-character keystroke`);
	});

	it('with a prefix-suffix-middle-only family, the suffix after the cursor is evaluated again', async function () {
		const cost = await keystrokeCost('tiny-fim');
		assert.equal(cost.order, 'psm');
		// The suffix is clamped to a quarter of the prompt budget, and all of what was kept is evaluated again.
		assert.ok(cost.evaluated > 100, `evaluated ${cost.evaluated} (suffix: ${cost.suffixTokens} tokens before clamping)`);
	});
});
