import assert from 'node:assert/strict';
import { jaccard, RecentChunks, selectExtraContext, similarChunks, wordsOf } from '../../src/engine/context/index.js';

const FUNCTION_LINES = Array.from({ length: 40 }, (_, i) => `export function handler${i}(request: Request) { return respond(request, ${i}); }`);

function clock(step: number): () => number {
	let time = 0;
	return () => (time += step);
}

describe('extra context: recent chunks', function () {
	it('keeps the lines around an edit, and one chunk for repeated edits of the same place', function () {
		const recent = new RecentChunks(4);
		const text = FUNCTION_LINES.join('\n');
		recent.recordEdit('a.ts', text, 20);
		recent.recordEdit('a.ts', text, 22);
		assert.equal(recent.chunks().length, 1);
		assert.equal(recent.chunks()[0]!.startLine, 14);
		assert.ok(recent.chunks()[0]!.text.includes('handler22'));
		recent.recordEdit('b.ts', text, 20);
		assert.deepEqual(recent.chunks().map((chunk) => chunk.path), ['b.ts', 'a.ts']);
	});

	it('is bounded, forgets closed files, and ignores blank chunks', function () {
		const recent = new RecentChunks(3);
		for (let i = 0; i < 5; i++) {
			recent.recordCopy(`f${i}.ts`, `const value${i} = computeSomethingUseful(${i});`);
		}
		assert.deepEqual(recent.chunks().map((chunk) => chunk.path), ['f4.ts', 'f3.ts', 'f2.ts']);
		recent.forget('f3.ts');
		assert.deepEqual(recent.chunks().map((chunk) => chunk.path), ['f4.ts', 'f2.ts']);
		recent.recordView('g.ts', '\n   \n\t\n', 0);
		assert.equal(recent.chunks().length, 2);
	});

	it('reads a window of a document at its real line numbers', function () {
		const recent = new RecentChunks();
		recent.recordEdit('a.ts', FUNCTION_LINES.slice(100 - 100, 17).join('\n'), 108, 100);
		assert.equal(recent.chunks()[0]!.startLine, 100);
	});
});

describe('extra context: similar chunks', function () {
	it('scores by shared identifiers', function () {
		assert.equal(jaccard(wordsOf('fetchUser userId'), wordsOf('fetchUser userId')), 1);
		assert.equal(jaccard(wordsOf('alpha beta'), wordsOf('gamma delta')), 0);
		assert.equal(jaccard(new Set(), new Set()), 0);
	});

	it('picks the similar window over a dissimilar one', function () {
		const related = { path: 'users.ts', text: 'async function loadUser(userId) {\n\tconst user = await database.findUser(userId);\n\treturn user;\n}' };
		const unrelated = { path: 'colors.ts', text: 'const palette = ["red", "green", "blue"];\nexport default palette;' };
		const { chunks } = similarChunks('const user = await database.findUser(userId)', [unrelated, related], { deadline: Infinity, limit: 1 });
		assert.equal(chunks[0]?.path, 'users.ts');
	});

	it('stops at its deadline and skips huge or binary documents', function () {
		const documents = Array.from({ length: 50 }, (_, i) => ({ path: `d${i}.ts`, text: FUNCTION_LINES.join('\n') }));
		const now = clock(1);
		const timed = similarChunks('respond request handler', documents, { deadline: 10, now, limit: 100 });
		assert.equal(timed.timedOut, true);
		assert.ok(timed.chunks.length < 50 * 2);
		const skipped = similarChunks('respond request', [{ path: 'big.ts', text: 'respond request\n'.repeat(100_000) }, { path: 'bin', text: 'respond\u0000request' }], { deadline: Infinity, limit: 5 });
		assert.deepEqual(skipped, { chunks: [], timedOut: false });
	});
});

describe('extra context: selection', function () {
	const recent = new RecentChunks(8, clock(1));
	recent.recordEdit('old.ts', FUNCTION_LINES.join('\n'), 5);
	recent.recordEdit('newer.ts', FUNCTION_LINES.join('\n').replace(/handler/g, 'route'), 30);
	const input = {
		currentPath: 'current.ts',
		nearCursorText: 'return respond(request, 7)',
		recent: recent.chunks(),
		openDocuments: [
			{ path: 'current.ts', text: FUNCTION_LINES.join('\n') },
			{ path: 'api.ts', text: 'function respond(request: Request, code: number) {\n\treturn new Response(request.body, { status: code });\n}' },
		],
		budgets: { recentChars: 10_000, similarChars: 10_000 },
		timeBudgetMs: 1_000,
	};

	it('orders oldest recent first, then similar code, never the current file, never twice', function () {
		const { chunks } = selectExtraContext(input);
		assert.deepEqual(chunks.map((chunk) => [chunk.path, chunk.source]), [
			['old.ts', 'edited'],
			['newer.ts', 'edited'],
			['api.ts', 'similar'],
		]);
		assert.deepEqual(selectExtraContext(input), { chunks, timedOut: false }, 'the same inputs give the same answer');
	});

	it('keeps each source within its budget', function () {
		const oneChunk = recent.chunks()[0]!.text.length;
		const { chunks } = selectExtraContext({ ...input, budgets: { recentChars: oneChunk, similarChars: 0 } });
		assert.deepEqual(chunks.map((chunk) => chunk.path), ['newer.ts']);
		assert.ok(chunks.reduce((total, chunk) => total + chunk.text.length, 0) <= oneChunk);
	});
});
