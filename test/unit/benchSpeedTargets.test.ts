import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cancelToComputeStop, shownWithin, type CancelRequest, type CancelRun } from '../../src/bench/metrics/cancelAndShown.js';
import type { TraceSummary } from '../../src/bench/metrics/summarizeTrace.js';
import { checkTargets, hearthTargets, raceTargets } from '../../src/bench/metrics/targets.js';
import { parseBenchOptions, type BenchOptions } from '../../src/bench/benchOptions.js';
import { compareRace, type RaceSide } from '../../src/bench/race/compareRace.js';
import { raceConfigurations } from '../../src/bench/race/runRace.js';
import { SimulatedEditor } from '../../src/bench/replay/simulatedEditor.js';
import { buildTraces, linesHole } from '../../src/bench/traces/scenarios.js';
import { THINKING_PAUSE_MS, TraceBuilder } from '../../src/bench/traces/traceBuilder.js';
import type { TraceEvent } from '../../src/bench/traces/traceTypes.js';
import { seededRandom } from '../../src/tooling/seededRandom.js';
import { repoRoot } from '../helpers/paths.js';

/** A model's pooled summary with what the targets read; each test overrides one measurement. */
function summary(overrides: {
	evaluatedToNewRatio?: number | null;
	medianRatio?: number | null;
	boundCount?: number;
	typeThrough?: { keystrokes: number; modelCalls: number };
	cancelP95?: number | null;
	cancelCount?: number;
}): TraceSummary {
	return {
		runs: { requests: 40, prefetches: 5, cancelled: 10, smallFirstPrompt: 0 },
		promptTokens: { evaluatedToNewRatio: overrides.evaluatedToNewRatio === undefined ? 1.1 : overrides.evaluatedToNewRatio },
		computeBound: { count: overrides.boundCount ?? 35, medianRatio: overrides.medianRatio === undefined ? 1.1 : overrides.medianRatio },
		typeThrough: overrides.typeThrough ?? { keystrokes: 50, modelCalls: 0 },
		cancelToComputeStopMs: {
			all: { count: overrides.cancelCount ?? 12, p95: overrides.cancelP95 === undefined ? 30 : overrides.cancelP95 },
		},
	} as unknown as TraceSummary;
}

function side(overrides: Partial<RaceSide> = {}): RaceSide {
	return {
		latencyP50Ms: 100,
		latencyP95Ms: 300,
		latencyMeanMs: 150,
		delivered: 40,
		durationMs: 180_000,
		promptTokensEvaluated: 1000,
		cpuSeconds: 10,
		peakRssMiB: 1000,
		coldStartMs: 1000,
		cancelToComputeStopP95Ms: 40,
		cancelledComputations: 10,
		suggestionShownShare: 0.5,
		...overrides,
	};
}

