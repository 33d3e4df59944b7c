import assert from 'node:assert/strict';
import { CompletionReadout, percentile } from '../../src/extension/completionReadout.js';
import type { CompletionReport } from '../../src/shared/protocol.js';

/** A finished model run; each test overrides what it is about. */
function run(overrides: Partial<CompletionReport> = {}): CompletionReport {
	return {
		uri: 'file:///a.ts',
		source: 'model',
		stopReason: 'max-tokens',
		cancelled: false,
		suggestionLength: 40,
		promptTokens: 100,
		reusedPromptTokens: 90,
		evaluatedPromptTokens: 10,
		generatedTokens: 16,
		tokensAfterCancel: 0,
		promptMs: 50,
		firstTokenMs: 60,
		totalMs: 450,
		...overrides,
	};
}

const cached = (hit: string) =>
	run({
		source: 'cache',
		stopReason: 'cached',
		cacheHit: hit,
		promptTokens: 0,
		reusedPromptTokens: 0,
		evaluatedPromptTokens: 0,
		generatedTokens: 0,
		promptMs: 0,
		totalMs: 0,
	});
const dropped = () =>
	run({
		source: 'skipped',
		stopReason: 'superseded-before-start',
		cancelled: true,
		promptTokens: 0,
		reusedPromptTokens: 0,
		evaluatedPromptTokens: 0,
		generatedTokens: 0,
		promptMs: 0,
		totalMs: 0,
	});
const cancelled = () => run({ stopReason: 'cancelled', cancelled: true, totalMs: 5, promptMs: 4, generatedTokens: 1 });

function assertFinite(lines: string[]): void {
	for (const line of lines) {
		assert.doesNotMatch(line, /NaN|Infinity|undefined/, line);
	}
}

