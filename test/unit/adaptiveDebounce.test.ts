import assert from 'node:assert/strict';
import { AdaptiveDebounce, waitUnlessAborted } from '../../src/engine/scheduling/adaptiveDebounce.js';

const BOUNDS = { minMs: 0, maxMs: 400 };
const MID_WORD = { lastCharacter: 'a', atLineEnd: false };

function typing(intervals: number[], context = MID_WORD, bounds = BOUNDS): number[] {
	let now = 0;
	const debounce = new AdaptiveDebounce(() => now);
	return intervals.map((interval) => {
		now += interval;
		return debounce.delayFor(context, bounds);
	});
}

describe('adaptive debounce', function () {
	it('does not delay the first keystroke', function () {
		assert.equal(typing([0])[0], 0);
	});

	it('outwaits the usual gap between keys while typing a word', function () {
		const delays = typing([0, 100, 100, 100, 100]);
		assert.equal(delays.at(-1), 150);
	});

	it('waits less after a space or a bracket, and at the end of a line', function () {
		let now = 0;
		const debounce = new AdaptiveDebounce(() => now);
		for (const step of [0, 100, 100, 100]) {
			now += step;
			debounce.delayFor(MID_WORD, BOUNDS);
		}
		now += 100;
		const afterSpace = debounce.delayFor({ lastCharacter: ' ', atLineEnd: false }, BOUNDS);
		now += 100;
		const midWordAtLineEnd = debounce.delayFor({ lastCharacter: 'a', atLineEnd: true }, BOUNDS);
		assert.equal(afterSpace, 25);
		assert.ok(midWordAtLineEnd < 150 && midWordAtLineEnd > 100, `${midWordAtLineEnd}: shorter, but still longer than the gap`);
	});

	it('ignores pauses as typing speed and keeps to its bounds', function () {
		assert.equal(typing([0, 5000, 5000]).at(-1), 0, 'pauses teach nothing');
		assert.equal(typing([0, 900, 900, 900]).at(-1), 400, 'capped at the maximum');
		assert.equal(typing([0, 10, 10], MID_WORD, { minMs: 50, maxMs: 400 }).at(-1), 50, 'raised to the minimum');
		assert.equal(typing([0, 100, 100], MID_WORD, { minMs: 0, maxMs: 0 }).at(-1), 0, 'off when the maximum is 0');
	});

	it('does not wait less mid-word when the model is slow: a run started at a key gap would be thrown away', function () {
		let now = 0;
		const debounce = new AdaptiveDebounce(() => now);
		const fast = [0, 200, 200].map((step) => ((now += step), debounce.delayFor(MID_WORD, BOUNDS))).at(-1)!;
		debounce.recordLatency(1200);
		now += 200;
		assert.equal(debounce.delayFor(MID_WORD, BOUNDS), fast);
		assert.equal(fast, 300, 'one and a half key gaps');
	});

	it('waiting ends early, with false, when aborted', async function () {
		const controller = new AbortController();
		// An hour: were the abort ignored, the test's own timeout would fail it long before the wait ends.
		const waiting = waitUnlessAborted(3_600_000, controller.signal);
		controller.abort();
		assert.equal(await waiting, false);
		assert.equal(await waitUnlessAborted(1, new AbortController().signal), true);
	});
});
