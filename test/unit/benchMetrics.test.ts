import assert from 'node:assert/strict';
import { boundRatio, computeBoundMs, secondsPerGeneratedToken } from '../../src/bench/metrics/computeBound.js';
import { distribution, percentile } from '../../src/bench/metrics/percentile.js';
import { requestRows, runRows } from '../../src/bench/metrics/requestRows.js';
import { combineReplays, summarizeTrace } from '../../src/bench/metrics/summarizeTrace.js';
import { commonPrefixLength, newTokenCount } from '../../src/bench/metrics/tokenDiff.js';
import type { ReplayResult, RequestRecord, RunRecord } from '../../src/bench/replay/replayTrace.js';
import type { Token } from 'node-llama-cpp';
import { idleStats, type CompletionResult } from '../../src/engine/completion/completionTypes.js';

describe('bench: percentiles', function () {
	it('interpolates linearly between closest ranks (numpy default)', function () {
		const samples = [4, 1, 3, 2, 5];
		assert.equal(percentile(samples, 50), 3);
		assert.equal(percentile(samples, 0), 1);
		assert.equal(percentile(samples, 100), 5);
		assert.equal(percentile(samples, 25), 2);
		assert.equal(percentile([10, 20], 95), 19.5);
		assert.ok(Math.abs(percentile([10, 20, 30, 40], 99)! - 39.7) < 1e-9);
	});

	it('has no value for no samples, and rejects a percentile outside 0-100', function () {
		assert.equal(percentile([], 50), undefined);
		assert.throws(() => percentile([1], 101), RangeError);
		assert.deepEqual(distribution([]), { count: 0, p50: null, p95: null, p99: null, max: null, mean: null });
	});

	it('summarises a distribution, rounded to a tenth', function () {
		assert.deepEqual(distribution([1, 2, 3, 4]), { count: 4, p50: 2.5, p95: 3.9, p99: 4, max: 4, mean: 2.5 });
	});
});

