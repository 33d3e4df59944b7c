import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

const PREFIX = 'export function area(width: number, height: number): number {\n\treturn wid';
/** A long suffix, as in the middle of a real file. */
const SUFFIX =
	';\n}\n\n' + Array.from({ length: 20 }, (_, i) => `export const constant${i} = ${i} * Math.PI; // a line below the cursor`).join('\n');

async function keystrokeCost(
	preset: 'tiny-fim' | 'tiny-starcoder1' | 'tiny-deepseek-coder',
): Promise<{ order: string; family: string; evaluated: number; suffixTokens: number }> {
	const loaded = await loadModel({ modelPath: await ensureTestModel(preset), contextSize: 1024, gpu: 'off', logger: silentLogger });
	const engine = new CompletionEngine(loaded, silentLogger);
	try {
		// Token healing off: it backs both prompts off to the same text ("wid" and "width" are each one
		// token), which would hide what the layout itself costs per keystroke.
		const quality = { tokenHealing: false };
		await engine.complete({ prefix: PREFIX, suffix: SUFFIX, filePath: 'src/area.ts', maxTokens: 4, useCache: false, quality });
		const next = await engine.complete({
			quality,
			prefix: PREFIX + 'th',
			suffix: SUFFIX,
			filePath: 'src/area.ts',
			maxTokens: 4,
			useCache: false,
		});
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

	it('with a prefix-suffix-middle-only family, only the near suffix is evaluated again; the far part moved ahead', async function () {
		const cost = await keystrokeCost('tiny-fim');
		assert.equal(cost.order, 'psm');
		assert.equal(cost.family, 'starcoder2');
		// "th", the re-tokenised last word, the two lines after the cursor (";\n}\n") and two markers;
		// the twenty lines below sit ahead of the FIM part, where typing does not move them.
		assert.ok(cost.suffixTokens > 200, `the suffix is ${cost.suffixTokens} tokens`);
		assert.ok(cost.evaluated <= 10, `evaluated ${cost.evaluated} prompt tokens for a 2-character keystroke`);
	});

	it('a family without a multi-file format keeps the whole suffix in the FIM part (and pays for it)', async function () {
		const cost = await keystrokeCost('tiny-deepseek-coder');
		assert.equal(cost.order, 'psm');
		assert.ok(cost.evaluated > 100, `evaluated ${cost.evaluated} (suffix: ${cost.suffixTokens} tokens before clamping)`);
	});

	it('when the far edge of the prefix moves on, the rest of the prompt is shifted in the KV cache, not recomputed', async function () {
		const loaded = await loadModel({
			modelPath: await ensureTestModel('tiny-fim'),
			contextSize: 2048,
			gpu: 'off',
			logger: silentLogger,
		});
		const engine = new CompletionEngine(loaded, silentLogger);
		try {
			const lines = Array.from({ length: 60 }, (_, i) => `export const constant${i} = ${i} * Math.PI;`);
			const prefix = lines.join('\n') + '\nexport function area(width: number) {\n\treturn wid';
			await engine.complete({ prefix, suffix: SUFFIX, maxTokens: 4, useCache: false });
			// What a moved window edge looks like to the engine: the first lines are gone, the rest is the same.
			const cut = prefix.slice(lines.slice(0, 8).join('\n').length + 1);
			const next = await engine.complete({ prefix: cut, suffix: SUFFIX, maxTokens: 4, useCache: false });
			assert.ok((next.stats.shiftedPromptTokens ?? 0) > 128, `shifted ${next.stats.shiftedPromptTokens}`);
			assert.ok(next.stats.evaluatedPromptTokens <= 4, `evaluated ${next.stats.evaluatedPromptTokens} of ${next.stats.promptTokens}`);
			// A change near the cursor is never approximated: typing re-evaluates from the change.
			const typed = await engine.complete({ prefix: cut + 'th', suffix: SUFFIX, maxTokens: 4, useCache: false });
			assert.equal(typed.stats.shiftedPromptTokens, undefined);
		} finally {
			await engine.dispose();
		}
	});
});
