import assert from 'node:assert/strict';
import { RenderThrottle, type ThrottleClock } from '../../src/extension/escalation/frontier/renderThrottle.js';

/** A clock moved by hand: timers fire when `advance` passes their time, in order. */
class ManualClock implements ThrottleClock {
	private time = 1_000;
	private timers: { at: number; callback: () => void; id: number }[] = [];
	private nextId = 0;

	now(): number {
		return this.time;
	}

	setTimeout(callback: () => void, ms: number): unknown {
		const id = this.nextId++;
		this.timers.push({ at: this.time + ms, callback, id });
		return id;
	}

	clearTimeout(handle: unknown): void {
		this.timers = this.timers.filter((timer) => timer.id !== handle);
	}

	get pendingTimers(): number {
		return this.timers.length;
	}

	advance(ms: number): void {
		const until = this.time + ms;
		for (;;) {
			const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
			if (!due) {
				break;
			}
			this.timers = this.timers.filter((timer) => timer !== due);
			this.time = due.at;
			due.callback();
		}
		this.time = until;
	}
}

/** The answer view's throttle: a few renders a second, however fast the answer streams, ending on the latest text. */
describe('escalation: the answer view’s render throttle', function () {
	it('renders the first update at once and, of a burst, only the latest when the interval is up', function () {
		const clock = new ManualClock();
		const rendered: string[] = [];
		const throttle = new RenderThrottle<string>((text) => rendered.push(text), 250, clock);
		let text = '';
		for (let chunk = 0; chunk < 1_000; chunk++) {
			text += 'x';
			throttle.update(text);
		}
		assert.deepEqual(rendered, ['x'], 'one render for a thousand updates, so far');
		clock.advance(249);
		assert.equal(rendered.length, 1);
		clock.advance(1);
		assert.deepEqual(rendered, ['x', text]);
		assert.equal(clock.pendingTimers, 0);
	});

	it('renders at most once per interval under a steady stream of updates, and always ends on the latest', function () {
		const clock = new ManualClock();
		const renderedAt: number[] = [];
		let last = '';
		const throttle = new RenderThrottle<string>(
			(text) => {
				renderedAt.push(clock.now());
				last = text;
			},
			250,
			clock,
		);
		// An update every 5 ms for 10 s: 2000 chunks.
		let text = '';
		for (let tick = 0; tick < 2_000; tick++) {
			text += `${tick} `;
			throttle.update(text);
			clock.advance(5);
		}
		clock.advance(250);
		assert.equal(last, text);
		assert.ok(renderedAt.length <= 10_000 / 250 + 2, `${renderedAt.length} renders`);
		assert.ok(renderedAt.length >= 10_000 / 250 - 1, `${renderedAt.length} renders: the view still moves along`);
		renderedAt
			.slice(1)
			.forEach((at, index) => assert.ok(at - renderedAt[index]! >= 250, `renders ${at - renderedAt[index]!} ms apart`));
	});

	it('renders at once again after a quiet interval', function () {
		const clock = new ManualClock();
		const rendered: string[] = [];
		const throttle = new RenderThrottle<string>((text) => rendered.push(text), 250, clock);
		throttle.update('a');
		clock.advance(1_000);
		throttle.update('ab');
		assert.deepEqual(rendered, ['a', 'ab']);
	});

	it('drops what is pending when cancelled, and renders it at once when flushed', function () {
		const clock = new ManualClock();
		const rendered: string[] = [];
		const throttle = new RenderThrottle<string>((text) => rendered.push(text), 250, clock);
		throttle.update('a');
		throttle.update('ab');
		throttle.cancel();
		assert.equal(clock.pendingTimers, 0);
		clock.advance(1_000);
		assert.deepEqual(rendered, ['a'], 'the finished answer replaces what was pending');
		throttle.update('abc');
		throttle.update('abcd');
		throttle.flush();
		assert.deepEqual(rendered, ['a', 'abc', 'abcd']);
		assert.equal(clock.pendingTimers, 0);
	});

	it('works on the real clock: a burst is two renders, the second the latest', async function () {
		const rendered: string[] = [];
		let resolveSecond: () => void = () => undefined;
		const second = new Promise<void>((resolve) => (resolveSecond = resolve));
		const throttle = new RenderThrottle<string>((text) => {
			rendered.push(text);
			if (rendered.length === 2) {
				resolveSecond();
			}
		}, 20);
		for (let chunk = 1; chunk <= 500; chunk++) {
			throttle.update(String(chunk));
		}
		await second;
		assert.deepEqual(rendered, ['1', '500']);
	});
});