describe('bench targets: each one fails on a failing measurement, and has no verdict without data', function () {
	it('passes a run that meets every target', function () {
		const targets = checkTargets(summary({}), {
			comparison: [compareRace('t', side(), side({ latencyP50Ms: 400, cpuSeconds: 40, coldStartMs: 2000, peakRssMiB: 1500 }))],
		} as never);
		for (const [name, check] of Object.entries(targets)) {
			assert.equal(check.met, true, name);
		}
		assert.equal(Object.keys(targets).length, 8);
	});

	it('evaluated ÷ new above 1.2 fails', function () {
		assert.equal(hearthTargets(summary({ evaluatedToNewRatio: 1.99 })).evaluatedToNew!.met, false);
		assert.equal(hearthTargets(summary({ evaluatedToNewRatio: null })).evaluatedToNew!.met, null);
	});

	it('latency above 1.25 × the compute bound fails', function () {
		assert.equal(hearthTargets(summary({ medianRatio: 1.3 })).latencyToBound!.met, false);
		assert.equal(hearthTargets(summary({ medianRatio: null, boundCount: 0 })).latencyToBound!.met, null);
	});

	it('a model call while typing through fails; no type-through keystrokes is no verdict, not "met"', function () {
		const failing = hearthTargets(summary({ typeThrough: { keystrokes: 40, modelCalls: 2 } })).typeThroughModelCalls!;
		assert.deepEqual([failing.met, failing.measured, failing.count], [false, 2, 40]);
		const empty = hearthTargets(summary({ typeThrough: { keystrokes: 0, modelCalls: 0 } })).typeThroughModelCalls!;
		assert.deepEqual([empty.met, empty.count], [null, 0]);
	});

	it('cancel → compute stop p95 above 50 ms fails; no cancelled run is no verdict', function () {
		const failing = hearthTargets(summary({ cancelP95: 160, cancelCount: 25 })).cancelToComputeStopP95!;
		assert.deepEqual([failing.met, failing.measured, failing.count], [false, 160, 25]);
		assert.equal(hearthTargets(summary({ cancelP95: null, cancelCount: 0 })).cancelToComputeStopP95!.met, null);
	});

	it('latency p50 above a third of llama-server fails, and fewer than 30 answers a side is no verdict', function () {
		const slow = raceTargets([compareRace('t', side({ latencyP50Ms: 200 }), side({ latencyP50Ms: 400 }))]).raceLatencyP50!;
		assert.deepEqual([slow.met, slow.measured, slow.count], [false, 0.5, 40]);
		const few = raceTargets([compareRace('t', side(), side({ latencyP50Ms: 400, delivered: 2 }))]).raceLatencyP50!;
		assert.deepEqual([few.met, few.count], [null, 2]);
		assert.match(few.note!, /fewer than the 30/);
	});

	it("judges the race on its own traces when they were raced, whatever other traces' numbers", function () {
		const raced = [
			compareRace('ts-paused-typing', side(), side({ latencyP50Ms: 400, cpuSeconds: 40 })),
			compareRace('ts-type-suggestions', side({ latencyP50Ms: 300 }), side({ latencyP50Ms: 400, delivered: 5, cpuSeconds: 20 })),
		];
		const own = raceTargets(raced, ['ts-paused-typing', 'ts-thinking-typing']);
		assert.deepEqual([own.raceLatencyP50!.met, own.raceLatencyP50!.count, own.raceCpu!.met], [true, 40, true]);
		const every = raceTargets(raced);
		assert.deepEqual(
			[every.raceLatencyP50!.met, every.raceCpu!.met, every.raceCpu!.measured],
			[true, true, 0.25],
			'over every trace: latency and CPU where 30 answers a side',
		);
		const slowOther = [raced[0]!, compareRace('ts-other', side({ cpuSeconds: 30 }), side({ latencyP50Ms: 400, cpuSeconds: 40 }))];
		assert.deepEqual(
			[raceTargets(slowOther, ['absent']).raceCpu!.met, raceTargets(slowOther, ['absent']).raceCpu!.measured],
			[false, 0.75],
		);
	});

	it('judges latency only where a trace has 30 answers a side, on the worst of those; none is no verdict, with the largest sample', function () {
		const quickTrace = compareRace('ts-paused-typing', side({ latencyP50Ms: 100 }), side({ latencyP50Ms: 4000, delivered: 3 }));
		const slowTrace = compareRace(
			'ts-thinking-typing',
			side({ latencyP50Ms: 1500, delivered: 36 }),
			side({ latencyP50Ms: 4000, delivered: 33 }),
		);
		const judged = raceTargets([quickTrace, slowTrace], ['ts-paused-typing', 'ts-thinking-typing']).raceLatencyP50!;
		assert.deepEqual([judged.met, judged.measured, judged.count], [false, 0.375, 33]);
		const none = raceTargets([quickTrace, compareRace('ts-thinking-typing', side(), side({ delivered: 12 }))]).raceLatencyP50!;
		assert.deepEqual([none.met, none.count], [null, 12]);
		assert.match(none.note!, /fewer than the 30/);
	});

	it('CPU above a third of llama-server fails, on the worst raced trace with 30 answers a side', function () {
		const targets = raceTargets([
			compareRace('a', side({ cpuSeconds: 10 }), side({ cpuSeconds: 40 })),
			compareRace('b', side({ cpuSeconds: 42 }), side({ cpuSeconds: 100 })),
		]);
		assert.deepEqual([targets.raceCpu!.met, targets.raceCpu!.measured, targets.raceCpu!.count], [false, 0.42, 40]);
	});

	it('judges no CPU on a trace where llama-server answered fewer than 30 times: its CPU is the machine, not the work', function () {
		// The paused trace on a 1.5B model: the server computes throughout for one answer.
		const saturated = compareRace(
			'ts-paused-typing',
			side({ cpuSeconds: 183, delivered: 37 }),
			side({ cpuSeconds: 390, delivered: 1 }),
		);
		const keepingUp = compareRace(
			'ts-thinking-typing',
			side({ cpuSeconds: 187, delivered: 39 }),
			side({ cpuSeconds: 1020, delivered: 31 }),
		);
		assert.equal(saturated.target.cpuSeconds, null, 'no per-trace verdict either');
		assert.equal(saturated.ratios.cpuSeconds, 0.469, 'the ratio stays in the comparison');
		const judged = raceTargets([saturated, keepingUp], ['ts-paused-typing', 'ts-thinking-typing']).raceCpu!;
		assert.deepEqual([judged.met, judged.measured, judged.count], [true, 0.183, 31]);
		const failing = raceTargets([
			saturated,
			compareRace('ts-thinking-typing', side({ cpuSeconds: 500 }), side({ cpuSeconds: 1000 })),
		]).raceCpu!;
		assert.deepEqual([failing.met, failing.measured], [false, 0.5]);
		const none = raceTargets([saturated]).raceCpu!;
		assert.deepEqual([none.met, none.count], [null, 1]);
		assert.match(none.note!, /fewer than the 30/);
	});

	it('a cold start slower than llama-server fails', function () {
		assert.equal(raceTargets([compareRace('t', side({ coldStartMs: 29_400 }), side({ coldStartMs: 17_000 }))]).coldStart!.met, false);
	});

	it('a peak RSS above llama-server fails', function () {
		assert.equal(raceTargets([compareRace('t', side({ peakRssMiB: 2111 }), side({ peakRssMiB: 1824 }))]).peakRss!.met, false);
	});

	it('without a race, or with a failed one, there are no race targets; with no raced trace they have no verdict', function () {
		assert.equal(checkTargets(summary({})).raceCpu, undefined);
		assert.equal(checkTargets(summary({}), { error: 'no server' }).raceCpu, undefined);
		for (const check of Object.values(raceTargets([]))) {
			assert.equal(check.met, null);
		}
	});
});

