import assert from 'node:assert/strict';
import {
	adjustedForRejectedParameter,
	chatRequestBody,
	initialRequestShape,
} from '../../src/extension/escalation/frontier/chatRequestBody.js';
import * as failures from '../../src/extension/escalation/frontier/frontierFailures.js';
import { abortableSleep, isRetryableStatus, retryAfterMs, retryDelayMs } from '../../src/extension/escalation/frontier/retryPolicy.js';

const KEY = 'sk-proj-unit7Hq2LxN4vR8sT1wZ9yB3mC6dF0gJ5kP';
const CONTEXT: failures.FailureContext = { baseUrl: 'https://api.example.com/v1', model: 'gpt-4o', apiKey: KEY, attempts: 1 };

describe('escalation: retry policy', function () {
	it('retries only statuses the server certainly did not process', function () {
		assert.deepEqual([400, 401, 403, 404, 408, 409, 429, 500, 502, 503, 504].filter(isRetryableStatus), [429, 502, 503, 504]);
	});

	it('reads Retry-After in seconds, as a date, and retry-after-ms', function () {
		const headers = (values: Record<string, string>) => new Headers(values);
		assert.equal(retryAfterMs(headers({ 'retry-after': '2' })), 2000);
		assert.equal(retryAfterMs(headers({ 'retry-after': '0.5' })), 500);
		assert.equal(retryAfterMs(headers({ 'retry-after-ms': '120', 'retry-after': '9' })), 120);
		const now = Date.parse('2025-08-01T10:00:00Z');
		assert.equal(retryAfterMs(headers({ 'retry-after': 'Fri, 01 Aug 2025 10:00:03 GMT' }), now), 3000);
		assert.equal(retryAfterMs(headers({ 'retry-after': 'soon' })), undefined);
		assert.equal(retryAfterMs(headers({})), undefined);
	});

	it('waits as asked within the cap, gives up beyond it, and backs off exponentially otherwise', function () {
		const options = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
		assert.equal(retryDelayMs(1, options, 800), 800);
		assert.equal(retryDelayMs(1, options, 5000), undefined, 'retrying before the server allows would be refused again');
		assert.equal(
			retryDelayMs(1, options, undefined, () => 1),
			100,
		);
		assert.equal(
			retryDelayMs(3, options, undefined, () => 1),
			400,
		);
		assert.equal(
			retryDelayMs(3, options, undefined, () => 0),
			200,
			'jitter takes off up to half',
		);
		assert.equal(
			retryDelayMs(9, options, undefined, () => 1),
			1000,
			'capped',
		);
	});

	it('sleeps until aborted', async function () {
		const controller = new AbortController();
		const sleeping = abortableSleep(60_000, controller.signal);
		controller.abort(new Error('stop'));
		await assert.rejects(sleeping, /stop/);
		await abortableSleep(1, new AbortController().signal);
	});
});

describe('escalation: the request body', function () {
	it('sends max_completion_tokens to OpenAI, max_tokens to compatible servers, and only role and content of each message', function () {
		assert.equal(initialRequestShape('https://api.openai.com/v1').tokenLimitField, 'max_completion_tokens');
		assert.equal(initialRequestShape('https://myorg.openai.azure.com/openai/v1').tokenLimitField, 'max_completion_tokens');
		assert.equal(initialRequestShape('http://127.0.0.1:8080/v1').tokenLimitField, 'max_tokens');
		const messages = [{ role: 'user' as const, content: 'hi', extra: 'not sent' }];
		assert.deepEqual(chatRequestBody('m', messages, 512, { tokenLimitField: 'max_tokens', includeUsage: true }), {
			model: 'm',
			messages: [{ role: 'user', content: 'hi' }],
			stream: true,
			stream_options: { include_usage: true },
			max_tokens: 512,
		});
		assert.deepEqual(chatRequestBody('m', messages, 512, { tokenLimitField: 'max_completion_tokens', includeUsage: false }), {
			model: 'm',
			messages: [{ role: 'user', content: 'hi' }],
			stream: true,
			max_completion_tokens: 512,
		});
	});

	it('switches a parameter a server rejects by name, and nothing else', function () {
		const shape = { tokenLimitField: 'max_tokens' as const, includeUsage: true };
		const openAiMessage = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
		assert.deepEqual(adjustedForRejectedParameter(shape, openAiMessage, 'max_tokens'), {
			tokenLimitField: 'max_completion_tokens',
			includeUsage: true,
		});
		assert.deepEqual(
			adjustedForRejectedParameter(
				{ tokenLimitField: 'max_completion_tokens', includeUsage: true },
				'Unrecognized request argument supplied: max_completion_tokens',
				null,
			),
			{ tokenLimitField: 'max_tokens', includeUsage: true },
		);
		assert.deepEqual(adjustedForRejectedParameter(shape, 'Extra inputs are not permitted: stream_options', undefined), {
			tokenLimitField: 'max_tokens',
			includeUsage: false,
		});
		assert.equal(adjustedForRejectedParameter(shape, "'messages' must not be empty", 'messages'), undefined);
		assert.equal(
			adjustedForRejectedParameter(shape, 'max_tokens must be at most 4096', 'max_tokens'),
			undefined,
			'a bad value is not an unsupported parameter',
		);
	});
});

