import assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/extension/restartPolicy.js';

describe('language server restart policy', function () {
	it('restarts up to the limit within the window, then gives up', function () {
		const now = 0;
		const policy = new RestartPolicy(3, 60_000, () => now);
		assert.deepEqual(
			[1, 2, 3, 4].map(() => policy.recordCrashAndDecide()),
			[true, true, true, false],
		);
	});

	it('forgets crashes older than the window, so rare crashes always restart', function () {
		let now = 0;
		const policy = new RestartPolicy(2, 60_000, () => now);
		for (let hour = 0; hour < 10; hour++) {
			now = hour * 3_600_000;
			assert.equal(policy.recordCrashAndDecide(), true);
		}
	});

	it('starts a fresh count after a manual restart', function () {
		const policy = new RestartPolicy(1, 60_000, () => 0);
		assert.equal(policy.recordCrashAndDecide(), true);
		assert.equal(policy.recordCrashAndDecide(), false);
		policy.reset();
		assert.equal(policy.recordCrashAndDecide(), true);
	});
});
