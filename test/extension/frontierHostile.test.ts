import assert from 'node:assert/strict';
import { maxAnswerChars, maxBodyBytes } from '../../src/extension/escalation/frontier/answerLimits.js';
import {
	FrontierError,
	streamFrontierAnswer,
	type FrontierEndpoint,
	type FrontierErrorKind,
} from '../../src/extension/escalation/frontier/frontierClient.js';
import { MAX_REDIRECTS } from '../../src/extension/escalation/frontier/guardedFetch.js';
import { buildOutgoingRequest } from '../../src/extension/escalation/frontier/outgoingRequest.js';
import {
	chatCompletionJson,
	endlessLine,
	failWith,
	flood,
	HostileServer,
	keepAliveForever,
	redirect,
	slowBody,
	steadyStream,
	streamedAnswer,
} from '../helpers/hostileServers.js';
import { frontierFailure, recordingStreamOptions } from '../helpers/frontierStreams.js';
import { waitFor } from '../helpers/waitFor.js';

const KEY = 'sk-test-hostile-Vb7nQ2xR9kL4mW1';
const CODE = 'export function secretSauce(a, b) {\n\treturn a * 31 + b; // the user’s code\n}\n';
const ANSWER = 'It multiplies a by 31 and adds b.';

/**
 * The frontier client against real HTTP servers on 127.0.0.x that misbehave: redirecting the
 * user's code to another origin, flooding, keeping a stream alive with nothing, answering for too
 * long, answering without streaming. No model behind them: the answers are canned, the HTTP is real.
 */
