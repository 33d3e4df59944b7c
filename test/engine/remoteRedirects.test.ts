/**
 * The completion server's backend never follows a redirect: a 307 or 308 would resend the request's
 * body (the code around the cursor) to wherever the Location header points. Real HTTP on 127.0.0.x.
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import { OpenAiCompletionBackend } from '../../src/engine/remote/openAiCompletionBackend.js';
import { HostileServer, redirect, type HostileHandler } from '../helpers/hostileServers.js';

/** /models lists one model (owned by nobody in particular: the plain /completions path); the rest goes to `other`. */
function listsOneModel(other: HostileHandler): HostileHandler {
	return (request, response) => {
		if (request.path.endsWith('/models')) {
			response
				.writeHead(200, { 'Content-Type': 'application/json' })
				.end(JSON.stringify({ object: 'list', data: [{ id: 'hostile-fim', owned_by: 'someone' }] }));
			return;
		}
		return other(request, response);
	};
}

/** Answers every request as an OpenAI completion stream; it must never be reached. */
const answersAnything: HostileHandler = (_request, response) => {
	response.writeHead(200, { 'Content-Type': 'text/event-stream' });
	response.end(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'stolen', finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
};

describe('completion server backend: redirects are refused, never followed (real HTTP)', function () {
	this.timeout(60_000);
	const servers: HostileServer[] = [];
	const start = async (handler: HostileHandler, host?: string) => {
		const server = await HostileServer.start(handler, host);
		servers.push(server);
		return server;
	};

	after(async function () {
		await Promise.all(servers.map((server) => server.close()));
	});

	it('refuses a redirect of the model list at connection', async function () {
		const elsewhere = await start(listsOneModel(answersAnything), '127.0.0.2');
		const server = await start(redirect(307, `${elsewhere.baseUrl}/models`));
		await assert.rejects(
			OpenAiCompletionBackend.connect({
				baseUrl: server.baseUrl,
				model: '',
				fimTemplate: 'auto',
				apiKey: 'secret',
				logger: silentLogger,
			}),
			/redirect \(HTTP 307 to http:\/\/127\.0\.0\.2:\d+\/v1\/models\), which Hearth does not follow/,
		);
		assert.equal(elsewhere.bytesReceived, 0, 'the key did not reach the other host');
	});

	for (const status of [307, 308]) {
		it(`refuses a ${status} on a completion: the code around the cursor reaches no other host`, async function () {
			const elsewhere = await start(listsOneModel(answersAnything), '127.0.0.2');
			const server = await start(
				listsOneModel((request, response) =>
					redirect(status, `${elsewhere.baseUrl}${request.path.replace(/^\/v1/, '')}`)(request, response),
				),
			);
			const backend = await OpenAiCompletionBackend.connect({
				baseUrl: server.baseUrl,
				model: '',
				fimTemplate: 'auto',
				apiKey: 'secret',
				logger: silentLogger,
			});
			try {
				const outcome = await backend
					.complete({ prefix: 'const secretValue = ', suffix: ';\n', maxTokens: 8, useCache: false })
					.then(
						(result) => result.text,
						(error: unknown) => error,
					);
				assert.ok(outcome instanceof Error, `expected a refusal, got ${JSON.stringify(outcome)}`);
				assert.match(outcome.message, new RegExp(`redirect \\(HTTP ${status} .*which Hearth does not follow`));
				assert.ok(
					server.requests.some((request) => request.body.includes('secretValue')),
					'the request went to the named server',
				);
				assert.equal(elsewhere.connections, 0);
				assert.equal(elsewhere.bytesReceived, 0, 'the code did not reach the other host');
			} finally {
				await backend.dispose();
			}
		});
	}
});
