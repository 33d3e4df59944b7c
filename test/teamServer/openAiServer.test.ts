import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { OpenAiCompletionBackend } from '../../src/engine/remote/openAiCompletionBackend.js';
import { startOpenAiServer, type GenerationReport, type OpenAiServer } from '../../src/teamServer/openAiServer.js';
import { TeamServerFaultProxy } from '../helpers/teamServerFaults.js';
import { waitFor } from '../helpers/waitFor.js';
import { loadTinyFimOnOneThread } from '../helpers/tinyModel.js';

const MODEL = 'hearth-tiny-fim';
const KEY = 'team-key';
// At top level, so that post-processing lets a long completion run; mid-line, because on an empty line
// token healing lets this random model pick a run of blank lines, which ends it at once.
const PREFIX = 'export const a = 1;\nexport const ';
const SUFFIX = '\nexport const b = 2;\n';
const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [
	{ role: 'system', content: 'You explain code briefly.' },
	{ role: 'user', content: 'Explain: const a = 1;' },
];

/** Real model, real engines, real HTTP on 127.0.0.1, and the official openai client. */
describe('serve: the OpenAI-compatible server, driven by the official openai client', function () {
	let completions: CompletionEngine;
	let chat: ChatEngine;
	let server: OpenAiServer;
	let openai: OpenAI;
	const reports: GenerationReport[] = [];

	/** The next generation report after `count` had been seen. */
	const reportAfter = (count: number) => waitFor('the generation report', () => reports[count], 10_000);

	before(async function () {
		const loaded = await loadTinyFimOnOneThread();
		completions = new CompletionEngine(loaded, silentLogger);
		chat = new ChatEngine(loaded, { logger: silentLogger, contextSize: 1024 });
		server = await startOpenAiServer({
			completions,
			chat,
			modelId: MODEL,
			apiKey: KEY,
			onGenerationEnd: (report) => void reports.push(report),
		});
		// No retries unless a test is about them: each fault must reach the assertion as it was sent.
		openai = new OpenAI({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
	});

	after(async function () {
		await server?.close();
		await chat?.dispose();
		await completions?.dispose();
	});

	it('listens on 127.0.0.1 and lists its one model', async function () {
		assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
		const models = await openai.models.list();
		assert.deepEqual(
			models.data.map(({ id, object, owned_by }) => ({ id, object, owned_by })),
			[{ id: MODEL, object: 'model', owned_by: 'hearth' }],
		);
		assert.equal(typeof models.data[0]!.created, 'number');
		assert.equal((await openai.models.retrieve(MODEL)).id, MODEL);
		await assert.rejects(openai.models.retrieve('gpt-4'), OpenAI.NotFoundError);
	});

	it('fills in the middle through /completions with a suffix, as the engine does', async function () {
		const answer = await openai.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 8, temperature: 0 });
		assert.equal(answer.object, 'text_completion');
		assert.equal(answer.model, MODEL);
		assert.match(answer.id, /^cmpl-/);
		const choice = answer.choices[0]!;
		assert.equal(choice.index, 0);
		assert.equal(choice.logprobs, null);
		assert.ok(choice.finish_reason === 'length' || choice.finish_reason === 'stop');
		const local = await completions.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 8, mode: 'multi-line', useCache: false });
		assert.equal(choice.text, local.text, 'greedy decoding: the same text as the engine called directly');
		assert.deepEqual(answer.usage, {
			prompt_tokens: local.stats.promptTokens,
			completion_tokens: local.stats.generatedTokens,
			total_tokens: local.stats.promptTokens + local.stats.generatedTokens,
		});
		assert.ok(local.stats.generatedTokens > 0 && local.stats.generatedTokens <= 8);
		// The suffix reaches the prompt: a longer one makes a longer prompt.
		const longerSuffix = await openai.completions.create({
			model: MODEL,
			prompt: PREFIX,
			suffix: `${SUFFIX}export const c = 3;\n`,
			max_tokens: 1,
		});
		assert.ok(longerSuffix.usage!.prompt_tokens > answer.usage!.prompt_tokens);
	});

	it('streams /completions as server-sent text deltas that add up to the whole answer', async function () {
		const whole = await openai.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 24 });
		const stream = await openai.completions.create({
			model: MODEL,
			prompt: PREFIX,
			suffix: SUFFIX,
			max_tokens: 24,
			stream: true,
			stream_options: { include_usage: true },
		});
		let text = '';
		let deltas = 0;
		const finishes: (string | null)[] = [];
		let usage: OpenAI.CompletionUsage | undefined;
		for await (const chunk of stream) {
			assert.equal(chunk.object, 'text_completion');
			const choice = chunk.choices[0];
			if (choice) {
				text += choice.text;
				deltas += choice.text === '' ? 0 : 1;
				finishes.push(choice.finish_reason);
			}
			usage = chunk.usage ?? usage;
		}
		assert.ok(deltas > 1, `streamed in ${deltas} delta(s)`);
		assert.equal(text, whole.choices[0]!.text);
		assert.equal(finishes.at(-1), whole.choices[0]!.finish_reason, 'the last choice carries the finish reason');
		assert.ok(finishes.slice(0, -1).every((finish) => finish === null));
		assert.deepEqual(usage, whole.usage);
	});

	it('answers /chat/completions with the chat engine', async function () {
		const answer = await openai.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 12, temperature: 0 });
		assert.equal(answer.object, 'chat.completion');
		assert.match(answer.id, /^chatcmpl-/);
		const choice = answer.choices[0]!;
		assert.equal(choice.message.role, 'assistant');
		assert.equal(choice.finish_reason, 'length');
		const local = await chat.generate({ messages: MESSAGES as { role: 'system' | 'user'; content: string }[], maxTokens: 12 });
		assert.equal(choice.message.content, local.text);
		assert.deepEqual(answer.usage, {
			prompt_tokens: local.stats.promptTokens,
			completion_tokens: 12,
			total_tokens: local.stats.promptTokens + 12,
		});
	});

	it("serves Hearth's own remote completion backend the same completion as the local engine", async function () {
		const backend = await OpenAiCompletionBackend.connect({ baseUrl: server.url, model: '', apiKey: KEY, logger: silentLogger });
		try {
			const request = { prefix: PREFIX, suffix: SUFFIX, maxTokens: 12, mode: 'multi-line' as const, useCache: false };
			const remote = await backend.complete(request);
			const local = await completions.complete(request);
			assert.equal(remote.text, local.text);
			assert.equal(remote.stats.promptTokens, local.stats.promptTokens, 'usage arrives with the stream');
		} finally {
			await backend.dispose();
		}
	});

	it('streams /chat/completions as chunks: the role first, content deltas, then the finish reason', async function () {
		const whole = await openai.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 20 });
		const stream = await openai.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 20, stream: true });
		const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
		for await (const chunk of stream) {
			chunks.push(chunk);
		}
		assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0]!.id));
		assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
		const last = chunks.at(-1)!.choices[0]!;
		assert.equal(last.finish_reason, 'length');
		assert.deepEqual(last.delta, {});
		const contents = chunks.slice(1, -1).map((chunk) => chunk.choices[0]!.delta.content);
		assert.ok(
			contents.length > 1 && contents.every((content) => typeof content === 'string' && content !== ''),
			JSON.stringify(contents),
		);
		assert.equal(contents.join(''), whole.choices[0]!.message.content);
	});

	it('refuses a wrong API key with 401', async function () {
		const stranger = new OpenAI({ baseURL: server.url, apiKey: 'wrong-key', maxRetries: 0 });
		await assert.rejects(stranger.models.list(), (error: unknown) => {
			assert.ok(error instanceof OpenAI.AuthenticationError);
			assert.equal(error.status, 401);
			assert.equal(error.code, 'invalid_api_key');
			return true;
		});
		const response = await fetch(`${server.url}/models`);
		assert.equal(response.status, 401, 'no key at all');
	});

	it("answers a body that is not JSON, or lacks what the route needs, with 400 in OpenAI's error shape", async function () {
		const response = await fetch(`${server.url}/chat/completions`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
			body: '{"model": "x", "messages": [',
		});
		assert.equal(response.status, 400);
		const body = (await response.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
		assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
		assert.equal(body.error.type, 'invalid_request_error');
		assert.match(body.error.message, /not valid JSON/);
		await assert.rejects(
			openai.chat.completions.create({ model: MODEL, messages: [] }),
			(error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'messages',
		);
		await assert.rejects(
			openai.completions.create({ model: MODEL, prompt: undefined as unknown as string }),
			(error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'prompt',
		);
	});

	it('answers an unknown route with 404', async function () {
		const response = await fetch(`${server.url}/embeddings`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: '{}',
		});
		assert.equal(response.status, 404);
		const body = (await response.json()) as { error: { type: string; code: string } };
		assert.equal(body.error.type, 'not_found_error');
		await assert.rejects(openai.embeddings.create({ model: MODEL, input: 'x' }), OpenAI.NotFoundError);
	});

	it('answers a conversation longer than the chat context with 400 context_length_exceeded', async function () {
		const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'word '.repeat(1500) }];
		for (const stream of [false, true]) {
			await assert.rejects(openai.chat.completions.create({ model: MODEL, messages, max_tokens: 5, stream }), (error: unknown) => {
				assert.ok(error instanceof OpenAI.BadRequestError, String(error));
				assert.equal(error.code, 'context_length_exceeded');
				assert.match(error.message, /context holds 1024 tokens/);
				return true;
			});
		}
	});

	it('stops generating when the client leaves a chat stream half way', async function () {
		const seen = reports.length;
		const stream = await openai.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 800, stream: true });
		let chunks = 0;
		for await (const _chunk of stream) {
			if (++chunks === 3) {
				break; // leaving the loop aborts the HTTP request
			}
		}
		const report = await reportAfter(seen);
		assert.equal(report.route, '/v1/chat/completions');
		assert.equal(report.clientDisconnected, true);
		assert.equal(report.stopReason, 'cancelled');
		assert.ok(report.generatedTokens < 100, `${report.generatedTokens} of up to 800 tokens generated`);
		assert.equal(report.finishReason, null);
	});

	it('stops generating when the client of a whole (unstreamed) answer leaves', async function () {
		const seen = reports.length;
		const controller = new AbortController();
		const pending = openai.chat.completions.create(
			{ model: MODEL, messages: MESSAGES, max_tokens: 800 },
			{ signal: controller.signal },
		);
		// 800 tokens take over a second: 100 ms in, the request is at the engine and mid-generation.
		setTimeout(() => controller.abort(), 100);
		await assert.rejects(pending, OpenAI.APIUserAbortError);
		const report = await reportAfter(seen);
		assert.deepEqual(
			[report.route, report.stream, report.clientDisconnected, report.stopReason],
			['/v1/chat/completions', false, true, 'cancelled'],
		);
		assert.ok(report.generatedTokens < 800, `${report.generatedTokens} tokens generated`);
	});

	it('stops generating when the client leaves a completion stream half way', async function () {
		const whole = await openai.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 400 });
		assert.ok(whole.usage!.completion_tokens >= 60, `an uninterrupted answer must be long (${whole.usage!.completion_tokens} tokens)`);
		const seen = reports.length;
		const stream = await openai.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 400, stream: true });
		let chunks = 0;
		for await (const _chunk of stream) {
			if (++chunks === 2) {
				stream.controller.abort();
				break;
			}
		}
		const report = await reportAfter(seen);
		assert.deepEqual([report.route, report.clientDisconnected, report.stopReason], ['/v1/completions', true, 'cancelled']);
		assert.ok(
			report.generatedTokens < whole.usage!.completion_tokens / 2,
			`${report.generatedTokens} of ${whole.usage!.completion_tokens} tokens generated`,
		);
	});

	it('queues requests per engine and answers 429 with Retry-After beyond the queue limit', async function () {
		const strict = await startOpenAiServer({ completions, chat, modelId: MODEL, maxQueuedRequests: 0 });
		try {
			const client = new OpenAI({ baseURL: strict.url, apiKey: 'unused', maxRetries: 0 });
			const running = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 800, stream: true });
			const iterator = running[Symbol.asyncIterator]();
			await iterator.next(); // the first chunk: the request holds the chat engine now
			await assert.rejects(client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 2 }), (error: unknown) => {
				assert.ok(error instanceof OpenAI.RateLimitError, String(error));
				assert.equal(error.headers.get('retry-after'), '1');
				return true;
			});
			// The limit is per engine: completions are still served meanwhile.
			const completion = await client.completions.create({ model: MODEL, prompt: PREFIX, max_tokens: 2 });
			assert.equal(completion.choices.length, 1);
			running.controller.abort();
			// Once the running request has gone, the engine takes requests again.
			const after = await waitForAnswer(() => client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 2 }));
			assert.equal(after.choices[0]!.finish_reason, 'length');
		} finally {
			await strict.close();
		}
	});

	/** The proxy that makes this server misbehave for the client suites (test/helpers/teamServerFaults.ts): its faults must reach a real client. */
	describe('behind the fault proxy (for testing clients against this real server)', function () {
		let proxy: TeamServerFaultProxy;
		let viaProxy: OpenAI;

		before(async function () {
			proxy = await TeamServerFaultProxy.start(server.url);
			viaProxy = new OpenAI({ baseURL: proxy.url, apiKey: KEY, maxRetries: 0 });
		});

		afterEach(function () {
			proxy.setFaults({});
		});

		after(async function () {
			await proxy?.close();
		});

		it('forwards requests and answers unchanged, whole and streamed, and records what arrived', async function () {
			const seen = proxy.requests.length;
			const direct = await openai.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 8 });
			const proxied = await viaProxy.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 8 });
			assert.equal(proxied.choices[0]!.text, direct.choices[0]!.text);
			const stream = await viaProxy.completions.create({ model: MODEL, prompt: PREFIX, suffix: SUFFIX, max_tokens: 8, stream: true });
			let streamed = '';
			for await (const chunk of stream) {
				streamed += chunk.choices[0]?.text ?? '';
			}
			assert.equal(streamed, direct.choices[0]!.text);
			const recorded = proxy.requests.slice(seen);
			assert.deepEqual(
				recorded.map(({ method, path, status }) => ({ method, path, status })),
				[
					{ method: 'POST', path: '/v1/completions', status: 200 },
					{ method: 'POST', path: '/v1/completions', status: 200 },
				],
			);
			assert.equal(recorded[0]!.headers.authorization, `Bearer ${KEY}`);
			assert.equal(JSON.parse(recorded[1]!.body).stream, true);
		});

		it('failNext answers the next requests with the status, then serves again', async function () {
			proxy.setFaults({ failNext: { status: 429, count: 1 } });
			await assert.rejects(
				viaProxy.models.list(),
				(error: unknown) => error instanceof OpenAI.RateLimitError && error.headers.get('retry-after') === '1',
			);
			assert.equal((await viaProxy.models.list()).data.length, 1);

			proxy.setFaults({ failNext: { status: 500, count: 2 } });
			await assert.rejects(
				viaProxy.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 2 }),
				(error: unknown) => error instanceof OpenAI.InternalServerError && error.status === 500,
			);
			// The client's own retry gets past the second failure.
			const retrying = new OpenAI({ baseURL: proxy.url, apiKey: KEY, maxRetries: 1 });
			const answer = await retrying.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 2 });
			assert.equal(answer.choices[0]!.finish_reason, 'length');

			proxy.setFaults({ failNext: { status: 401, count: 1 } });
			await assert.rejects(viaProxy.models.list(), OpenAI.AuthenticationError);
		});

		it('malformedJsonNext sends one answer that is not JSON, whole or streamed', async function () {
			proxy.setFaults({ malformedJsonNext: true });
			await assert.rejects(viaProxy.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 2 }), SyntaxError);
			assert.equal(
				(await viaProxy.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 2 })).object,
				'chat.completion',
				'only the next answer',
			);

			proxy.setFaults({ malformedJsonNext: true });
			// Quiet: the client would otherwise log the unparsable event before it throws.
			const quiet = new OpenAI({ baseURL: proxy.url, apiKey: KEY, maxRetries: 0, logLevel: 'off' });
			const stream = await quiet.completions.create({ model: MODEL, prompt: PREFIX, max_tokens: 4, stream: true });
			await assert.rejects(
				(async () => {
					for await (const _chunk of stream) {
						// draining
					}
				})(),
				SyntaxError,
			);
		});

		it('closeMidStreamAfterChunks cuts streams without [DONE], and the generation behind stops', async function () {
			proxy.setFaults({ closeMidStreamAfterChunks: 3 });
			const seen = reports.length;
			const stream = await viaProxy.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 500, stream: true });
			let chunks = 0;
			await assert.rejects(
				(async () => {
					for await (const _chunk of stream) {
						chunks++;
					}
				})(),
				(error: unknown) => error instanceof Error && /terminated/.test(error.message),
			);
			assert.equal(chunks, 3);
			const report = await reportAfter(seen);
			assert.equal(report.stopReason, 'cancelled');
			assert.ok(report.generatedTokens < 100, `${report.generatedTokens} tokens generated`);
		});

		it('delayFirstByteMs makes a slow server, which a client timeout gives up on', async function () {
			proxy.setFaults({ delayFirstByteMs: 400 });
			await assert.rejects(viaProxy.models.list({ timeout: 100 }), OpenAI.APIConnectionTimeoutError);
			const startedAt = performance.now();
			await viaProxy.models.list();
			assert.ok(performance.now() - startedAt >= 390, `answered after ${Math.round(performance.now() - startedAt)} ms`);
		});
	});
});

/** The request's answer, retried while the server still says 429 (the aborted request is still unwinding). */
async function waitForAnswer<T>(send: () => Promise<T>): Promise<T> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		try {
			return await send();
		} catch (error) {
			if (!(error instanceof OpenAI.RateLimitError) || Date.now() > deadline) {
				throw error;
			}
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}
}