describe('escalation: the frontier client against hostile servers', function () {
	const servers: HostileServer[] = [];
	const request = buildOutgoingRequest(
		{ kind: 'explain', code: CODE, languageId: 'javascript', filePath: 'src/sauce.js' },
		{ redact: true },
	);

	async function start(handler: Parameters<typeof HostileServer.start>[0], host = '127.0.0.1'): Promise<HostileServer> {
		const server = await HostileServer.start(handler, host);
		servers.push(server);
		return server;
	}

	const endpoint = (baseUrl: string, overrides: Partial<FrontierEndpoint> = {}): FrontierEndpoint => ({
		baseUrl,
		model: 'hostile',
		apiKey: KEY,
		timeoutMs: 10_000,
		maxOutputTokens: 200,
		...overrides,
	});

	const options = recordingStreamOptions;

	async function failure(pending: Promise<unknown>, kind: FrontierErrorKind): Promise<FrontierError> {
		const error = await frontierFailure(pending, kind);
		assert.ok(!error.message.includes(KEY) && !JSON.stringify(error).includes(KEY), 'the error repeats the key');
		return error;
	}

	afterEach(async function () {
		await Promise.all(servers.splice(0).map((server) => server.close()));
	});

	describe('redirects', function () {
		for (const status of [301, 302, 303, 307, 308]) {
			it(`refuses a ${status} to another host: not one byte reaches it, and its answer is not taken`, async function () {
				const elsewhere = await start(streamedAnswer('An answer from a host nobody named.'), '127.0.0.2');
				const frontier = await start(redirect(status, `${elsewhere.baseUrl}/chat/completions`));
				const error = await failure(streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options), 'redirected');
				assert.deepEqual(
					[elsewhere.connections, elsewhere.bytesReceived, elsewhere.requests.length],
					[0, 0, 0],
					'nothing reached the other host',
				);
				assert.equal(frontier.requests.length, 1, 'and nothing was sent again');
				assert.ok(frontier.requests[0]!.body.includes('secretSauce'), 'the request went to the endpoint named');
				assert.equal(error.status, status);
				assert.equal(error.attempts, 1);
				assert.ok(error.message.includes(frontier.host) && error.message.includes(elsewhere.host), error.message);
				assert.match(
					error.message,
					new RegExp(
						`redirected the request \\(${status}\\) to ${elsewhere.host.replace(/\./g, '\\.')}, another server\\. .*nothing was sent to`,
					),
				);
				assert.equal(error.partialText, '');
			});
		}

		it('refuses a redirect to another port of the same address', async function () {
			const elsewhere = await start(streamedAnswer('An answer from the next port.'));
			const frontier = await start(redirect(307, `${elsewhere.baseUrl}/chat/completions`));
			const error = await failure(streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options), 'redirected');
			assert.deepEqual([elsewhere.connections, elsewhere.bytesReceived], [0, 0]);
			assert.ok(error.message.includes(frontier.host) && error.message.includes(elsewhere.host), error.message);
		});

		it('follows a 307 or 308 on the same server with the same request, and refuses where the chain then leaves it', async function () {
			const elsewhere = await start(streamedAnswer('An answer from a host nobody named.'), '127.0.0.2');
			const frontier = await start((recorded, response) => {
				if (recorded.path.startsWith('/v1/')) {
					return redirect(307, '/v2/chat/completions')(recorded, response);
				}
				if (recorded.path.startsWith('/v2/')) {
					return redirect(308, '/v3/chat/completions')(recorded, response);
				}
				return streamedAnswer(ANSWER)(recorded, response);
			});
			const answer = await streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options);
			assert.equal(answer.text, ANSWER);
			assert.deepEqual(
				frontier.requests.map((recorded) => [recorded.method, recorded.path]),
				[
					['POST', '/v1/chat/completions'],
					['POST', '/v2/chat/completions'],
					['POST', '/v3/chat/completions'],
				],
			);
			assert.ok(
				frontier.requests.every(
					(recorded) => recorded.body === frontier.requests[0]!.body && recorded.headers.authorization === `Bearer ${KEY}`,
				),
			);

			frontier.requests.length = 0;
			frontier.handler = (recorded, response) =>
				recorded.path.startsWith('/v1/')
					? redirect(307, '/v2/chat/completions')(recorded, response)
					: redirect(307, `${elsewhere.baseUrl}/chat/completions`)(recorded, response);
			const error = await failure(streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options), 'redirected');
			assert.equal(frontier.requests.length, 2);
			assert.deepEqual([elsewhere.connections, elsewhere.bytesReceived], [0, 0]);
			assert.ok(error.message.includes(elsewhere.host), error.message);
		});

		for (const status of [301, 302, 303]) {
			it(`refuses a ${status} on the same server, which would resend the request as a GET`, async function () {
				const frontier = await start((recorded, response) =>
					recorded.path.startsWith('/v1/')
						? redirect(status, '/elsewhere/chat/completions')(recorded, response)
						: streamedAnswer('The answer of whatever page is there.')(recorded, response),
				);
				const error = await failure(streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options), 'redirected');
				assert.deepEqual(
					frontier.requests.map((recorded) => recorded.method),
					['POST'],
					'nothing followed the redirect',
				);
				assert.equal(error.status, status);
				assert.match(
					error.message,
					new RegExp(
						`redirected the request \\(${status}\\) to ${frontier.host.replace(/\./g, '\\.')}/elsewhere/chat/completions, which would send it again as a GET`,
					),
				);
			});
		}

		it('refuses a redirect whose Location is not a URL', async function () {
			const frontier = await start(redirect(307, 'http://[not a host/v1'));
			const error = await failure(streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options), 'redirected');
			assert.equal(frontier.requests.length, 1);
			assert.match(
				error.message,
				new RegExp(`^${frontier.host.replace(/\./g, '\\.')} redirected the request \\(307\\) to an address that is not a URL\\.`),
			);
		});

		it(`gives up on a server that redirects to itself for ever, after ${MAX_REDIRECTS} redirects`, async function () {
			const frontier = await start(redirect(307, '/v1/chat/completions'));
			const error = await failure(streamFrontierAnswer(endpoint(frontier.baseUrl), request, options().options), 'redirected');
			assert.equal(frontier.requests.length, MAX_REDIRECTS + 1);
			assert.match(error.message, /too many times in a row/);
		});
	});

	describe('limits', function () {
		it('stops reading an answer far longer than maxOutputTokens allows, keeping the text up to the limit', async function () {
			const frontier = await start(flood({ totalChars: 10_000_000, chunkChars: 1_000 }));
			const maxOutputTokens = 100;
			const { options: streamOptions, texts } = options();
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { maxOutputTokens }), request, streamOptions),
				'too-large',
			);
			assert.equal(error.partialText.length, maxAnswerChars(maxOutputTokens));
			assert.equal(texts.at(-1), error.partialText);
			assert.match(
				error.message,
				new RegExp(
					`sent more than ${maxAnswerChars(maxOutputTokens)} characters of answer, far more than an answer of at most 100 tokens .* can hold, so Hearth stopped reading\\. The first ${error.partialText.length} characters are kept\\.`,
				),
			);
			assert.equal(error.attempts, 1);
			await waitFor('the server to see the client leave', () => (frontier.responsesLeftEarly === 1 ? true : undefined), 10_000);
		});

		it('stops reading a body larger than the byte limit, even when it never forms an event', async function () {
			const maxOutputTokens = 10;
			const frontier = await start(endlessLine({ bytes: 64 * maxBodyBytes(maxOutputTokens) }));
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { maxOutputTokens }), request, options().options),
				'too-large',
			);
			assert.match(error.message, new RegExp(`a response body larger than ${maxBodyBytes(maxOutputTokens)} bytes`));
			await waitFor('the server to see the client leave', () => (frontier.responsesLeftEarly === 1 ? true : undefined), 10_000);
		});

		it('times out on a stream kept alive with chunks that carry nothing, keeping the text that came', async function () {
			// Without the fix the empty chunks would hold the request open until the server gives up (200 beats).
			const frontier = await start(keepAliveForever({ text: 'The start of an answer', beatMs: 40, maxBeats: 200 }));
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { timeoutMs: 400 }), request, options().options),
				'timeout',
			);
			assert.equal(error.partialText, 'The start of an answer');
			assert.match(error.message, /sent nothing for 0\.4 s mid-answer/);
			await waitFor('the server to see the client leave', () => (frontier.responsesLeftEarly === 1 ? true : undefined), 10_000);
		});

		it('times out on a stream kept alive with empty "choices" from the start, as before the answer started', async function () {
			const frontier = await start(
				keepAliveForever({
					text: '',
					beatMs: 40,
					maxBeats: 200,
					keepAlive: { id: 'x', object: 'chat.completion.chunk', choices: [] },
				}),
			);
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { timeoutMs: 400 }), request, options().options),
				'timeout',
			);
			assert.match(error.message, /sent nothing for 0\.4 s before the answer started/);
		});

		it('ends an answer that keeps coming after the total time limit, keeping its text', async function () {
			const frontier = await start(steadyStream({ text: 'more ', everyMs: 40, chunks: 150 }));
			const { options: streamOptions, texts } = options();
			const error = await failure(
				streamFrontierAnswer(
					endpoint(frontier.baseUrl, { timeoutMs: 5_000, totalTimeoutMs: 500, maxOutputTokens: 4096 }),
					request,
					streamOptions,
				),
				'timeout',
			);
			assert.ok(error.partialText.startsWith('more '), error.partialText);
			assert.equal(error.partialText, texts.at(-1));
			assert.match(
				error.message,
				new RegExp(
					`had not finished answering after 0\\.5 s, the most an escalation may take \\(hearth\\.escalation\\.totalTimeoutSeconds\\), so Hearth stopped it\\. The ${error.partialText.length} characters that had arrived are kept\\.`,
				),
			);
			assert.equal(error.retryable, false);
			await waitFor('the server to see the client leave', () => (frontier.responsesLeftEarly === 1 ? true : undefined), 10_000);
		});

		it('counts the waits between retries against the total time limit', async function () {
			const frontier = await start(failWith(429, 1));
			// The real sleep: Retry-After is 1 s, longer than the whole escalation may take.
			const { options: streamOptions } = options({ sleep: undefined });
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { totalTimeoutMs: 300 }), request, streamOptions),
				'timeout',
			);
			assert.equal(error.attempts, 1);
			assert.equal(frontier.requests.length, 1);
			assert.match(error.message, /had not finished answering after 0\.3 s/);
		});

		it('takes a non-streamed JSON answer that arrives slowly: its arrival is not silence', async function () {
			// 24 pieces 250 ms apart: the body takes three times the idle limit to arrive, while no gap
			// between pieces comes near it (8x), so a busy machine's pauses cannot look like silence.
			const body = chatCompletionJson(ANSWER, 'f'.repeat(200_000));
			const frontier = await start(slowBody({ body, contentType: 'application/json', pieces: 24, pieceEveryMs: 250 }));
			const { options: streamOptions, texts } = options();
			const answer = await streamFrontierAnswer(endpoint(frontier.baseUrl, { timeoutMs: 2_000 }), request, streamOptions);
			assert.equal(answer.text, ANSWER);
			assert.deepEqual(texts, [ANSWER]);
			assert.equal(answer.finishReason, 'stop');
			assert.deepEqual(answer.usage, { promptTokens: 12, completionTokens: 7 });
		});

		it('limits a non-streamed answer like a streamed one', async function () {
			const maxOutputTokens = 10;
			const frontier = await start(
				slowBody({ body: chatCompletionJson('z'.repeat(5_000)), contentType: 'application/json', pieces: 3, pieceEveryMs: 10 }),
			);
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { maxOutputTokens }), request, options().options),
				'too-large',
			);
			assert.equal(error.partialText, 'z'.repeat(maxAnswerChars(maxOutputTokens)));
		});

		it('reports a web page that arrives slowly as not being an API, not as silence', async function () {
			const page = `<!doctype html><html><body>${'<p>Welcome to our portal</p>'.repeat(2_000)}</body></html>`;
			const frontier = await start(slowBody({ body: page, contentType: 'text/html; charset=utf-8', pieces: 24, pieceEveryMs: 250 }));
			const error = await failure(
				streamFrontierAnswer(endpoint(frontier.baseUrl, { timeoutMs: 2_000 }), request, options().options),
				'malformed',
			);
			assert.match(error.message, /answered, but not with a stream of chat completion events/);
		});
	});
});
