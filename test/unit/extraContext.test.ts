import assert from 'node:assert/strict';
import {
	jaccard,
	RecentChunks,
	selectExtraContext,
	similarChunks,
	wordsOf,
	type ExtraContextInput,
	type RecentChunk,
} from '../../src/engine/context/index.js';

const FUNCTION_LINES = Array.from(
	{ length: 40 },
	(_, i) => `export function handler${i}(request: Request) { return respond(request, ${i}); }`,
);
const FUNCTIONS = FUNCTION_LINES.join('\n');

/** A clock that moves `step` on each reading, so a deadline passes after a known number of readings. */
function clock(step: number): { now: () => number; readings: () => number } {
	let time = 0;
	let count = 0;
	return {
		now: () => {
			count++;
			return (time += step);
		},
		readings: () => count,
	};
}

function totalChars(chunks: readonly { text: string }[]): number {
	return chunks.reduce((total, chunk) => total + chunk.text.length, 0);
}

/** Filler code that shares no identifier with the user code below. */
function filler(lines: number, prefix: string): string[] {
	return Array.from({ length: lines }, (_, i) => `const ${prefix}Palette${i} = mixColours(${prefix}Shade${i}, brightness);`);
}

const USER_CODE = [
	'async function loadUser(userId) {',
	'\tconst user = await database.findUser(userId);',
	'\tif (!user) throw new NotFound(userId);',
	'\treturn user;',
	'}',
];

describe('extra context: recent chunks', function () {
	it('keeps the lines around an edit, clipped at the document edges', function () {
		const recent = new RecentChunks();
		recent.recordEdit('top.ts', FUNCTIONS, 2);
		recent.recordEdit('bottom.ts', FUNCTIONS, 38);
		recent.recordEdit('middle.ts', FUNCTIONS, 20);
		const [middle, bottom, top] = recent.chunks();
		assert.deepEqual([top!.startLine, top!.lineCount], [0, 11]);
		assert.deepEqual([bottom!.startLine, bottom!.lineCount], [30, 10]);
		assert.deepEqual([middle!.startLine, middle!.lineCount], [12, 17]);
		assert.equal(middle!.text, FUNCTION_LINES.slice(12, 29).join('\n'));
		assert.equal(middle!.source, 'edited');
	});

	it('replaces an overlapping chunk of the same file and moves it to the front, but keeps distant ones', function () {
		const recent = new RecentChunks();
		recent.recordEdit('a.ts', FUNCTIONS, 20);
		recent.recordEdit('b.ts', FUNCTIONS, 20);
		recent.recordEdit('a.ts', FUNCTIONS, 24);
		assert.deepEqual(
			recent.chunks().map((chunk) => [chunk.path, chunk.startLine]),
			[
				['a.ts', 16],
				['b.ts', 12],
			],
		);
		recent.recordView('b.ts', FUNCTION_LINES.slice(25, 30).join('\n'), 25);
		assert.deepEqual(
			recent.chunks().map((chunk) => [chunk.path, chunk.source]),
			[
				['b.ts', 'viewed'],
				['a.ts', 'edited'],
			],
			'a view over the edit replaces it',
		);
		recent.recordEdit('a.ts', FUNCTIONS, 2);
		assert.deepEqual(
			recent.chunks().map((chunk) => [chunk.path, chunk.startLine]),
			[
				['a.ts', 0],
				['b.ts', 25],
				['a.ts', 16],
			],
		);
	});

	it('is bounded to its capacity, newest first', function () {
		const recent = new RecentChunks(3);
		for (let i = 0; i < 5; i++) {
			recent.recordCopy(`f${i}.ts`, `const value${i} = computeSomethingUseful(${i});`);
		}
		assert.deepEqual(
			recent.chunks().map((chunk) => chunk.path),
			['f4.ts', 'f3.ts', 'f2.ts'],
		);
	});

	it('forgets a closed file', function () {
		const recent = new RecentChunks();
		recent.recordEdit('a.ts', FUNCTIONS, 5);
		recent.recordEdit('b.ts', FUNCTIONS, 5);
		recent.recordEdit('a.ts', FUNCTIONS, 30);
		recent.forget('a.ts');
		assert.deepEqual(
			recent.chunks().map((chunk) => chunk.path),
			['b.ts'],
		);
	});

	it('ignores blank and tiny chunks, caps long lines and long chunks', function () {
		const recent = new RecentChunks();
		recent.recordView('blank.ts', '\n   \n\t\n', 0);
		recent.recordCopy('tiny.ts', 'x = 1;');
		assert.equal(recent.chunks().length, 0);
		recent.recordCopy('long-line.ts', `const data = "${'z'.repeat(5_000)}";`);
		assert.equal(recent.chunks()[0]!.text.length, 240);
		recent.recordView('long.ts', Array.from({ length: 200 }, () => FUNCTION_LINES[0]).join('\n'), 0);
		const long = recent.chunks()[0]!;
		assert.ok(long.text.length <= 2_000 && long.text.length > 1_500, `${long.text.length} characters`);
		assert.ok(long.text.endsWith('}'), 'cut at a whole line');
	});

	it('reads a window of a document at its real line numbers, and stamps chunks with the injected clock', function () {
		const recent = new RecentChunks(16, () => 1234);
		recent.recordEdit('a.ts', FUNCTION_LINES.slice(0, 17).join('\n'), 108, 100);
		assert.equal(recent.chunks()[0]!.startLine, 100);
		assert.equal(recent.chunks()[0]!.at, 1234);
	});

	it('hands out snapshots that later records do not change', function () {
		const recent = new RecentChunks(2);
		recent.recordEdit('a.ts', FUNCTIONS, 5);
		const before = recent.chunks();
		recent.recordEdit('b.ts', FUNCTIONS, 5);
		recent.recordEdit('c.ts', FUNCTIONS, 5);
		recent.forget('a.ts');
		assert.deepEqual(
			before.map((chunk) => chunk.path),
			['a.ts'],
		);
	});
});

