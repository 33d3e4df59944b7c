import assert from 'node:assert/strict';
import { CompletionCache } from '../../src/engine/cache/completionCache.js';

describe('completion cache', function () {
	it('answers an exact context again without the model', function () {
		const cache = new CompletionCache();
		cache.remember('const x = ', ';\n', 'auto|16', 'compute(1)');
		assert.deepEqual(cache.lookup('const x = ', ';\n', 'auto|16'), { text: 'compute(1)', hit: 'exact' });
	});

	it('follows a suggestion through characters the user typed that match it', function () {
		const cache = new CompletionCache();
		cache.remember('const x = ', ';\n', 'auto|16', 'compute(1)');
		assert.deepEqual(cache.lookup('const x = comp', ';\n', 'auto|16'), { text: 'ute(1)', hit: 'type-through' });
		// and keeps following from the new position
		assert.deepEqual(cache.lookup('const x = compute(', ';\n', 'auto|16'), { text: '1)', hit: 'type-through' });
	});

	it('misses when the typed text diverges, the suffix changed, the settings differ, or the suggestion is used up', function () {
		const cache = new CompletionCache();
		cache.remember('const x = ', ';\n', 'auto|16', 'compute(1)');
		assert.equal(cache.lookup('const x = cond', ';\n', 'auto|16'), undefined);
		assert.equal(cache.lookup('const x = ', ');\n', 'auto|16'), undefined);
		assert.equal(cache.lookup('const x = ', ';\n', 'single-line|16'), undefined);
		assert.equal(cache.lookup('const x = compute(1)', ';\n', 'auto|16'), undefined);
	});

	it('treats CRLF and LF documents alike', function () {
		const cache = new CompletionCache();
		cache.remember('a\r\nb = ', '\r\n', 'auto|16', 'c');
		assert.equal(cache.lookup('a\nb = ', '\n', 'auto|16')?.text, 'c');
	});

	it('evicts the least recently used entry beyond its capacity', function () {
		const cache = new CompletionCache(2);
		cache.remember('a', '', 'v', '1');
		cache.remember('b', '', 'v', '2');
		cache.lookup('a', '', 'v');
		cache.remember('c', '', 'v', '3');
		assert.equal(cache.size, 2);
		assert.equal(cache.lookup('b', '', 'v'), undefined, 'b was least recently used');
		assert.equal(cache.lookup('a', '', 'v')?.text, '1');
	});

	it('never stores an empty suggestion', function () {
		const cache = new CompletionCache();
		cache.remember('a', '', 'v', '');
		assert.equal(cache.size, 0);
	});
});