describe('bench metrics: cancel → compute stop and suggestions within 300 ms', function () {
	const run = (overrides: Partial<CancelRun>): CancelRun => ({
		id: 1,
		kind: 'request',
		stopReason: 'cancelled',
		generatedTokens: 0,
		engineAbortedAtMs: 130,
		computeEndedAtMs: 260,
		...overrides,
	});
	const request = (overrides: Partial<CancelRequest>): CancelRequest => ({ issuedAtMs: 0, abortedAtMs: null, runId: null, ...overrides });

	it("measures from the last editor drop of the run's requests to its last computed batch", function () {
		const requests = [
			request({ issuedAtMs: 0, abortedAtMs: 50, runId: 1 }),
			request({ issuedAtMs: 50, abortedAtMs: 100, runId: 1 }),
			request({ issuedAtMs: 100 }),
		];
		const measured = cancelToComputeStop(requests, [run({})]);
		assert.equal(measured.all.count, 1);
		assert.equal(measured.all.p95, 160);
		assert.equal(measured.duringPrompt.count, 1);
		assert.equal(measured.duringGeneration.count, 0);
	});

	it('measures a prefetch from the keystroke that stopped it, counts a run that computed nothing after as 0, skips finished runs', function () {
		const requests = [request({ issuedAtMs: 10 }), request({ issuedAtMs: 500 })];
		const measured = cancelToComputeStop(requests, [
			run({ id: 1, kind: 'prefetch', generatedTokens: 3, engineAbortedAtMs: 505, computeEndedAtMs: 560 }),
			run({ id: 2, engineAbortedAtMs: 600, computeEndedAtMs: 450 }),
			run({ id: 3, stopReason: 'max-tokens', engineAbortedAtMs: null }),
			run({ id: 4, engineAbortedAtMs: 5, computeEndedAtMs: 40 }),
		]);
		assert.equal(measured.all.count, 2);
		assert.equal(measured.duringGeneration.p50, 60);
		assert.equal(measured.duringPrompt.max, 0);
		assert.equal(measured.unattributed, 1);
	});

	it('counts keystrokes that saw a suggestion within 300 ms: typed through, or a non-empty answer that fast', function () {
		const shown = shownWithin([
			{ typedThroughSuggestion: true, delivered: true, textLength: 5, latencyMs: 900 },
			{ typedThroughSuggestion: false, delivered: true, textLength: 5, latencyMs: 250 },
			{ typedThroughSuggestion: false, delivered: true, textLength: 0, latencyMs: 10 },
			{ typedThroughSuggestion: false, delivered: true, textLength: 5, latencyMs: 301 },
			{ typedThroughSuggestion: false, delivered: false, textLength: 5, latencyMs: 100 },
		]);
		assert.deepEqual(shown, { withinMs: 300, keystrokes: 5, sawSuggestion: 2, share: 0.4 });
		assert.equal(shownWithin([]).share, null);
	});
});

