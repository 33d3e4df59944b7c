import assert from 'node:assert/strict';
import { catalogForRole, kvBytesPerToken, MODEL_CATALOG } from '../../src/shared/modelCatalog.js';

/** The catalog's memory figures: the fit check adds context × kvBytesPerToken to each file's size. */
describe('model catalog: KV cache bytes per token', function () {
	it('gives every entry the figure its architecture implies (layers × KV heads × head dim × 2 × 2 bytes)', function () {
		for (const entry of MODEL_CATALOG) {
			const { layers, kvHeads, headDim } = entry.architecture;
			assert.ok(layers > 0 && kvHeads > 0 && headDim > 0, `${entry.id}: positive architecture figures`);
			assert.equal(entry.kvBytesPerToken, layers * kvHeads * headDim * 4, entry.id);
			assert.equal(kvBytesPerToken(entry.architecture), entry.kvBytesPerToken, entry.id);
		}
	});

	it('matches the published figures of two models with different attention layouts', function () {
		const byId = new Map(MODEL_CATALOG.map((entry) => [entry.id, entry]));
		// Qwen2.5-Coder 1.5B: 28 layers, 2 KV heads (GQA), head dim 128 → 28 KiB per token.
		assert.equal(byId.get('qwen2.5-coder-1.5b-base-q8')?.kvBytesPerToken, 28 * 1024);
		// DeepSeek-Coder 1.3B has no GQA (16 KV heads): 192 KiB per token, the most per parameter here.
		assert.equal(byId.get('deepseek-coder-1.3b-base-q4km')?.kvBytesPerToken, 192 * 1024);
	});

	it('gives a base and an instruct model of the same size the same cache', function () {
		for (const instruct of MODEL_CATALOG.filter((entry) => entry.id.includes('-instruct-'))) {
			const base = MODEL_CATALOG.find((entry) => entry.id === instruct.id.replace(/-instruct-.*$/, '-base-q8'));
			assert.ok(base, `a base model for ${instruct.id}`);
			assert.equal(instruct.kvBytesPerToken, base.kvBytesPerToken, instruct.id);
		}
	});

	it('lists only instruct models for the chat role', function () {
		const chat = catalogForRole('chat');
		assert.ok(chat.length > 0);
		assert.ok(
			chat.every((entry) => /instruct/i.test(entry.label)),
			JSON.stringify(chat.map((entry) => entry.label)),
		);
	});
});
