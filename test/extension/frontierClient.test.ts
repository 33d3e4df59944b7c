import assert from 'node:assert/strict';
import net from 'node:net';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import { silentLogger } from '../../src/engine/logger.js';
import {
	FrontierError,
	streamFrontierAnswer,
	type FrontierEndpoint,
	type FrontierErrorKind,
} from '../../src/extension/escalation/frontier/frontierClient.js';
import { buildOutgoingRequest, formatPreview, type OutgoingRequest } from '../../src/extension/escalation/frontier/outgoingRequest.js';
import { abortableSleep } from '../../src/extension/escalation/frontier/retryPolicy.js';
import { startOpenAiServer, type GenerationReport, type OpenAiServer } from '../../src/teamServer/openAiServer.js';
import { frontierFailure, recordingStreamOptions } from '../helpers/frontierStreams.js';
import { TeamServerFaultProxy } from '../helpers/teamServerFaults.js';
import { waitFor } from '../helpers/waitFor.js';
import { loadTinyFimOnOneThread } from '../helpers/tinyModel.js';

const MODEL = 'hearth-tiny-fim';
const KEY = 'sk-test-frontier-Zq8wY3nV6bX1cM4';
const WRONG_KEY = 'sk-test-wrong-Kp2rT7uJ9hG5dS0';
const GITHUB_TOKEN = 'ghp_n4n1B8rdEkVYACJyRyfJvhDBXkvHcZfYsB28'; // a generated fake of the right shape

/**
 * The frontier client against Hearth's own OpenAI-compatible server on 127.0.0.1, with the tiny real
 * model behind it, reached through the fault proxy (test/helpers/teamServerFaults.ts) standing in for
 * a frontier API misbehaving.
 */