describe('completion readout', function () {
	it('says so when nothing was recorded', function () {
		const readout = new CompletionReadout();
		assert.deepEqual(readout.lines(), ['No completions yet.']);
		const summary = readout.summary();
		assert.equal(summary.medianMs, undefined);
		assert.equal(summary.generationTokensPerSecond, undefined);
		assert.equal(summary.reusedPromptShare, undefined);
	});

	it('keeps only the last runs for latency, oldest dropped first', function () {
		const readout = new CompletionReadout(3);
		for (const totalMs of [1000, 2000, 100, 200, 300]) {
			readout.record(run({ totalMs }));
		}
		const summary = readout.summary();
		assert.equal(summary.answeredRuns, 3);
		assert.equal(summary.medianMs, 200);
		assert.equal(summary.last?.totalMs, 300);
	});

	it('takes the median and p90 by interpolation, as the bench does', function () {
		assert.equal(percentile([400, 100, 300, 200], 50), 250);
		assert.equal(percentile([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100], 90), 1000);
		assert.equal(percentile([42], 90), 42);
		assert.equal(percentile([], 50), undefined);
	});

	it('measures generation over the time after the prompt, only for runs of two tokens or more', function () {
		const readout = new CompletionReadout();
		readout.record(run({ generatedTokens: 20, promptMs: 100, totalMs: 600 }));
		readout.record(run({ generatedTokens: 10, promptMs: 100, totalMs: 600 }));
		// One token is mostly prompt work; it would make the model look slow.
		readout.record(run({ generatedTokens: 1, promptMs: 100, totalMs: 400 }));
		assert.equal(readout.summary().generationTokensPerSecond, 30);
	});

	it('measures prompt speed only where a real prompt was evaluated', function () {
		const readout = new CompletionReadout();
		readout.record(run({ evaluatedPromptTokens: 200, promptMs: 1000 }));
		readout.record(run({ evaluatedPromptTokens: 3, promptMs: 1000 }));
		assert.equal(readout.summary().promptTokensPerSecond, 200);
	});

	it('leaves speeds out rather than dividing by zero', function () {
		const readout = new CompletionReadout();
		readout.record(
			run({ promptTokens: 0, reusedPromptTokens: 0, evaluatedPromptTokens: 0, generatedTokens: 5, promptMs: 0, totalMs: 0 }),
		);
		const summary = readout.summary();
		assert.equal(summary.generationTokensPerSecond, undefined);
		assert.equal(summary.promptTokensPerSecond, undefined);
		assert.equal(summary.reusedPromptShare, undefined);
		const lines = readout.lines();
		assertFinite(lines);
		assert.deepEqual(lines, ['Last: 0 ms · 5 tokens', 'Answers (last 1): 1 from the model, 0 from cache, 0 dropped before starting']);
	});

	it('weighs the cache reuse share by prompt tokens', function () {
		const readout = new CompletionReadout();
		readout.record(run({ promptTokens: 100, reusedPromptTokens: 100 }));
		readout.record(run({ promptTokens: 300, reusedPromptTokens: 200 }));
		assert.equal(readout.summary().reusedPromptShare, 0.75);
	});

	it('counts cache answers, cancelled runs and requests dropped before starting apart from model runs', function () {
		const readout = new CompletionReadout();
		readout.record(run());
		readout.record(cached('exact'));
		readout.record(cached('type-through'));
		readout.record(dropped());
		readout.record(dropped());
		readout.record(cancelled());
		const summary = readout.summary();
		assert.deepEqual(
			[summary.requests, summary.fromModel, summary.fromCache, summary.cancelledWhileRunning, summary.droppedBeforeStarting],
			[6, 1, 2, 1, 2],
		);
		// Neither cache answers nor cancelled runs say how fast the model is.
		assert.equal(summary.answeredRuns, 1);
		assert.equal(summary.last?.totalMs, 450);
	});

	it('takes speeds from prefetches but latencies only from runs someone waited for', function () {
		const readout = new CompletionReadout();
		readout.record(run({ totalMs: 400, promptMs: 100, generatedTokens: 12 }));
		readout.record(run({ source: 'prefetch', totalMs: 30, promptMs: 20, generatedTokens: 1, evaluatedPromptTokens: 100 }));
		readout.record(run({ source: 'prefetch', totalMs: 300, promptMs: 100, generatedTokens: 8 }));
		const summary = readout.summary();
		assert.equal(summary.answeredRuns, 1);
		assert.equal(summary.last?.totalMs, 400);
		assert.equal(summary.generationTokensPerSecond, 40);
		assert.equal(summary.prefetched, 2);
		assert.equal(summary.fromModel, 1);
	});

	it('counts an answer from a running stream once, leaving its stats to the run', function () {
		const readout = new CompletionReadout();
		readout.record(run({ totalMs: 400 }));
		readout.record(run({ source: 'joined', totalMs: 400 }));
		const summary = readout.summary();
		assert.equal(summary.answeredRuns, 1);
		assert.equal(summary.joinedRunning, 1);
		assert.match(readout.lines().at(-1)!, /1 from the model, 0 from cache, 1 from a running answer, 0 dropped/);
	});

	it('rolls the request counts over too', function () {
		const readout = new CompletionReadout(20, 4);
		readout.record(cached('exact'));
		readout.record(cached('exact'));
		for (let i = 0; i < 4; i++) {
			readout.record(dropped());
		}
		const summary = readout.summary();
		assert.equal(summary.requests, 4);
		assert.equal(summary.fromCache, 0);
		assert.equal(summary.droppedBeforeStarting, 4);
	});

	it('shows no model figures when only the cache and dropped requests were seen', function () {
		const readout = new CompletionReadout();
		readout.record(cached('exact'));
		readout.record(dropped());
		const lines = readout.lines();
		assertFinite(lines);
		assert.deepEqual(lines, ['No model runs yet.', 'Answers (last 2): 0 from the model, 1 from cache, 1 dropped before starting']);
	});

	it('renders the tooltip lines', function () {
		const readout = new CompletionReadout();
		readout.record(
			run({
				totalMs: 610,
				promptMs: 110,
				generatedTokens: 20,
				evaluatedPromptTokens: 40,
				promptTokens: 500,
				reusedPromptTokens: 460,
			}),
		);
		readout.record(
			run({ totalMs: 380, promptMs: 80, generatedTokens: 12, evaluatedPromptTokens: 20, promptTokens: 500, reusedPromptTokens: 480 }),
		);
		readout.record(cached('exact'));
		readout.record(cancelled());
		readout.record(dropped());
		const lines = readout.lines();
		assertFinite(lines);
		assert.deepEqual(lines, [
			'Last: 380 ms · 12 tokens · 40 tok/s',
			'Median (last 2 runs): 495 ms, p90 587 ms',
			'Generation: 40 tok/s',
			'Prompt: 94 % reused from cache, 316 tok/s',
			'Answers (last 5): 2 from the model, 1 from cache, 1 cancelled while running, 1 dropped before starting',
		]);
	});

	it('shows slow speeds with a decimal', function () {
		const readout = new CompletionReadout();
		readout.record(run({ generatedTokens: 5, promptMs: 0, totalMs: 2000 }));
		assert.equal(readout.lines()[0], 'Last: 2000 ms · 5 tokens · 2.5 tok/s');
	});

	it('starts afresh on reset', function () {
		const readout = new CompletionReadout();
		readout.record(run());
		readout.record(dropped());
		readout.reset();
		assert.deepEqual(readout.lines(), ['No completions yet.']);
	});
});
