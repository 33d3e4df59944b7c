import assert from 'node:assert/strict';
import { SHORT_NAME_LENGTH, shortModelName } from '../../src/extension/statusText.js';

/** The status bar item's model name: short enough to stay compact, still telling models apart. */
describe('status bar: the short model name', function () {
	it('drops the "Hearth " prefix, a .gguf ending and a quantisation suffix', function () {
		assert.equal(shortModelName('Hearth Starter gpu-base'), 'Starter gpu-base');
		assert.equal(shortModelName('tiny-fim.Q8_0'), 'tiny-fim');
		assert.equal(shortModelName('codegemma-2b-f16.gguf'), 'codegemma-2b');
		assert.equal(shortModelName('Qwen2.5-Coder 1.5B'), 'Qwen2.5-Coder 1.5B');
	});

	it(`cuts a long name to ${SHORT_NAME_LENGTH} characters with an ellipsis`, function () {
		const short = shortModelName('qwen2.5-coder-1.5b-instruct-q8_0.gguf');
		assert.equal(short, 'qwen2.5-coder-1.5b-…');
		assert.equal(short.length, SHORT_NAME_LENGTH);
	});

	it('keeps a name that would otherwise be empty', function () {
		assert.equal(shortModelName('Hearth'), 'Hearth');
	});
});