describe('escalation: the frontier client against a real OpenAI-compatible server', function () {
	let chat: ChatEngine;
	let server: OpenAiServer;
	/** What the client is pointed at: it records every request that arrives. */
	let proxy: TeamServerFaultProxy;
	const reports: GenerationReport[] = [];
	/** The proxy's record of this test's requests. */
	let firstOfTest = 0;
	const arrivals = () => proxy.requests.slice(firstOfTest);
	/** Every FrontierError the tests saw: none may hold a key. */
	const errorsSeen: FrontierError[] = [];

	const request: OutgoingRequest = buildOutgoingRequest(
		{
			kind: 'explain',
			code: `const token = "${GITHUB_TOKEN}";\nexport function add(a, b) {\n\treturn a + b;\n}\n`,
			languageId: 'javascript',
			filePath: 'src/add.js',
		},
		{ redact: true },
	);

	const endpoint = (overrides: Partial<FrontierEndpoint> = {}): FrontierEndpoint => ({
		baseUrl: proxy.url,
		model: MODEL,
		apiKey: KEY,
		timeoutMs: 20_000,
		maxOutputTokens: 24,
		...overrides,
	});

	/** Options with no real waiting before retries: the waits asked for are recorded instead. */
	const options = recordingStreamOptions;

	async function failure(pending: Promise<unknown>, kind: FrontierErrorKind): Promise<FrontierError> {
		const error = await frontierFailure(pending, kind);
		errorsSeen.push(error);
		return error;
	}

	const reportAfter = (count: number) => waitFor('the generation report', () => reports[count], 10_000);
	/** Chat requests the server took on, all tests together: each answered 200 is one generation, which reports as it ends. */
	const generationsStarted = () =>
		proxy.requests.filter((arrival) => arrival.path.endsWith('/chat/completions') && arrival.status === 200).length;
	/** The number of reports once every earlier generation has reported (a client can finish before the server's report). */
	const settledReports = () =>
		waitFor('earlier generations to report', () => (reports.length >= generationsStarted() ? reports.length : undefined), 10_000);

	before(async function () {
		const loaded = await loadTinyFimOnOneThread();
		chat = new ChatEngine(loaded, { logger: silentLogger, contextSize: 1024 });
		server = await startOpenAiServer({
			chat,
			modelId: MODEL,
			apiKey: KEY,
			onGenerationEnd: (report) => void reports.push(report),
		});
		proxy = await TeamServerFaultProxy.start(server.url);
	});

	beforeEach(function () {
		firstOfTest = proxy.requests.length;
	});

	afterEach(function () {
		proxy?.setFaults({});
	});

	after(async function () {
		await proxy?.close();
		await server?.close();
		await chat?.dispose();
		for (const error of errorsSeen) {
			for (const key of [KEY, WRONG_KEY]) {
				assert.ok(
					!error.message.includes(key) && !String(error.stack).includes(key) && !JSON.stringify(error).includes(key),
					`a ${error.kind} error repeats an API key`,
				);
			}
		}
	});

	it('streams the answer: onText grows to the whole text, with usage, in one attempt', async function () {
		const { options: streamOptions, texts } = options();
		const answer = await streamFrontierAnswer(endpoint(), request, streamOptions);
		assert.ok(texts.length > 1, `${texts.length} updates`);
		texts.forEach(
			(text, index) => index > 0 && assert.ok(text.startsWith(texts[index - 1]!) && text.length > texts[index - 1]!.length),
		);
		assert.equal(answer.text, texts.at(-1));
		assert.equal(answer.finishReason, 'length');
		assert.equal(answer.attempts, 1);
		assert.equal(answer.usage?.completionTokens, 24);
		assert.ok(answer.usage!.promptTokens > 50);
		assert.ok(answer.durationMs > 0);
		assert.equal(arrivals().length, 1);
	});

	it('sends exactly the previewed messages (redacted), the model, stream and the token limit, and nothing about this machine', async function () {
		await streamFrontierAnswer(endpoint({ organization: 'org-hearth' }), request, options().options);
		assert.equal(arrivals().length, 1);
		const body = JSON.parse(arrivals()[0]!.body) as Record<string, unknown>;
		assert.deepEqual(body, {
			model: MODEL,
			messages: request.messages,
			stream: true,
			stream_options: { include_usage: true },
			max_tokens: 24,
		});
		assert.equal(
			formatPreview(body.messages as OutgoingRequest['messages']),
			request.previewText,
			'the preview shows exactly what the server received',
		);
		assert.ok(!JSON.stringify(body).includes(GITHUB_TOKEN), 'the secret stayed here');
		assert.ok(JSON.stringify(body).includes('[REDACTED github-personal-access-token]'));
		const headers = arrivals()[0]!.headers;
		assert.equal(headers.authorization, `Bearer ${KEY}`);
		assert.equal(headers['openai-organization'], 'org-hearth');
		assert.equal(headers['openai-project'], undefined);
		assert.deepEqual(
			Object.keys(headers).filter((name) => /^x-stainless-(os|arch|runtime)/.test(name)),
			[],
		);
	});

	it('reports a rejected key (401) without retrying and without repeating the key', async function () {
		const error = await failure(streamFrontierAnswer(endpoint({ apiKey: WRONG_KEY }), request, options().options), 'unauthorized');
		assert.equal(error.status, 401);
		assert.equal(error.attempts, 1);
		assert.equal(error.retryable, false);
		assert.match(
			error.message,
			/^127\.0\.0\.1:\d+ rejected the API key \(401\)\. Set a new one with “Hearth: Set Frontier API Key”\.$/,
		);
		assert.deepEqual(
			arrivals().map((arrival) => arrival.status),
			[401],
			'one request, refused by the server itself',
		);
	});

	it('sends nothing without a key', async function () {
		const error = await failure(streamFrontierAnswer(endpoint({ apiKey: '' }), request, options().options), 'no-key');
		assert.equal(error.attempts, 0);
		assert.equal(arrivals().length, 0);
	});

	it('retries 429 after the Retry-After wait, then answers', async function () {
		proxy.setFaults({ failNext: { status: 429, count: 2 } });
		const { options: streamOptions, sleeps } = options();
		const answer = await streamFrontierAnswer(endpoint(), request, streamOptions);
		assert.equal(answer.attempts, 3);
		assert.deepEqual(sleeps, [1000, 1000], 'the server’s Retry-After: 1');
		assert.equal(arrivals().length, 3);
		assert.equal(answer.finishReason, 'length');
	});

	it('does not retry 429 sooner than the server asks, when that is beyond the cap', async function () {
		proxy.setFaults({ failNext: { status: 429, count: 1 } });
		const { options: streamOptions, sleeps } = options({ retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 500 } });
		const error = await failure(streamFrontierAnswer(endpoint(), request, streamOptions), 'rate-limited');
		assert.deepEqual([error.status, error.attempts, sleeps.length, arrivals().length], [429, 1, 0, 1]);
		assert.match(error.message, /rate-limiting requests \(429\) and asks to wait 1 s\. That is longer than Hearth waits on its own\./);
	});

	it('gives up on 429 after the retries allowed', async function () {
		proxy.setFaults({ failNext: { status: 429, count: 5 } });
		const error = await failure(streamFrontierAnswer(endpoint(), request, options().options), 'rate-limited');
		assert.deepEqual([error.attempts, arrivals().length, error.retryable], [3, 3, true]);
	});

	it('does not retry 500: exactly one request reaches the server', async function () {
		proxy.setFaults({ failNext: { status: 500, count: 1 } });
		const { options: streamOptions, sleeps } = options({ retry: { maxRetries: 5, baseDelayMs: 10, maxDelayMs: 100 } });
		const error = await failure(streamFrontierAnswer(endpoint(), request, streamOptions), 'server-error');
		assert.deepEqual([error.status, error.attempts, error.retryable, sleeps.length, arrivals().length], [500, 1, false, 0, 1]);
		assert.match(error.message, /internal error \(500\)\. Hearth does not retry this on its own/);
	});

	it('retries 503 with backoff, then answers', async function () {
		proxy.setFaults({ failNext: { status: 503, count: 1 } });
		const { options: streamOptions, sleeps } = options();
		const answer = await streamFrontierAnswer(endpoint(), request, streamOptions);
		assert.equal(answer.attempts, 2);
		assert.equal(sleeps.length, 1);
		assert.ok(sleeps[0]! >= 5 && sleeps[0]! <= 10, `waited ${sleeps[0]} ms`);
		assert.equal(arrivals().length, 2);
	});

	it('reports a malformed stream, without retrying', async function () {
		proxy.setFaults({ malformedJsonNext: true });
		const error = await failure(streamFrontierAnswer(endpoint(), request, options().options), 'malformed');
		assert.equal(error.attempts, 1);
		assert.match(
			error.message,
			/not valid JSON in OpenAI’s streaming format\. Check that the base URL points at an OpenAI-compatible API/,
		);
	});

	it('keeps the partial text of a stream closed mid-answer, without retrying; the generation behind stops', async function () {
		proxy.setFaults({ closeMidStreamAfterChunks: 4 });
		const seen = await settledReports();
		const { options: streamOptions, texts } = options();
		const error = await failure(streamFrontierAnswer(endpoint({ maxOutputTokens: 500 }), request, streamOptions), 'closed-mid-stream');
		assert.ok(error.partialText.length > 0);
		assert.equal(error.partialText, texts.at(-1));
		assert.equal(texts.length, 3, 'the role chunk, then three deltas');
		assert.equal(error.attempts, 1);
		assert.match(
			error.message,
			new RegExp(`closed before the answer was complete \\(${error.partialText.length} characters had arrived and are kept\\)`),
		);
		const report = await reportAfter(seen);
		assert.equal(report.stopReason, 'cancelled');
	});

	it('times out when no first byte arrives within the timeout', async function () {
		proxy.setFaults({ delayFirstByteMs: 3_000 });
		const startedAt = performance.now();
		const error = await failure(streamFrontierAnswer(endpoint({ timeoutMs: 300 }), request, options().options), 'timeout');
		// Not before the timeout (a lower bound that load cannot break); not after the first byte either, or the answer would have come.
		const elapsed = performance.now() - startedAt;
		assert.ok(elapsed >= 290, `gave up after ${Math.round(elapsed)} ms`);
		assert.equal(error.attempts, 1, 'a request that may have been processed is not sent again');
		assert.match(error.message, /sent nothing for 0\.3 s before the answer started/);
	});

	it('times out when the stream stalls mid-answer, keeping what arrived', async function () {
		proxy.setFaults({ stallMidStreamAfterChunks: 3 });
		const seen = await settledReports();
		// The stall lasts for ever: without the timeout this test would end only at its own time limit.
		const error = await failure(
			streamFrontierAnswer(endpoint({ timeoutMs: 300, maxOutputTokens: 800 }), request, options().options),
			'timeout',
		);
		assert.ok(error.partialText.length > 0);
		assert.match(error.message, /sent nothing for 0\.3 s mid-answer/);
		// Giving up closed the connection: the generation that went on unseen stops.
		const report = await reportAfter(seen);
		assert.deepEqual([report.clientDisconnected, report.stopReason], [true, 'cancelled']);
	});

	it('stops promptly when cancelled mid-stream, and the server’s generation ends', async function () {
		const seen = await settledReports();
		const controller = new AbortController();
		const { options: streamOptions } = options({
			signal: controller.signal,
			onText: (text) => {
				if (text.length > 0 && !controller.signal.aborted) {
					controller.abort();
				}
			},
		});
		const error = await failure(streamFrontierAnswer(endpoint({ maxOutputTokens: 800 }), request, streamOptions), 'cancelled');
		assert.ok(error.partialText.length > 0);
		const report = await reportAfter(seen);
		assert.deepEqual([report.clientDisconnected, report.stopReason], [true, 'cancelled']);
		assert.ok(report.generatedTokens < 200, `${report.generatedTokens} of up to 800 tokens generated`);
	});

	it('stops promptly when cancelled while waiting to retry', async function () {
		proxy.setFaults({ failNext: { status: 429, count: 1 } });
		const controller = new AbortController();
		// The real abortable sleep, stretched to an hour: only the abort can end it before the test's own time limit.
		const { options: streamOptions } = options({
			signal: controller.signal,
			sleep: (_ms, signal) => {
				queueMicrotask(() => controller.abort());
				return abortableSleep(3_600_000, signal);
			},
		});
		const error = await failure(streamFrontierAnswer(endpoint(), request, streamOptions), 'cancelled');
		assert.equal(error.attempts, 1);
		assert.equal(arrivals().length, 1);
	});

	it('reports a closed port as unreachable, naming the URL, after retrying the refused connection', async function () {
		const closedPort = await freePort();
		const baseUrl = `http://127.0.0.1:${closedPort}/v1`;
		const { options: streamOptions, sleeps } = options();
		const error = await failure(streamFrontierAnswer(endpoint({ baseUrl }), request, streamOptions), 'unreachable');
		assert.equal(error.attempts, 3);
		assert.equal(sleeps.length, 2);
		assert.equal(
			error.message,
			`Could not connect to ${baseUrl} (connection refused: nothing is listening there) after 3 attempts. Check the base URL, your network connection and any proxy.`,
		);
	});

	it('retries a connection reset before any answer', async function () {
		const resetting = net.createServer((socket) => socket.resetAndDestroy());
		await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
		try {
			const baseUrl = `http://127.0.0.1:${(resetting.address() as net.AddressInfo).port}/v1`;
			const error = await failure(streamFrontierAnswer(endpoint({ baseUrl }), request, options().options), 'unreachable');
			assert.equal(error.attempts, 3);
			assert.match(error.message, /the connection was reset/);
		} finally {
			await new Promise((resolve) => resetting.close(resolve));
		}
	});

	it('suggests /v1 when the base URL path is wrong (404)', async function () {
		const baseUrl = proxy.url.replace(/\/v1$/, '');
		const error = await failure(streamFrontierAnswer(endpoint({ baseUrl }), request, options().options), 'not-found');
		assert.deepEqual([error.status, error.attempts], [404, 1]);
		assert.match(
			error.message,
			new RegExp(
				`404 Not Found for ${baseUrl.replace(/[.]/g, '\\.')}/chat/completions with model “${MODEL}”\\. Check the model name, and the base URL: it usually ends in /v1\\.`,
			),
		);
	});

	it('reports a request longer than the model’s context as context-too-long', async function () {
		const long = buildOutgoingRequest(
			{ kind: 'explain', code: 'word '.repeat(1500), languageId: 'plaintext', filePath: 'long.txt' },
			{ redact: true },
		);
		const error = await failure(streamFrontierAnswer(endpoint(), long, options().options), 'context-too-long');
		assert.deepEqual([error.status, error.attempts], [400, 1]);
		assert.match(
			error.message,
			/too long for hearth-tiny-fim’s context window\. Select less code, or choose a model with a longer context\. The server said: This model's context holds 1024 tokens/,
		);
	});
});

/** A port nothing listens on: one the system just handed out and took back. */
async function freePort(): Promise<number> {
	const probe = net.createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as net.AddressInfo;
	await new Promise((resolve) => probe.close(resolve));
	return port;
}
