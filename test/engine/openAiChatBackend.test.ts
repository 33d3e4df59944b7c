import assert from 'node:assert/strict';
import { loadTinyInstructOnOneThread } from '../helpers/tinyModel.js';
import type http from 'node:http';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import type { ChatMessage } from '../../src/engine/chat/chatTypes.js';
import { silentLogger, type Logger } from '../../src/engine/logger.js';
import { OpenAiChatBackend } from '../../src/engine/remote/openAiChatBackend.js';
import type { LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { startOpenAiServer, type GenerationReport, type OpenAiServer } from '../../src/teamServer/openAiServer.js';
import {
	chunk,
	failWith,
	HostileServer,
	redirect,
	steadyStream,
	type HostileHandler,
	type RecordedRequest,
} from '../helpers/hostileServers.js';
import { waitFor } from '../helpers/waitFor.js';

const MESSAGES: ChatMessage[] = [
	{ role: 'system', content: 'You explain code briefly.' },
	{ role: 'user', content: 'Explain: const total = items.reduce((sum, item) => sum + item.price, 0);' },
];

/** /models lists one model; /chat/completions is answered by `chat`. */
function openAiLike(chat: HostileHandler): HostileHandler {
	return (request, response) => {
		if (request.path.endsWith('/models')) {
			response
				.writeHead(200, { 'Content-Type': 'application/json' })
				.end(JSON.stringify({ object: 'list', data: [{ id: 'hostile-chat' }] }));
			return;
		}
		return chat(request, response);
	};
}

/** A streamed answer whose chunks carry OpenAI's `logprobs.content`, one entry per piece. */
function answerWithLogprobs(pieces: readonly { text: string; logprob: number }[]): HostileHandler {
	return (_request, response: http.ServerResponse) => {
		response.writeHead(200, { 'Content-Type': 'text/event-stream' });
		for (const piece of pieces) {
			const event = chunk({ content: piece.text });
			(event.choices as Record<string, unknown>[])[0]!.logprobs = {
				content: [{ token: piece.text, logprob: piece.logprob, top_logprobs: [] }],
			};
			response.write(`data: ${JSON.stringify(event)}\n\n`);
		}
		response.write(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\n`);
		response.end('data: [DONE]\n\n');
	};
}

const bodyOf = (request: RecordedRequest) => JSON.parse(request.body) as Record<string, unknown>;

describe('chat model on an OpenAI-compatible server (real HTTP on 127.0.0.1)', function () {
	this.timeout(300_000);

	describe("against Hearth's own team server, real inference behind it", function () {
		let loaded: LoadedModel;
		let engine: ChatEngine;
		let team: OpenAiServer;
		const reports: GenerationReport[] = [];

		before(async function () {
			loaded = await loadTinyInstructOnOneThread();
			engine = new ChatEngine(loaded, { logger: silentLogger, threads: 1, contextSize: 1024 });
			team = await startOpenAiServer({
				chat: engine,
				modelId: 'hearth-chat',
				apiKey: 'team-key',
				onGenerationEnd: (report) => reports.push(report),
			});
		});

		after(async function () {
			await team?.close();
			await engine?.dispose();
			await loaded?.dispose();
		});

		it('streams the answer in pieces that add up to it, with the API key, and the same answer as the engine gives', async function () {
			const backend = await OpenAiChatBackend.connect({ baseUrl: team.url, model: '', apiKey: 'team-key', logger: silentLogger });
			assert.equal(backend.model, 'hearth-chat', 'the first model the server lists');
			const pieces: string[] = [];
			const result = await backend.generate({ messages: MESSAGES, maxTokens: 24, onText: (delta) => pieces.push(delta) });
			assert.ok(pieces.length >= 2, `streamed in several pieces (${pieces.length})`);
			assert.equal(pieces.join(''), result.text);
			assert.equal(result.stats.generatedTokens, 24, 'the usage the server reports');
			assert.equal(result.stopReason, 'max-tokens');
			assert.equal(result.confidence, undefined, 'the team server returns no logprobs');
			const direct = await engine.generate({ messages: MESSAGES, maxTokens: 24 });
			assert.equal(result.text, direct.text, 'greedy decoding: the server answers as the engine does');
			await assert.rejects(
				OpenAiChatBackend.connect({ baseUrl: team.url, model: '', apiKey: 'wrong', logger: silentLogger }),
				/HTTP 401.*API key/s,
			);
		});

		it('stops when the signal aborts: the request is dropped and the server stops generating', async function () {
			const backend = await OpenAiChatBackend.connect({
				baseUrl: team.url,
				model: 'hearth-chat',
				apiKey: 'team-key',
				logger: silentLogger,
			});
			const abort = new AbortController();
			const before = reports.length;
			let text = '';
			const result = await backend.generate({
				messages: MESSAGES,
				maxTokens: 400,
				signal: abort.signal,
				onText: (delta) => {
					text += delta;
					abort.abort();
				},
			});
			assert.equal(result.stopReason, 'cancelled');
			assert.equal(result.text, text);
			const report = await waitFor('the team server to end the generation', () => reports[before]);
			assert.equal(report.clientDisconnected, true);
			assert.ok(report.generatedTokens < 400, `generation stopped early (${report.generatedTokens} tokens)`);
		});
	});

	describe('against hostile and partial servers', function () {
		const servers: HostileServer[] = [];
		const start = async (handler: HostileHandler, host?: string) => {
			const server = await HostileServer.start(handler, host);
			servers.push(server);
			return server;
		};

		after(async function () {
			await Promise.all(servers.map((server) => server.close()));
		});

		it('reads the confidence from the logprobs the server returns, and asks for them', async function () {
			const server = await start(
				openAiLike(
					answerWithLogprobs([
						{ text: 'Adds ', logprob: -0.1 },
						{ text: 'the ', logprob: -0.5 },
						{ text: 'prices.', logprob: -2.4 },
					]),
				),
			);
			const backend = await OpenAiChatBackend.connect({ baseUrl: server.baseUrl, model: '', apiKey: 'k1', logger: silentLogger });
			const result = await backend.generate({ messages: MESSAGES, maxTokens: 32 });
			assert.equal(result.text, 'Adds the prices.');
			assert.ok(result.confidence);
			assert.equal(result.confidence.scoredTokens, 3);
			assert.ok(Math.abs(result.confidence.meanLogProb - -1) < 1e-9);
			assert.equal(result.confidence.minLogProb, -2.4);
			const request = server.requests.at(-1)!;
			assert.equal(request.path, '/v1/chat/completions');
			assert.equal(request.headers.authorization, 'Bearer k1');
			const body = bodyOf(request);
			assert.equal(body.logprobs, true);
			assert.equal(body.stream, true);
			assert.equal(body.model, 'hostile-chat');
			assert.deepEqual(body.messages, MESSAGES);
		});

		it('asks again without logprobs when the server refuses the field, and answers without a confidence', async function () {
			let refused = 0;
			const pieces = steadyStream({ text: 'ok ', everyMs: 1, chunks: 3 });
			const server = await start(
				openAiLike((request, response) => {
					if (bodyOf(request).logprobs !== undefined) {
						refused++;
						response.writeHead(400, { 'Content-Type': 'application/json' });
						response.end(JSON.stringify({ error: { message: 'logprobs is not supported', type: 'invalid_request_error' } }));
						return;
					}
					return pieces(request, response);
				}),
			);
			const warnings: string[] = [];
			const logger: Logger = { ...silentLogger, warn: (message) => void warnings.push(message) };
			const backend = await OpenAiChatBackend.connect({ baseUrl: server.baseUrl, model: '', logger });
			const first = await backend.generate({ messages: MESSAGES, maxTokens: 8 });
			assert.equal(first.text, 'ok ok ok ');
			assert.equal(first.confidence, undefined);
			const second = await backend.generate({ messages: MESSAGES, maxTokens: 8 });
			assert.equal(second.text, first.text);
			assert.equal(refused, 1, 'asked with logprobs once, then without');
			assert.match(warnings.join('\n'), /refuses logprobs/);
		});

		it('refuses a redirect, at connection and on an answer: nothing reaches the other host', async function () {
			const elsewhere = await start(openAiLike(answerWithLogprobs([{ text: 'stolen', logprob: -1 }])), '127.0.0.2');
			const atConnect = await start(redirect(307, `${elsewhere.baseUrl}/models`));
			await assert.rejects(
				OpenAiChatBackend.connect({ baseUrl: atConnect.baseUrl, model: '', logger: silentLogger }),
				/redirect \(HTTP 307 to http:\/\/127\.0\.0\.2:\d+\/v1\/models\), which Hearth does not follow/,
			);
			const onAnswer = await start(
				openAiLike((request, response) => redirect(308, `${elsewhere.baseUrl}/chat/completions`)(request, response)),
			);
			const backend = await OpenAiChatBackend.connect({
				baseUrl: onAnswer.baseUrl,
				model: '',
				apiKey: 'secret',
				logger: silentLogger,
			});
			await assert.rejects(
				backend.generate({ messages: MESSAGES, maxTokens: 8 }),
				/failed: .*redirect \(HTTP 308 .*which Hearth does not follow/,
			);
			assert.equal(elsewhere.connections, 0);
			assert.equal(elsewhere.bytesReceived, 0, 'neither the code nor the key reached the other host');
		});

		it('stops a long stream when the signal aborts, closing the connection', async function () {
			const server = await start(openAiLike(steadyStream({ text: 'word ', everyMs: 20, chunks: 5_000 })));
			const backend = await OpenAiChatBackend.connect({ baseUrl: server.baseUrl, model: '', logger: silentLogger });
			const abort = new AbortController();
			let pieces = 0;
			const result = await backend.generate({
				messages: MESSAGES,
				maxTokens: 10_000,
				signal: abort.signal,
				onText: () => {
					if (++pieces === 3) {
						abort.abort();
					}
				},
			});
			assert.equal(result.stopReason, 'cancelled');
			assert.equal(result.text, 'word word word ');
			await waitFor('the server to see the client leave', () => (server.responsesLeftEarly > 0 ? true : undefined));
		});

		it('says what the server answered when it fails', async function () {
			const server = await start(openAiLike(failWith(503)));
			const backend = await OpenAiChatBackend.connect({ baseUrl: server.baseUrl, model: '', logger: silentLogger });
			await assert.rejects(
				backend.generate({ messages: MESSAGES, maxTokens: 8 }),
				/The chat server at .* failed: .*HTTP 503: hostile 503/,
			);
		});
	});
});
