import assert from 'node:assert/strict';
import type { ServerStatus } from '../../src/shared/protocol.js';
import { StatusPublisher } from '../../src/server/statusPublisher.js';

const MODEL = {
	displayName: 'm',
	path: '/m.gguf',
	sizeBytes: 1,
	quantization: 'Q8_0',
	contextSize: 2048,
	threads: 2,
	backend: 'CPU',
	fimFamily: 'starcoder',
	fimReason: 'test',
};

describe('status: suggestions held back by the confidence gate', () => {
	it('counts them in the status it sends, and keeps the count through later states', () => {
		const sent: ServerStatus[] = [];
		const status = new StatusPublisher((s) => sent.push(s));
		status.settled(MODEL, true);
		assert.equal(sent.at(-1)!.heldBack, undefined);

		status.suggestionHeldBack();
		assert.deepEqual(sent.at(-1), { state: 'ready', model: MODEL, message: undefined, heldBack: 1 });
		status.suggestionHeldBack();
		assert.equal(sent.at(-1)!.heldBack, 2);

		status.completionsBusy(true);
		assert.deepEqual([sent.at(-1)!.state, sent.at(-1)!.heldBack], ['busy', 2]);
		status.loadStarted('Loading…', MODEL);
		assert.equal(sent.at(-1)!.heldBack, 2);
	});
});