describe('bench: new tokens between two prompts', function () {
	it('counts the common prefix', function () {
		assert.equal(commonPrefixLength([1, 2, 3], [1, 2, 4, 5]), 2);
		assert.equal(commonPrefixLength([], [1]), 0);
	});

	it('counts only inserted tokens, however far the rest shifted', function () {
		// A keystroke in the prefix of a prefix-suffix-middle prompt: one token changes, the suffix shifts.
		assert.equal(newTokenCount([1, 2, 3, 9, 9, 9, 9], [1, 2, 4, 9, 9, 9, 9]), 1);
		assert.equal(newTokenCount([1, 2, 3, 9, 9, 9, 9], [1, 2, 3, 5, 6, 9, 9, 9, 9]), 2);
		assert.equal(newTokenCount([1, 2, 3], [1, 2, 3]), 0);
		assert.equal(newTokenCount([1, 2, 3], [1, 3]), 0, 'a deletion adds nothing');
		assert.equal(newTokenCount([], [1, 2]), 2);
		// The window slid: a line fell off the front, a token was typed at the end.
		assert.equal(newTokenCount([7, 7, 1, 2, 3, 4], [1, 2, 3, 4, 5]), 1);
		assert.equal(newTokenCount([1, 2, 3], [4, 5, 6]), 3);
	});

	it('agrees with a dynamic-programming LCS on random arrays', function () {
		let seed = 1;
		const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
		for (let round = 0; round < 200; round++) {
			const a = Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * 4));
			const b = Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * 4));
			assert.equal(newTokenCount(a, b), b.length - lcsLength(a, b), `${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
		}
	});
});

describe('bench: the compute bound', function () {
	const speeds = { promptTokensPerSecond: 100, generationTokensPerSecond: 20 };

	it('adds new-prompt time and generation time at the measured speeds', function () {
		assert.equal(computeBoundMs(50, 16, speeds), 500 + 800);
		assert.equal(computeBoundMs(0, 0, speeds), 0);
		assert.throws(() => computeBoundMs(1, 1, { promptTokensPerSecond: 0, generationTokensPerSecond: 20 }), RangeError);
	});

	it('takes each generated token at the speed for its depth, linear between the shallow and the deep calibration', function () {
		// 20 tokens/s at 271 tokens of context, 16 tokens/s at 1,551: 50 ms a token, then 62.5 ms.
		const deep = { ...speeds, deepGeneration: { shallowDepthTokens: 271, depthTokens: 1551, tokensPerSecond: 16 } };
		assert.equal(secondsPerGeneratedToken(deep, 271), 0.05);
		assert.equal(secondsPerGeneratedToken(deep, 1551), 0.0625);
		assert.ok(Math.abs(secondsPerGeneratedToken(deep, 911) - 0.05625) < 1e-12);
		// Below the shallow point the cost does not fall under the faster speed.
		assert.equal(secondsPerGeneratedToken(deep, 0), 0.05);
		// A 1,543-token prompt and 16 tokens: mean depth 1,551.
		assert.equal(computeBoundMs(0, 16, deep, 1543), 1000);
		assert.equal(computeBoundMs(0, 16, speeds, 1543), 800);
		// Noise that made the deep run faster: never below the faster speed, never a slope below it.
		const noisy = { ...speeds, deepGeneration: { shallowDepthTokens: 271, depthTokens: 1551, tokensPerSecond: 25 } };
		assert.equal(secondsPerGeneratedToken(noisy, 5000), 0.04);
	});

	it('is a ratio only where there was something to compute', function () {
		assert.equal(boundRatio(2600, 1300), 2);
		assert.equal(boundRatio(3, 0), undefined);
	});
});

describe('bench: request rows and the trace summary', function () {
	const speeds = { promptTokensPerSecond: 100, generationTokensPerSecond: 20 };

	function stats(overrides: Partial<CompletionResult['stats']>): CompletionResult['stats'] {
		return idleStats(overrides);
	}

	const runs: RunRecord[] = [
		// the warm-up's run: an empty KV cache
		{
			id: 1,
			kind: 'request',
			promptTokens: tokens(1, 2, 3, 9, 9, 9),
			evaluatedPromptTokens: 6,
			reusedPromptTokens: 0,
			generatedTokens: 16,
			tokensAfterAbort: 0,
			stopReason: 'max-tokens',
			totalMs: 0,
		},
		// dropped by the next key while the model evaluated its prompt
		{
			id: 2,
			kind: 'request',
			promptTokens: tokens(1, 2, 3, 4, 9, 9, 9),
			evaluatedPromptTokens: 2,
			reusedPromptTokens: 3,
			generatedTokens: 0,
			tokensAfterAbort: 0,
			stopReason: 'cancelled',
			totalMs: 0,
		},
		// answered: the model re-evaluated the shifted suffix
		{
			id: 3,
			kind: 'request',
			promptTokens: tokens(1, 2, 3, 4, 5, 9, 9, 9),
			evaluatedPromptTokens: 4,
			reusedPromptTokens: 4,
			generatedTokens: 16,
			tokensAfterAbort: 1,
			stopReason: 'max-tokens',
			firstTokenMs: 900,
			totalMs: 1700,
		},
		// a prefetch after the answer was shown
		{
			id: 4,
			kind: 'prefetch',
			promptTokens: tokens(1, 2, 3, 4, 5, 7, 9, 9, 9),
			evaluatedPromptTokens: 4,
			reusedPromptTokens: 5,
			generatedTokens: 16,
			tokensAfterAbort: 0,
			stopReason: 'max-tokens',
			totalMs: 0,
		},
	];
	const warmUp: RequestRecord = {
		index: -1,
		eventIndex: -1,
		eventKind: 'type',
		issuedAt: 0,
		settledAt: 5000,
		source: 'model',
		runId: 1,
		result: {
			stopReason: 'max-tokens',
			textLength: 10,
			stats: stats({ promptTokens: 6, evaluatedPromptTokens: 6, generatedTokens: 16 }),
		},
	};
	const records: RequestRecord[] = [
		{
			index: 0,
			eventIndex: 0,
			eventKind: 'type',
			issuedAt: 100,
			abortedAt: 250,
			settledAt: 250,
			source: 'model',
			runId: 2,
			result: { stopReason: 'cancelled', textLength: 0, stats: stats({}) },
		},
		{
			index: 1,
			eventIndex: 1,
			eventKind: 'type',
			issuedAt: 250,
			settledAt: 2250,
			source: 'model',
			runId: 3,
			result: {
				stopReason: 'max-tokens',
				textLength: 12,
				stats: stats({ promptTokens: 8, reusedPromptTokens: 4, evaluatedPromptTokens: 4, generatedTokens: 16, queuedMs: 150 }),
			},
		},
		// answered from the suggestion cache, while typing through the ghost text
		{
			index: 2,
			eventIndex: 2,
			eventKind: 'type',
			issuedAt: 3000,
			settledAt: 3001,
			typedThroughSuggestion: true,
			source: 'cache',
			result: { stopReason: 'cached', textLength: 5, stats: stats({ cacheHit: 'type-through' }) },
		},
		// a newer key came during the adaptive wait: the model was never asked
		{
			index: 3,
			eventIndex: 4,
			eventKind: 'type',
			issuedAt: 3500,
			abortedAt: 3600,
			settledAt: 3600,
			source: 'skipped',
			result: { stopReason: 'cancelled', textLength: 0, stats: stats({}) },
		},
	];

	it("counts each run's new tokens against the run before it", function () {
		const rows = runRows(runs);
		assert.deepEqual(
			rows.map((row) => [row.id, row.newPromptTokens, row.prefixReuseMinimum]),
			[
				[1, 6, 6],
				[2, 1, 4],
				[3, 1, 4],
				[4, 1, 4],
			],
		);
		assert.equal(runRows(runs.slice(1), runs[0]!.promptTokens)[0]!.newPromptTokens, 1);
	});

	it('compares a small-first-prompt run with the previous such run, and the whole prompt with the previous whole one', function () {
		const run = (id: number, promptTokens: readonly number[], smallFirstPrompt = false): RunRecord => ({
			id,
			kind: smallFirstPrompt ? 'request' : 'prefetch',
			promptTokens,
			evaluatedPromptTokens: 0,
			reusedPromptTokens: 0,
			generatedTokens: 16,
			tokensAfterAbort: 0,
			stopReason: 'max-tokens',
			totalMs: 0,
			...(smallFirstPrompt ? { smallFirstPrompt: true } : {}),
		});
		const rows = runRows([
			run(1, tokens(7, 8, 9), true),
			run(2, tokens(1, 2, 3, 4, 5, 7, 8, 9)),
			run(3, tokens(7, 8, 9, 10), true),
			run(4, tokens(1, 2, 3, 4, 5, 7, 8, 9, 10)),
		]);
		assert.deepEqual(
			rows.map((row) => [row.id, row.smallFirstPrompt, row.newPromptTokens, row.prefixReuseMinimum]),
			[
				[1, true, 3, 3],
				[2, false, 8, 8],
				[3, true, 1, 1],
				[4, false, 1, 1],
			],
		);
	});

	it('classifies requests and bounds a model answer by its own run', function () {
		const byId = new Map(runRows(runs).map((run) => [run.id, run]));
		const rows = requestRows(records, byId, speeds);
		assert.deepEqual(
			rows.map((row) => [row.outcome, row.source, row.runId]),
			[
				['cancelled', 'model', 2],
				['delivered', 'model', 3],
				['delivered', 'cache', null],
				['cancelled', 'skipped', null],
			],
		);
		assert.equal(rows[0]!.cancelLatencyMs, 0);
		assert.equal(rows[1]!.latencyMs, 2000);
		// 1 new token at 100/s + 16 generated at 20/s = 810 ms
		assert.equal(rows[1]!.boundMs, 810);
		assert.equal(rows[1]!.boundRatio, 2.47);
		assert.equal(rows[2]!.boundMs, null);
	});

	it('summarises a trace', function () {
		const replay: ReplayResult = {
			trace: 'synthetic',
			events: 5,
			requests: records,
			runs,
			warmUp,
			eventLagMs: [1, 2, 3],
			accepts: { count: 0, missed: 0, waitedMs: 0 },
			typedShown: { count: 0, missed: 0, waitedMs: 0 },
			durationMs: 4000,
			cpuMicros: { user: 3_000_000, system: 500_000 },
			loadAverage: { atStart: 0.5, atEnd: 1 },
		};
		const allRuns = runRows(runs);
		const byId = new Map(allRuns.map((run) => [run.id, run]));
		const summary = summarizeTrace({
			replay,
			requests: requestRows(records, byId, speeds),
			runs: allRuns.slice(1),
			warmUp: { request: requestRows([warmUp], byId, speeds)[0]!, run: allRuns[0] },
			speeds,
		});
		assert.equal(summary.requests, 4);
		assert.equal(summary.modelCallsPerKeystroke, 0.4);
		assert.deepEqual(summary.runs, { requests: 2, prefetches: 1, cancelled: 1, smallFirstPrompt: 0 });
		assert.deepEqual(summary.sources, { model: 2, cache: 1, skipped: 1 });
		assert.deepEqual(summary.typeThrough, { keystrokes: 1, modelCalls: 0 });
		assert.deepEqual(summary.outcomes, { delivered: 2, deliveredEmpty: 0, cancelled: 2, errors: 0 });
		assert.equal(summary.latencyMs.count, 2);
		assert.equal(summary.modelLatencyMs.p50, 2000);
		assert.deepEqual(summary.cacheHits, { exact: 0, typeThrough: 1 });
		// (2 + 4 + 4) evaluated for (1 + 1 + 1) new
		assert.equal(summary.promptTokens.evaluatedToNewRatio, 3.33);
		assert.equal(summary.promptTokens.evaluatedInCancelledRuns, 2);
		assert.deepEqual(summary.tokensAfterAbort, { total: 1, max: 1 });
		assert.equal(summary.cpuSecondsPer100Keystrokes, 70);
		assert.deepEqual(summary.computeBound, { count: 1, p50Ms: 810, medianRatio: 2.47, p95Ratio: 2.47 });
		// 2000 ms: 300 before its run started, 900 to the first token, 800 for the other 15
		assert.deepEqual(summary.latencyBreakdownMs, { count: 1, beforeRun: 300, toFirstToken: 900, afterFirstToken: 800, bound: 810 });
		assert.deepEqual(summary.stopReasons, { 'max-tokens': 1 });
		// cold: 6 new tokens at 100/s + 16 at 20/s = 860 ms, for 5000 ms measured
		assert.equal(summary.coldStart?.boundMs, 860);
		assert.equal(summary.coldStart?.latencyMs, 5000);
	});

	it("pools several traces into one for the model's overall numbers", function () {
		const replay = (name: string, events: number, load: number): ReplayResult => ({
			trace: name,
			events,
			requests: [],
			runs: [],
			eventLagMs: [events],
			accepts: { count: 1, missed: 0, waitedMs: 10 },
			typedShown: { count: 0, missed: 0, waitedMs: 0 },
			durationMs: 1000,
			cpuMicros: { user: 1000, system: 10 },
			loadAverage: { atStart: load, atEnd: load + 1 },
		});
		const combined = combineReplays('all', [replay('a', 3, 1), replay('b', 4, 5)]);
		assert.equal(combined.events, 7);
		assert.deepEqual(combined.eventLagMs, [3, 4]);
		assert.deepEqual(combined.accepts, { count: 2, missed: 0, waitedMs: 20 });
		assert.deepEqual(combined.cpuMicros, { user: 2000, system: 20 });
		assert.deepEqual(combined.loadAverage, { atStart: 1, atEnd: 6 });
	});
});

/** Token ids are branded numbers in node-llama-cpp's types. */
function tokens(...ids: number[]): Token[] {
	return ids as Token[];
}

function lcsLength(a: readonly number[], b: readonly number[]): number {
	const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			table[i]![j] = a[i - 1] === b[j - 1] ? table[i - 1]![j - 1]! + 1 : Math.max(table[i - 1]![j]!, table[i]![j - 1]!);
		}
	}
	return table[a.length]![b.length]!;
}
