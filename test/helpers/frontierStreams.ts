import assert from 'node:assert/strict';
import { FrontierError, type FrontierErrorKind, type StreamOptions } from '../../src/extension/escalation/frontier/frontierClient.js';

/**
 * Options for streamFrontierAnswer in tests: the texts it reports are collected, and retries do not
 * really wait (the waits asked for are recorded instead).
 */
export function recordingStreamOptions(overrides: Partial<StreamOptions> = {}) {
	const sleeps: number[] = [];
	const texts: string[] = [];
	return {
		sleeps,
		texts,
		options: {
			signal: new AbortController().signal,
			onText: (text: string) => void texts.push(text),
			retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 2_000 },
			sleep: async (ms: number) => void sleeps.push(ms),
			...overrides,
		} satisfies StreamOptions,
	};
}

/** The FrontierError `pending` fails with; fails the test when it succeeds or fails with another kind. */
export async function frontierFailure(pending: Promise<unknown>, kind: FrontierErrorKind): Promise<FrontierError> {
	try {
		await pending;
	} catch (error) {
		assert.ok(error instanceof FrontierError, String(error));
		assert.equal(error.kind, kind, error.message);
		return error;
	}
	assert.fail(`expected a ${kind} failure`);
}
