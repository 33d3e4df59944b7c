import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import { ModelLifecycle } from '../../src/server/modelLifecycle.js';
import { StatusPublisher } from '../../src/server/statusPublisher.js';
import type { ServerStatus } from '../../src/shared/protocol.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { MATH_CURSOR, MATH_SOURCE } from '../helpers/mathDocument.js';
import { testSettings } from '../helpers/testSettings.js';
import { waitFor } from '../helpers/waitFor.js';

/** A "minute" of hearth.model.idleUnloadMinutes in this suite, so that a real unload takes a moment. */
const TEST_MINUTE_MS = 150;

/**
 * The local model unloaded after hearth.model.idleUnloadMinutes without use and loaded again by the
 * next completion or action, on the real tiny model: the states the status bar shows, the scheduler
 * gone and back, and a real completion after the reload.
 */
describe('language server: idle unload of the local model (real model)', function () {
	let modelPath: string;
	let statuses: ServerStatus[];
	let lifecycle: ModelLifecycle;
	let running: boolean;
	/** How often the idle clock asked whether completions run: each time it fired with nothing holding the model. */
	let clockFired: number;

	before(async function () {
		modelPath = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
	});

	beforeEach(async function () {
		statuses = [];
		running = false;
		clockFired = 0;
		lifecycle = new ModelLifecycle({
			defaultModelPath: '/nonexistent/default.gguf',
			status: new StatusPublisher((status) => statuses.push(status)),
			logger: silentLogger,
			completionsRunning: () => {
				clockFired++;
				return running;
			},
			minuteMs: TEST_MINUTE_MS,
		});
	});

	afterEach(async function () {
		await lifecycle.dispose();
	});

	const settings = (idleUnloadMinutes: number) => testSettings({ model: { path: modelPath, idleUnloadMinutes } });
	const statesSince = (index: number) => statuses.slice(index).map((status) => status.state);

	/** One completion, counted as running the whole time (as CompletionActivity counts the server's). */
	async function complete(): Promise<string> {
		running = true;
		try {
			return await completeNow();
		} finally {
			running = false;
		}
	}

	async function completeNow(): Promise<string> {
		const scheduler = await lifecycle.awakeScheduler();
		assert.ok(scheduler, 'a scheduler once awake');
		const offset = MATH_SOURCE.split('\n').slice(0, MATH_CURSOR.line).join('\n').length + 1 + MATH_CURSOR.character;
		const answer = await scheduler.request({
			documentKey: 'file:///workspace/math.ts',
			prefix: MATH_SOURCE.slice(0, offset),
			suffix: MATH_SOURCE.slice(offset),
			maxTokens: 8,
			timeBudgetMs: 60_000,
			debounce: { minMs: 0, maxMs: 0 },
			prefetch: false,
		});
		return answer.result.text;
	}

	it('unloads the model after the idle time, says so, and loads it again for the next completion', async function () {
		await lifecycle.apply(settings(1));
		assert.equal(statuses.at(-1)?.state, 'ready');
		const name = lifecycle.modelSummary?.displayName;
		assert.ok((await complete()).length > 0, 'a completion before the unload');

		const unloaded = await waitFor('the unloaded status', () => statuses.find((status) => status.state === 'unloaded'), 30_000);
		assert.equal(lifecycle.currentScheduler, undefined, 'no scheduler while unloaded');
		assert.equal(lifecycle.modelSummary, undefined, 'no model in memory');
		assert.equal(lifecycle.chatEngine(), undefined, 'no chat engine either');
		assert.equal(unloaded.model?.displayName, name, 'the status still names the model the next use loads');
		assert.match(
			unloaded.message ?? '',
			/^Unloaded after 1 minute without use; the next completion loads it again \(the last load took [\d.]+ s\)\.$/,
		);

		const before = statuses.length;
		const text = await complete();
		assert.ok(text.length > 0, 'the completion after the reload has text');
		assert.deepEqual(statesSince(before).slice(0, 1), ['loading']);
		assert.equal(statuses.at(-1)?.state, 'ready');
		assert.equal(statuses.at(-1)?.model?.displayName, name, 'the same model again');
	});

	it('keeps the model while an action holds it or completions run, and unloads it once both end', async function () {
		await lifecycle.apply(settings(1));
		const release = await lifecycle.hold();
		running = true;
		// Both guards at once: the idle clock is stopped by the hold; after the release it runs again, but completions still run.
		release();
		const before = statuses.length;
		// The clock fires twice while completions run (it starts again each time): the model stays.
		await waitFor('the idle clock to fire twice', () => (clockFired >= 2 ? true : undefined), 30_000);
		assert.ok(lifecycle.currentScheduler, 'still loaded while completions run');
		assert.deepEqual(statesSince(before), []);
		running = false;
		await waitFor('the unloaded status', () => statuses.find((status) => status.state === 'unloaded'), 30_000);
		assert.equal(lifecycle.currentScheduler, undefined);
	});

	it('never unloads with 0, and a change of the idle time alone reloads nothing', async function () {
		await lifecycle.apply(settings(0));
		const loads = statuses.filter((status) => status.state === 'loading').length;
		await lifecycle.apply(settings(2));
		assert.equal(statuses.filter((status) => status.state === 'loading').length, loads, 'no reload for the idle time');
		assert.ok(lifecycle.currentScheduler);
	});

	it('an action or a completion that comes before the first settings waits for the model they name', async function () {
		// The server reads the client's settings a round trip after `initialized`: a request may come first.
		let held = false;
		const holding = lifecycle.hold().then((release) => {
			held = true;
			return release;
		});
		const awake = lifecycle.awakeScheduler();
		// Both are still waiting once everything queued so far has run.
		await new Promise((resolve) => setImmediate(resolve));
		assert.equal(held, false, 'the hold waits for the settings');
		assert.equal(lifecycle.actionModels().completion, undefined, 'no model yet');
		await lifecycle.apply(settings(0));
		const release = await holding;
		assert.equal(lifecycle.actionModels().completion?.local, true, 'the action finds the model the settings name');
		assert.ok(await awake, 'the completion gets the scheduler');
		release();
	});

	it('loads it again for an action (hold), which waits for the model', async function () {
		await lifecycle.apply(settings(1));
		await waitFor('the unloaded status', () => statuses.find((status) => status.state === 'unloaded'), 30_000);
		const release = await lifecycle.hold();
		try {
			assert.ok(lifecycle.chatEngine(), 'the chat engine is there for the action');
			assert.equal(statuses.at(-1)?.state, 'ready');
		} finally {
			release();
		}
	});
});