describe('bench traces: pauses and typing what the model suggests', function () {
	const original = 'function a() {\n  return 1;\n}\nconst b = [1, 2, 3];\nconst c = b.map((x) => x + 1);\n';

	it('pauses to think at line ends when asked, and never without pauses', function () {
		const gaps = (events: { t: number }[]) => events.slice(1).map((event, index) => event.t - events[index]!.t);
		const paused = new TraceBuilder(original, [linesHole(original, 1, 5)], 0, seededRandom(1))
			.retype(0, { pauses: { thinkAtLineEnd: 1, thinkAfterPunctuation: 0, shortAfterPunctuation: 0 } })
			.build();
		const thinking = gaps(paused).filter((gap) => gap >= THINKING_PAUSE_MS[0]);
		assert.equal(thinking.length, 4, 'one per Enter');
		const plain = new TraceBuilder(original, [linesHole(original, 1, 5)], 0, seededRandom(1)).retype(0).build();
		assert.equal(gaps(plain).filter((gap) => gap >= THINKING_PAUSE_MS[0]).length, 0);
	});

	it('types shown ghost text with type-shown keys, and refuses holes after the text the model typed', function () {
		const holes = [linesHole(original, 2, 2), linesHole(original, 4, 4)];
		const builder = new TraceBuilder(original, holes, 1, seededRandom(2));
		builder.retype(1, {}, 6).typeShown(3).moveTo(0).retype(0, {}, 3).typeShown(2);
		const events = builder.build();
		assert.equal(events.filter((event) => event.kind === 'type-shown').length, 5);
		assert.throws(
			() => new TraceBuilder(original, holes, 0, seededRandom(2)).retype(0, {}, 2).typeShown(1).moveTo(1),
			/type holes from the last/,
		);
	});

	it("the race's paused traces have at least 30 thinking pauses on the same keys, and the type-through trace types suggestions at six places", function () {
		const directory = path.join(repoRoot, 'test', 'fixtures', 'traces');
		const traces = buildTraces((file) => fs.readFileSync(path.join(directory, file), 'utf8'));
		const pausesOf = (name: string, atLeastMs: number) => {
			const events = traces.find((trace) => trace.name === name)!.events;
			return { events, long: events.slice(1).filter((event, index) => event.t - events[index]!.t >= atLeastMs) };
		};
		const paused = pausesOf('ts-paused-typing', THINKING_PAUSE_MS[0]);
		assert.ok(paused.long.length >= 30, `${paused.long.length} thinking pauses`);
		const thinking = pausesOf('ts-thinking-typing', 7000);
		assert.equal(thinking.long.length, paused.long.length, 'every thinking pause lasts 7 s or more');
		const keys = (events: readonly TraceEvent[]) => events.map(({ t: _t, ...event }) => event);
		assert.deepEqual(keys(thinking.events), keys(paused.events));
		const typing = traces.find((trace) => trace.name === 'ts-type-suggestions')!;
		assert.equal(typing.events.filter((event) => event.kind === 'move').length, 5);
		assert.ok(typing.events.filter((event) => event.kind === 'type-shown').length >= 60);
	});

	it('the simulated editor types the next character of the ghost text, waits for one when none is shown, and counts a miss', async function () {
		const editor = new SimulatedEditor('ab', { line: 0, character: 2 }, () => performance.now(), 5_000);
		editor.shown = 'cde';
		const typed = await editor.apply({ t: 0, kind: 'type-shown' }, undefined, () => {});
		assert.deepEqual(typed, { textChanged: true, typedThrough: true });
		assert.equal(editor.state.text, 'abc');
		assert.equal(editor.shown, 'de');
		editor.shown = undefined;
		// Nothing shown: it waits for the live request, whose answer puts ghost text on screen.
		const answer = new Promise<void>((resolve) => setImmediate(() => ((editor.shown = 'xy'), resolve())));
		const waited = await editor.apply({ t: 0, kind: 'type-shown' }, answer, () => {});
		assert.deepEqual(waited, { textChanged: true, typedThrough: true });
		assert.equal(editor.state.text, 'abcx');
		editor.shown = undefined;
		const missed = await editor.apply({ t: 0, kind: 'type-shown' }, Promise.resolve(), () => {});
		assert.deepEqual(missed, { textChanged: false, typedThrough: false });
		assert.deepEqual({ count: editor.typedShown.count, missed: editor.typedShown.missed }, { count: 3, missed: 1 });
	});
});