describe('extra context: similar chunks', function () {
	it('scores by shared identifiers', function () {
		assert.equal(jaccard(wordsOf('fetchUser userId'), wordsOf('fetchUser userId')), 1);
		assert.equal(jaccard(wordsOf('fetchUser userId other'), wordsOf('fetchUser userId')), 2 / 3);
		assert.equal(jaccard(wordsOf('alpha beta'), wordsOf('gamma delta')), 0);
		assert.equal(jaccard(new Set(), new Set()), 0);
	});

	it('picks the similar document over a dissimilar one', function () {
		const related = { path: 'users.ts', text: USER_CODE.join('\n') };
		const unrelated = { path: 'colors.ts', text: filler(10, 'x').join('\n') };
		const { chunks } = similarChunks('const user = await database.findUser(userId)', [unrelated, related], {
			deadline: Infinity,
			limit: 1,
		});
		assert.deepEqual(
			chunks.map((chunk) => chunk.path),
			['users.ts'],
		);
	});

	it('picks the window of a long document that holds the similar code', function () {
		const lines = [...filler(60, 'a'), ...USER_CODE, ...filler(60, 'b')];
		const { chunks } = similarChunks('const user = await database.findUser(userId)', [{ path: 'mixed.ts', text: lines.join('\n') }], {
			deadline: Infinity,
			limit: 1,
		});
		assert.equal(chunks.length, 1);
		assert.ok(chunks[0]!.text.includes('database.findUser(userId)'));
		assert.equal(chunks[0]!.text.split('\n').length, 32);
	});

	it('stops at its deadline and says so', function () {
		const documents = Array.from({ length: 50 }, (_, i) => ({ path: `d${i}.ts`, text: FUNCTIONS }));
		const untimed = similarChunks('respond request handler', documents, { deadline: Infinity, limit: 1_000 });
		assert.equal(untimed.timedOut, false);
		const time = clock(1);
		const timed = similarChunks('respond request handler', documents, { deadline: 10, now: time.now, limit: 1_000 });
		assert.equal(timed.timedOut, true);
		assert.equal(time.readings(), 10, 'no reading after the deadline passed');
		assert.ok(
			timed.chunks.length > 0 && timed.chunks.length < untimed.chunks.length,
			`${timed.chunks.length} of ${untimed.chunks.length}`,
		);
	});

	it('skips huge and binary documents at no cost', function () {
		const small = { path: 'small.ts', text: 'respond(request)' };
		const huge = { path: 'big.ts', text: 'respond request\n'.repeat(100_000) };
		const binary = { path: 'bin', text: 'respond\u0000request\n'.repeat(100) };
		const alone = clock(1);
		similarChunks('respond request', [small], { deadline: Infinity, now: alone.now, limit: 5 });
		const time = clock(1);
		const result = similarChunks('respond request', [huge, binary, small], { deadline: alone.readings() + 1, now: time.now, limit: 5 });
		assert.deepEqual(
			result.chunks.map((chunk) => chunk.path),
			['small.ts'],
		);
		assert.equal(result.timedOut, false);
		assert.equal(time.readings(), alone.readings(), 'the skipped documents took no time');
	});

	it('cuts long lines, so a minified file makes no huge window', function () {
		const minified = { path: 'bundle.js', text: `var respond=function(request){${'request.x;'.repeat(50_000)}}` };
		const { chunks } = similarChunks('respond request', [minified], { deadline: Infinity, limit: 1 });
		assert.equal(chunks[0]!.text.length, 240);
	});

	it('breaks ties the same way whatever the order of the documents', function () {
		const a = { path: 'a.ts', text: USER_CODE.join('\n') };
		const b = { path: 'b.ts', text: USER_CODE.join('\n') };
		const query = 'database.findUser(userId)';
		const forward = similarChunks(query, [a, b], { deadline: Infinity, limit: 1 });
		const backward = similarChunks(query, [b, a], { deadline: Infinity, limit: 1 });
		assert.deepEqual(forward, backward);
		assert.equal(forward.chunks[0]!.path, 'a.ts');
	});
});

