import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import {
	anchoredCut,
	clampContext,
	clampWindow,
	COARSE_PREFIX_CHARS,
	COARSE_STEP_CHARS,
	coarseWindow,
	suffixBudgetEnd,
	tokenBudgetCut,
	tokenCutStepChars,
} from '../../src/engine/prompt/promptWindow.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { LocalTokenSource } from '../../src/engine/runtime/localTokenSource.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

/** A TypeScript file of about `chars` characters whose lines differ (so that tokenisation varies along it). */
function longDocument(chars: number): string {
	let text = '';
	for (let i = 0; text.length < chars; i++) {
		text +=
			i % 7 === 0
				? `\n/** Computes the ${i}th value of the series, rounded. */\n`
				: `export function value${i}(input: number, scale = ${i % 13}): number {\n\treturn Math.round(input * scale + ${i * 17});\n}\n`;
	}
	return text;
}

/** Code typed character by character at the end of the document: words, spaces, brackets and newlines. */
const TYPED =
	'const result = values.map((value, index) => value * weights[index] + offset);\nif (result.length > limit) {\n\treturn result.slice(0, limit);\n}\n';

function typedText(chars: number): string {
	return TYPED.repeat(Math.ceil(chars / TYPED.length)).slice(0, chars);
}

/** The keystrokes at which `starts` changed, with the new value. */
function moves(starts: readonly number[]): { at: number; start: number }[] {
	return starts.flatMap((start, at) => (at > 0 && start !== starts[at - 1] ? [{ at, start }] : []));
}

/** A prompt start is on a step boundary: at a multiple of the step, or at the first line start after one (within `snap`). */
function onStepBoundary(document: string, start: number, step: number, snap: number): boolean {
	const boundary = Math.floor(start / step) * step;
	if (start === boundary) return true;
	return document[start - 1] === '\n' && start - boundary <= snap && !document.slice(boundary, start - 1).includes('\n');
}

describe('prompt window: character cuts anchored to the document', function () {
	it('cuts the prefix at a multiple of the step counted from the document, whatever window it was handed', function () {
		const document = 'x'.repeat(100_000);
		const cursor = 70_123;
		const limits = { maxPrefixChars: 24_000, maxSuffixChars: 8_000, prefixCutStepChars: 4_000 };
		const starts = [0, 4_096, 12_288, 40_000, 45_000].map((windowStart) => {
			const window = { prefix: document.slice(windowStart, cursor), suffix: '', prefixOffset: windowStart };
			return clampWindow(window, limits).prefixOffset;
		});
		assert.deepEqual(starts, [48_000, 48_000, 48_000, 48_000, 48_000]);
		// A window that already starts after the cut is left whole.
		assert.equal(
			clampWindow({ prefix: document.slice(60_000, cursor), suffix: '', prefixOffset: 60_000 }, limits).prefixOffset,
			60_000,
		);
	});

	it('the server coarse window starts at a multiple of its step and holds the engine window and one step besides', function () {
		const document = longDocument(80_000);
		for (const cursor of [0, 100, 31_999, 32_000, 36_097, 50_000, 79_999]) {
			const window = coarseWindow(document, cursor);
			assert.equal(window.prefixOffset % COARSE_STEP_CHARS, 0);
			assert.equal(window.prefixOffset + window.prefix.length, cursor);
			assert.ok(window.prefix.length <= COARSE_PREFIX_CHARS);
			// The engine's window (24,000 characters, at most one step of 4,000 more) always cuts inside it.
			assert.ok(
				cursor - window.prefixOffset >= Math.min(cursor, COARSE_PREFIX_CHARS - COARSE_STEP_CHARS + 1),
				`${window.prefix.length} at ${cursor}`,
			);
			assert.equal(window.suffix, document.slice(cursor, cursor + 8_000));
		}
	});

	it('typing at the end of a long document moves the far edge once per step, at its boundaries', function () {
		let document = longDocument(60_000);
		const limits = { maxPrefixChars: 24_000, maxSuffixChars: 8_000, prefixCutStepChars: 4_000 };
		const starts: number[] = [];
		const minimal: number[] = [];
		for (const character of typedText(10_000)) {
			document += character;
			const window = clampWindow(coarseWindow(document, document.length), limits);
			starts.push(window.prefixOffset);
			minimal.push(anchoredCut(document.length - limits.maxPrefixChars, limits.prefixCutStepChars));
		}
		const moved = moves(starts);
		// 10,000 characters typed cross two or three boundaries of 4,000: the edge moves exactly then.
		assert.ok(moved.length >= 2 && moved.length <= 3, `moved ${moved.length} times`);
		assert.deepEqual(
			moved.map((move) => move.at),
			moves(minimal).map((move) => move.at),
		);
		for (const move of moved) {
			assert.ok(onStepBoundary(document, move.start, 4_000, 12_000), `start ${move.start}`);
		}
		for (let i = 1; i < moved.length; i++) {
			assert.equal(moved[i]!.at - moved[i - 1]!.at, 4_000);
		}
	});

	it('keeps the existing cut properties: line boundaries, surrogate pairs, CRLF', function () {
		assert.equal(clampContext('ab\ncdefghij', '', { maxPrefixChars: 9, maxSuffixChars: 0 }).prefix, 'cdefghij');
		// The cut at document offset 4 (a multiple of the step) would split the pair: it starts after it.
		assert.equal(
			clampContext('a😀bcd', '', { maxPrefixChars: 4, maxSuffixChars: 0, prefixCutStepChars: 2, prefixOffset: 2 }).prefix,
			'bcd',
		);
		assert.equal(suffixBudgetEnd('abc\r\ndef', 4), 5);
		assert.equal(suffixBudgetEnd('x'.repeat(300) + '😀cd', 301), 300);
		assert.equal(suffixBudgetEnd('line one\nline two', 12), 9);
		assert.equal(suffixBudgetEnd('short', 10), 5);
	});

	it('the token budget cut lands on a document step boundary, near a line start, and holds still against jitter', function () {
		const document = longDocument(20_000);
		const budget = 400;
		const step = tokenCutStepChars(budget);
		for (const windowStart of [0, 1_000, 3_333]) {
			const prefix = document.slice(windowStart);
			const cut = windowStart + tokenBudgetCut(prefix, windowStart, 1_500, budget);
			assert.ok(onStepBoundary(document, cut, step, 200), `cut at ${cut}`);
			assert.ok(cut >= document.length - 1_500 && cut < document.length - 1_500 + step + 200);
		}
		assert.equal(tokenBudgetCut('short', 10, 5, budget), 0);
		// What fits came back by a few characters (a word's tokens merged): the previous start stays.
		const before = tokenBudgetCut(document, 0, 1_500, budget);
		const wider = tokenBudgetCut(document, 0, 1_500 + step, budget);
		assert.ok(wider < before);
		assert.equal(tokenBudgetCut(document, 0, 1_500 + step, budget, before), before);
		// Deleting more than a step brings the text back.
		assert.ok(tokenBudgetCut(document, 0, 1_500 + 3 * step, budget, before) < before);
	});
});