describe('bench race: llama-server as users run it', function () {
	it("runs llama.vscode's launch flags for every model, and --spm-infill only as a separate, labelled run for SPM models", function () {
		const psm = raceConfigurations(false);
		assert.deepEqual(
			psm.map((configuration) => configuration.label),
			['as-users-run-it'],
		);
		assert.deepEqual([psm[0]!.contextSize, psm[0]!.parallel, psm[0]!.spmInfill], [0, undefined, false]);
		const spm = raceConfigurations(true);
		assert.deepEqual(
			spm.map((configuration) => [configuration.label, configuration.spmInfill]),
			[
				['as-users-run-it', false],
				['spm-infill', true],
			],
		);
	});
});

describe('bench options: the bundled model, the legacy engine and the race configurations', function () {
	const parse = (argv: string[]) => parseBenchOptions(argv, {}) as BenchOptions;

	it('races the bundled model by name, besides the shapes', function () {
		const options = parse(['--models', 'bundled,1.5b,1.5b-spm']);
		assert.deepEqual(
			options.models.map((model) => model.label),
			['bundled', '1.5b', '1.5b-spm'],
		);
		const bundled = options.models[0]!;
		assert.ok('path' in bundled && bundled.path.endsWith(path.join('models', 'starter', 'hearth-starter-gpu-base.Q8_0.gguf')));
		assert.ok(fs.existsSync((bundled as { path: string }).path));
		assert.equal(parse(['--models', 'starter']).models[0]!.label, 'bundled');
	});

	it('takes --engine legacy or no-decode-abort and --race-configurations, and refuses unknown values', function () {
		assert.equal(parse([]).legacyEngine, false);
		assert.equal(parse(['--engine', 'legacy']).legacyEngine, true);
		assert.equal(parse([]).decodeAbort, true);
		assert.equal(parse(['--engine', 'legacy']).decodeAbort, false);
		assert.equal(parse(['--engine', 'no-decode-abort']).decodeAbort, false);
		assert.equal(parse(['--engine', 'no-decode-abort']).legacyEngine, false);
		assert.deepEqual(parse(['--race-configurations', 'as-users-run-it']).raceConfigurations, ['as-users-run-it']);
		assert.equal(parse([]).raceConfigurations, undefined);
		assert.throws(() => parse(['--engine', 'old']), /--engine must be current, legacy or no-decode-abort/);
		assert.throws(() => parse(['--race-configurations', 'tuned']), /Unknown race configuration tuned/);
	});
});
