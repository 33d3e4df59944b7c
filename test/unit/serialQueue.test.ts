import assert from 'node:assert/strict';
import { SerialQueue } from '../../src/engine/scheduling/serialQueue.js';

describe('SerialQueue', function () {
	it('idle() resolves after the running and waiting tasks, and lets timers run meanwhile', async function () {
		const queue = new SerialQueue();
		const order: string[] = [];
		const task = (name: string, ms: number) =>
			queue.run(
				async () => {
					await new Promise((resolve) => setTimeout(resolve, ms));
					order.push(name);
				},
				undefined,
				() => undefined,
			);
		void task('first', 30);
		void task('second', 10);
		let timerRan = false;
		setTimeout(() => (timerRan = true), 5);
		await queue.idle();
		assert.deepEqual(order, ['first', 'second']);
		assert.equal(timerRan, true, 'the event loop was not starved while waiting');
		await queue.idle(); // and at once when nothing runs
	});
});