describe('prompt window: typing through the server window, the engine window and the tokenizer', function () {
	let loaded: LoadedModel;

	before(async function () {
		loaded = await loadModel({ modelPath: await ensureTestModel('tiny-fim'), contextSize: 1024, gpu: 'off', logger: silentLogger });
	});

	after(async function () {
		await loaded?.dispose();
	});

	it("the prompt's first token stays put for a whole step of typing and moves only at step boundaries", function () {
		const source = new LocalTokenSource(loaded);
		const contextBudget = 256;
		let document = longDocument(45_000);
		const starts: number[] = [];
		const step = tokenCutStepChars(
			source.prompt({ ...coarseWindow(document, document.length), contextBudget, maxTokens: 8, fixedLength: false }).prefixBudget,
		);
		const typed = typedText(4 * step);
		for (const character of typed) {
			document += character;
			// What the server sends (coarse window), what the pipeline cuts (character window), what the source tokenises.
			const server = coarseWindow(document, document.length);
			const window = clampWindow(server, source.window);
			assert.ok(window.prefixOffset > server.prefixOffset, 'the engine window cuts inside the server window');
			const prompt = source.prompt({
				...window,
				documentKey: 'file:///long.ts',
				contextBudget,
				maxTokens: 8,
				fixedLength: false,
			});
			assert.ok(prompt.tokens.length <= contextBudget, `${prompt.tokens.length} prompt tokens`);
			starts.push(prompt.prefixStart);
		}
		const moved = moves(starts);
		assert.ok(moved.length >= 2, `moved ${moved.length} times in ${typed.length} keystrokes`);
		assert.ok(moved.length <= 5, `moved ${moved.length} times in ${typed.length} keystrokes of ${step}-character steps`);
		for (let i = 0; i < moved.length; i++) {
			const move = moved[i]!;
			assert.ok(move.start > starts[move.at - 1]!, 'typing never moves the start back');
			assert.ok(onStepBoundary(document, move.start, step, 200), `start ${move.start} is not on a ${step}-character step`);
			if (i > 0) {
				const kept = move.at - moved[i - 1]!.at;
				assert.ok(kept >= step * 0.75, `the start held for only ${kept} keystrokes of a ${step}-character step`);
			}
		}
	});

	it('the engine reuses the whole prompt on every keystroke between two moves of the start', async function () {
		const engine = new CompletionEngine(loaded, silentLogger, { keepPromptTokens: true });
		const contextBudget = 256;
		let document = longDocument(45_000);
		const evaluated: number[] = [];
		const firstTokens: string[] = [];
		for (const character of typedText(80)) {
			document += character;
			const window = coarseWindow(document, document.length);
			const result = await engine.complete({
				...window,
				documentKey: 'file:///long.ts',
				contextBudget,
				maxTokens: 1,
				useCache: false,
			});
			evaluated.push(result.stats.evaluatedPromptTokens);
			// The prompt's first 64 tokens (of some 150): typing changes only its end, a moved start all of it.
			firstTokens.push(result.promptTokens!.slice(0, 64).join(','));
		}
		const startMoves = moves(firstTokens.map((tokens) => firstTokens.indexOf(tokens))).length;
		const expensive = evaluated.slice(1).filter((count) => count > 16).length;
		// Most keystrokes evaluate only the typed tokens and the near suffix; only a moved start costs more.
		assert.ok(expensive <= startMoves, `${expensive} expensive keystrokes, ${startMoves} moves of the prompt start`);
		assert.ok(startMoves <= 1, `the prompt start moved ${startMoves} times in 80 keystrokes`);
	});
});