describe('extra context: selection', function () {
	function baseInput(): ExtraContextInput {
		const recent = new RecentChunks(8, clock(1).now);
		recent.recordEdit('old.ts', FUNCTIONS, 5);
		recent.recordEdit('newer.ts', FUNCTIONS.replace(/handler/g, 'route'), 30);
		return {
			currentPath: 'current.ts',
			nearCursorText: 'return respond(request, 7)',
			recent: recent.chunks(),
			openDocuments: [
				{ path: 'current.ts', text: FUNCTIONS },
				{ path: 'colors.ts', text: filler(10, 'x').join('\n') },
				{
					path: 'api.ts',
					text: 'function respond(request: Request, code: number) {\n\treturn new Response(request.body, { status: code });\n}',
				},
			],
			budgets: { recentChars: 10_000, similarChars: 10_000 },
			timeBudgetMs: 1_000,
		};
	}

	it('orders oldest recent first, then similar code, never the current file', function () {
		const { chunks, timedOut } = selectExtraContext(baseInput());
		assert.equal(timedOut, false);
		assert.deepEqual(
			chunks.map((chunk) => [chunk.path, chunk.source]),
			[
				['old.ts', 'edited'],
				['newer.ts', 'edited'],
				['api.ts', 'similar'],
			],
		);
	});

	it('puts the best similar chunk last, nearest the file', function () {
		const best = { path: 'best.ts', text: USER_CODE.join('\n') };
		const second = { path: 'second.ts', text: 'function findUser(userId) {\n\treturn users.get(userId) ?? fallbackAccount;\n}' };
		const { chunks } = selectExtraContext({
			...baseInput(),
			recent: [],
			nearCursorText: 'const user = await database.findUser(userId);',
			openDocuments: [best, second],
		});
		assert.deepEqual(
			chunks.map((chunk) => chunk.path),
			['second.ts', 'best.ts'],
		);
	});

	it('gives the same answer for the same inputs, whatever the order of the open documents', function () {
		const input = baseInput();
		const first = selectExtraContext(input);
		assert.deepEqual(selectExtraContext(input), first);
		assert.deepEqual(selectExtraContext({ ...input, openDocuments: [...input.openDocuments].reverse() }), first);
	});

	it('keeps each source within its budget, trimming a chunk to its middle lines rather than dropping it', function () {
		const input = baseInput();
		const newest = input.recent[0]!.text;
		for (const recentChars of [0, 100, 500, newest.length, newest.length + 10, 3_000]) {
			for (const similarChars of [0, 60, 150, 10_000]) {
				const { chunks } = selectExtraContext({ ...input, budgets: { recentChars, similarChars } });
				const recent = chunks.filter((chunk) => chunk.source !== 'similar');
				const similar = chunks.filter((chunk) => chunk.source === 'similar');
				assert.ok(totalChars(recent) <= recentChars, `recent ${totalChars(recent)} > ${recentChars}`);
				assert.ok(totalChars(similar) <= similarChars, `similar ${totalChars(similar)} > ${similarChars}`);
			}
		}
		const { chunks } = selectExtraContext({ ...input, budgets: { recentChars: 500, similarChars: 0 } });
		assert.equal(chunks.length, 1, 'the rest of the budget is too small for the older chunk');
		assert.equal(chunks[0]!.path, 'newer.ts', 'the newest wins the budget');
		assert.ok(newest.includes(chunks[0]!.text) && chunks[0]!.text.length > 300, 'a contiguous part of it, filling the budget');
		assert.ok(chunks[0]!.text.includes('route30('), 'the edited line is kept');
		const route = FUNCTIONS.replace(/handler/g, 'route').split('\n');
		const fiveLines = route.slice(28, 33).join('\n').length;
		const middle = selectExtraContext({ ...input, budgets: { recentChars: fiveLines, similarChars: 0 } });
		assert.deepEqual(
			middle.chunks.map((chunk) => chunk.text),
			[route.slice(28, 33).join('\n')],
			'lines 28-32 of the edit window 22-38 around line 30',
		);
	});

	it('leaves out recent chunks of the current file near the cursor (stale copies of it) but keeps distant ones', function () {
		const lines = [...FUNCTION_LINES];
		const recent = new RecentChunks();
		recent.recordEdit('current.ts', lines.join('\n'), 5);
		recent.recordEdit('current.ts', lines.join('\n'), 30);
		lines[30] = 'export function handler30(request: Request) { return respondLater(request); }';
		const nearCursorText = lines.slice(24, 37).join('\n');
		const { chunks } = selectExtraContext({
			...baseInput(),
			currentPath: 'current.ts',
			nearCursorText,
			recent: recent.chunks(),
			openDocuments: [],
		});
		assert.deepEqual(
			chunks.map((chunk) => [chunk.path, chunk.text]),
			[['current.ts', FUNCTION_LINES.slice(0, 14).join('\n')]],
		);
	});

	it('puts no text in twice, nor text that is already near the cursor', function () {
		const api = baseInput().openDocuments[2]!;
		const shared = 'const sharedSetting = loadConfiguration("hearth");';
		const recent: RecentChunk[] = [
			{ path: 'api.ts', text: api.text, source: 'viewed', startLine: 0, lineCount: 3, at: 3 },
			{ path: 'copy.ts', text: api.text, source: 'copied', startLine: -1, lineCount: 3, at: 2 },
			{ path: 'other.ts', text: shared, source: 'edited', startLine: 0, lineCount: 1, at: 1 },
			{ path: 'early.ts', text: FUNCTION_LINES.slice(0, 10).join('\n'), source: 'viewed', startLine: 0, lineCount: 10, at: 0 },
			{ path: 'late.ts', text: FUNCTION_LINES.slice(3, 13).join('\n'), source: 'copied', startLine: -1, lineCount: 10, at: 0 },
			{ path: 'half.ts', text: FUNCTION_LINES.slice(6, 16).join('\n'), source: 'copied', startLine: -1, lineCount: 10, at: 0 },
		];
		const { chunks } = selectExtraContext({
			...baseInput(),
			nearCursorText: `respond(request)\n${shared}\n`,
			recent,
			openDocuments: [api],
		});
		assert.deepEqual(
			chunks.map((chunk) => [chunk.path, chunk.source]),
			[
				['half.ts', 'copied'],
				['early.ts', 'viewed'],
				['api.ts', 'viewed'],
			],
			'late.ts mostly repeats early.ts; half.ts repeats less than half',
		);
	});

	it('returns the recent chunks and what it found in time when the search runs out of time', function () {
		const input = baseInput();
		const documents = Array.from({ length: 30 }, (_, i) => ({ path: `d${i}.ts`, text: FUNCTIONS.replace(/handler/g, `h${i}x`) }));
		const { chunks, timedOut } = selectExtraContext({ ...input, openDocuments: documents, now: clock(1).now, timeBudgetMs: 5 });
		assert.equal(timedOut, true);
		assert.deepEqual(
			chunks.filter((chunk) => chunk.source === 'edited').map((chunk) => chunk.path),
			['old.ts', 'newer.ts'],
		);
		const similarPaths = chunks.filter((chunk) => chunk.source === 'similar').map((chunk) => chunk.path);
		assert.ok(similarPaths.length > 0 && similarPaths.every((path) => ['d0.ts', 'd1.ts'].includes(path)), similarPaths.join(', '));
		const none = selectExtraContext({ ...input, now: clock(1).now, timeBudgetMs: 0 });
		assert.equal(none.timedOut, true);
		assert.equal(none.chunks.filter((chunk) => chunk.source === 'similar').length, 0);
	});

	it('treats CRLF text like LF text', function () {
		const settings = ['const sharedSetting = loadConfiguration("hearth");', 'const otherSetting = loadConfiguration("other");'];
		const copied: RecentChunk = {
			path: 'settings.ts',
			text: settings.join('\n'),
			source: 'copied',
			startLine: -1,
			lineCount: 2,
			at: 9,
		};
		const base = baseInput();
		const input = { ...base, nearCursorText: ['return respond(request, 7)', ...settings].join('\n'), recent: [copied, ...base.recent] };
		assert.ok(!selectExtraContext(input).chunks.some((chunk) => chunk.path === 'settings.ts'), 'already near the cursor');
		const crlf = selectExtraContext({
			...input,
			nearCursorText: input.nearCursorText.replace(/\n/g, '\r\n'),
			openDocuments: input.openDocuments.map((document) => ({ ...document, text: document.text.replace(/\n/g, '\r\n') })),
		});
		assert.deepEqual(crlf, selectExtraContext(input));
	});
});
