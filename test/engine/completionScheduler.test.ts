import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { CompletionScheduler, type RunReport, type ScheduledRequest } from '../../src/engine/scheduling/completionScheduler.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

const PREFIX = 'function greet(name: string): string {\n\treturn ';
const SUFFIX = '\n}\n\nconsole.log(greet("world"));\n';
const NO_WAIT = { minMs: 0, maxMs: 0 };

/** Real model, real engine, real scheduler; every run it reports is kept for the assertions. */
function openScheduler(loaded: LoadedModel, prefetchIdleMs = 60_000): { scheduler: CompletionScheduler; runs: RunReport[] } {
	const runs: RunReport[] = [];
	const engine = new CompletionEngine(loaded, silentLogger);
	const scheduler = new CompletionScheduler(engine, { prefetchIdleMs, onRunFinished: (run) => runs.push(run) });
	return { scheduler, runs };
}

function request(overrides: Partial<ScheduledRequest> = {}): ScheduledRequest {
	return {
		documentKey: 'doc',
		prefix: PREFIX,
		suffix: SUFFIX,
		maxTokens: 24,
		mode: 'multi-line',
		fixedLength: true,
		debounce: NO_WAIT,
		prefetch: false,
		...overrides,
	};
}

describe('engine: the completion scheduler in front of a real model', function () {
	let loaded: LoadedModel;
	/** What the model answers at PREFIX, learned once (greedy decoding is deterministic). */
	let answer: string;

	before(async function () {
		loaded = await loadModel({
			modelPath: await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }),
			contextSize: 1024,
			gpu: 'off',
			logger: silentLogger,
		});
		const { scheduler } = openScheduler(loaded);
		const first = await scheduler.request(request());
		answer = first.result.text;
		assert.equal(first.source, 'model');
		assert.ok(answer.length >= 2, `the test model must suggest something here, got ${JSON.stringify(answer)}`);
		scheduler.dispose();
	});

	after(async function () {
		await loaded?.dispose();
	});

	it('key repeat: a burst of superseded requests costs at most a run or two, and every request settles', async function () {
		const { scheduler, runs } = openScheduler(loaded);
		const answers = [];
		let controller = new AbortController();
		for (let i = 0; i < 30; i++) {
			controller.abort();
			controller = new AbortController();
			answers.push(
				scheduler.request(
					request({ prefix: PREFIX + 'x'.repeat(i), signal: controller.signal, debounce: { minMs: 50, maxMs: 50 } }),
				),
			);
			await sleep(2);
		}
		const settled = await Promise.all(answers);
		await scheduler.idle();
		assert.equal(
			settled.filter((answer) => answer.source === 'skipped').length >= 28,
			true,
			JSON.stringify(settled.map((a) => a.source)),
		);
		assert.ok(runs.length <= 2, `${runs.length} model runs for 30 keystrokes`);
		scheduler.dispose();
	});

	it('typing through a suggestion is answered from it, without a model run', async function () {
		const { scheduler, runs } = openScheduler(loaded);
		await scheduler.request(request());
		const before = runs.length;
		const typed = await scheduler.request(request({ prefix: PREFIX + answer[0] }));
		assert.equal(typed.source, 'cache');
		assert.equal(typed.result.text, answer.slice(1));
		assert.equal(runs.length, before);
		scheduler.dispose();
	});

	it('a keystroke that matches the running stream follows it instead of starting over', async function () {
		const { scheduler, runs } = openScheduler(loaded);
		const first = new AbortController();
		const pending = scheduler.request(request({ maxTokens: 200, signal: first.signal }));
		// Wait for the stream's first characters, then type the first of them, as a user would.
		while ((scheduler.runningText('doc') ?? '') === '') {
			await sleep(1);
		}
		first.abort();
		const joined = await scheduler.request(request({ prefix: PREFIX + answer[0], maxTokens: 200 }));
		await pending;
		assert.equal(joined.source, 'joined');
		assert.ok(answer.startsWith(answer[0]! + joined.result.text.slice(0, answer.length - 1)));
		assert.equal(runs.length, 1, 'one model run served both keystrokes');
		scheduler.dispose();
	});

	it('a request the editor cancels stops its run within one token', async function () {
		const { scheduler, runs } = openScheduler(loaded);
		const controller = new AbortController();
		const pending = scheduler.request(request({ maxTokens: 400, signal: controller.signal }));
		while ((scheduler.runningText('doc') ?? '') === '') {
			await sleep(1);
		}
		controller.abort();
		const left = await pending;
		assert.equal(left.result.stopReason, 'cancelled');
		await scheduler.idle();
		assert.equal(runs.length, 1);
		assert.equal(runs[0]!.result.stopReason, 'cancelled');
		assert.ok(runs[0]!.result.stats.tokensAfterAbort <= 1, `${runs[0]!.result.stats.tokensAfterAbort} tokens after the abort`);
		assert.ok(runs[0]!.result.stats.generatedTokens < 400);
		scheduler.dispose();
	});

	it('prefetches the next suggestion while one is shown, so accepting is answered at once', async function () {
		const { scheduler, runs } = openScheduler(loaded, 20);
		const shown = await scheduler.request(request({ prefetch: true }));
		assert.equal(shown.result.text, answer);
		while (!runs.some((run) => run.kind === 'prefetch')) {
			await sleep(5);
		}
		const accepted = await scheduler.request(request({ prefix: PREFIX + answer, prefetch: false }));
		assert.equal(accepted.source, 'cache');
		assert.equal(runs.filter((run) => run.kind === 'request').length, 1);
		scheduler.dispose();
	});

	it('stops prefetching in a document whose suggestions go unused, and starts again once one is accepted', async function () {
		const { scheduler, runs } = openScheduler(loaded, 0);
		const prefetches = () => runs.filter((run) => run.kind === 'prefetch').length;
		const prefetched = async (count: number) => {
			while (prefetches() < count) {
				await sleep(5);
			}
			await scheduler.idle();
		};
		/** A character the suggestion does not start with: typing it leaves the suggestion unused. */
		const other = (text: string) => ['Q', 'Z', 'x'].find((character) => !text.startsWith(character))!;

		const first = await scheduler.request(request({ prefetch: true }));
		await prefetched(1);
		let prefix = PREFIX + other(first.result.text);
		const second = await scheduler.request(request({ prefix, prefetch: true }));
		assert.equal(second.source, 'model');
		await prefetched(2); // one unused prefetch: still worth trying
		prefix += other(second.result.text);
		const third = await scheduler.request(request({ prefix, prefetch: true }));
		assert.equal(third.source, 'model');
		assert.ok(third.result.text.length > 0);
		// The prefetch timer (0 ms) fires before this one: after it, nothing runs.
		await new Promise((resolve) => setTimeout(resolve, 0));
		assert.equal(scheduler.runningText('doc'), undefined, 'no prefetch after two unused ones');
		assert.equal(prefetches(), 2);

		// Following a running stream, whose text was never shown, is not taking a suggestion. (A place of
		// its own, so that no earlier suggestion answers it from the cache.)
		const suffix = SUFFIX + '\n// streamed\n';
		const streaming = new AbortController();
		let settled = false;
		const pending = scheduler
			.request(request({ suffix, maxTokens: 200, prefetch: true, signal: streaming.signal }))
			.finally(() => (settled = true));
		while ((scheduler.runningText('doc') ?? '') === '' && !settled) {
			await sleep(1);
		}
		assert.equal(settled, false, 'the stream showed text before it ended');
		const typedAlong = PREFIX + scheduler.runningText('doc')![0];
		streaming.abort();
		const joined = await scheduler.request(request({ prefix: typedAlong, suffix, maxTokens: 200, prefetch: true }));
		await pending;
		assert.equal(joined.source, 'joined');
		await new Promise((resolve) => setTimeout(resolve, 0));
		await scheduler.idle();
		assert.equal(prefetches(), 2, 'no prefetch after following a stream');

		// Accepting the suggestion shown (a request at its end) makes prefetching worth it again.
		const accepted = await scheduler.request(request({ prefix: typedAlong + joined.result.text, suffix, prefetch: true }));
		assert.equal(accepted.source, 'model');
		await prefetched(3);
		scheduler.dispose();
	});
});