describe('escalation: failure messages', function () {
	it('never repeat the API key, even when the server quotes it', function () {
		const quoting = {
			message: `Incorrect API key provided: ${KEY}. You can find your API key at https://platform.openai.com/account/api-keys.`,
		};
		const errors = [
			failures.httpFailure(CONTEXT, 401, quoting, { retryable: false }),
			failures.httpFailure(CONTEXT, 403, quoting, { retryable: false }),
			failures.httpFailure(CONTEXT, 400, quoting, { retryable: false }),
			failures.httpFailure(CONTEXT, 500, quoting, { retryable: false }),
			failures.streamError(CONTEXT, quoting.message, null),
		];
		for (const error of errors) {
			assert.ok(!error.message.includes(KEY) && !error.stack!.includes(KEY) && !JSON.stringify(error).includes(KEY), error.message);
		}
		assert.match(errors[2]!.message, /The server said: Incorrect API key provided: \[API key\]/);
		assert.equal(
			failures.serverDetail(`another key sk-proj-3Y2XFoDFbe8nL3TgJwPwH0yaJjvkrQENUU0OPVpa-t3DsP346tN2 here`, KEY),
			'another key [REDACTED openai-api-key] here',
			'other secrets are redacted too',
		);
		assert.equal(failures.serverDetail('x'.repeat(500), KEY).length, 300);
	});

	it('say what happened and what to do', function () {
		assert.equal(
			failures.httpFailure(CONTEXT, 401, {}, { retryable: false }).message,
			'api.example.com rejected the API key (401). Set a new one with “Hearth: Set Frontier API Key”.',
		);
		assert.match(failures.noKey().message, /No API key is set.*“Hearth: Set Frontier API Key”/);
		const notFound = failures.httpFailure(CONTEXT, 404, { message: 'Unknown route' }, { retryable: false });
		assert.equal(notFound.kind, 'not-found');
		assert.match(
			notFound.message,
			/404 Not Found for https:\/\/api\.example\.com\/v1\/chat\/completions with model “gpt-4o”\. Check the model name, and the base URL: it usually ends in \/v1\. The server said: Unknown route/,
		);
		assert.match(
			failures.unreachable(CONTEXT, 'ECONNREFUSED').message,
			/^Could not connect to https:\/\/api\.example\.com\/v1 \(connection refused: nothing is listening there\)/,
		);
		const rateLimited = failures.httpFailure(
			{ ...CONTEXT, attempts: 3 },
			429,
			{},
			{ retryable: true, retryAfterMs: 30_000, waitTooLong: true },
		);
		assert.equal(
			rateLimited.message,
			'api.example.com is rate-limiting requests (429) and asks to wait 30 s (after 3 attempts). That is longer than Hearth waits on its own. Try again later, or check the rate limits of your plan.',
		);
		const quota = failures.httpFailure(
			CONTEXT,
			429,
			{ code: 'insufficient_quota', message: 'You exceeded your current quota' },
			{ retryable: true },
		);
		assert.equal(quota.retryable, false);
		assert.match(quota.message, /out of quota/);
		assert.match(
			failures.httpFailure(CONTEXT, 500, {}, { retryable: false }).message,
			/internal error \(500\)\. Hearth does not retry this on its own, because the request may already have been processed \(and billed\)/,
		);
		assert.equal(
			failures.httpFailure(
				CONTEXT,
				400,
				{ code: 'context_length_exceeded', message: 'maximum context length is 128000 tokens' },
				{ retryable: false },
			).kind,
			'context-too-long',
		);
		assert.equal(
			failures.httpFailure(CONTEXT, 400, { message: "This model's maximum context length is 8192 tokens" }, { retryable: false })
				.kind,
			'context-too-long',
		);
		assert.equal(
			failures.httpFailure(CONTEXT, 400, { message: 'temperature must be a number' }, { retryable: false }).kind,
			'bad-request',
		);
		assert.match(failures.timedOut(CONTEXT, 1500, true).message, /sent nothing for 1\.5 s mid-answer/);
		assert.match(
			failures.closedMidStream({ ...CONTEXT, partialText: 'abc' }).message,
			/closed before the answer was complete \(3 characters had arrived and are kept\)/,
		);
		assert.match(failures.invalidBaseUrl({ ...CONTEXT, baseUrl: 'api.openai.com' }).message, /“api\.openai\.com” is not a valid URL/);
	});
});
