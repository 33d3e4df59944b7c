import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { silentLogger, type Logger } from '../../src/engine/logger.js';
import { OpenAiCompletionBackend } from '../../src/engine/remote/openAiCompletionBackend.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { startOpenAiServer } from '../../src/teamServer/openAiServer.js';

// At top level, so that only the token limit (or a cancel) ends generation.
// Mid-line: at a line start token healing lets this random model pick a run of blank lines, which ends it.
const PREFIX = 'export const a = 1;\nexport const ';
const SUFFIX = '\nexport const b = 2;\n';

describe('OpenAI-compatible completion server as the backend (real HTTP on 127.0.0.1, real inference behind it)', function () {
	let engine: CompletionEngine;
	let server: Awaited<ReturnType<typeof startOpenAiServer>>;
	const warnings: string[] = [];
	const logger: Logger = { ...silentLogger, warn: (message) => void warnings.push(message) };

	before(async function () {
		const loaded = await loadModel({
			modelPath: await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }),
			contextSize: 1024,
			gpu: 'off',
			logger: silentLogger,
		});
		engine = new CompletionEngine(loaded, silentLogger);
		server = await startOpenAiServer({ completions: engine, modelId: 'hearth-tiny-fim', apiKey: 'team-key' });
	});

	after(async function () {
		await server?.close();
		await engine?.dispose();
	});

	it('speaks the wire format the official openai client expects, suffix included, streamed or not', async function () {
		const openai = new OpenAI({ baseURL: server.url, apiKey: 'team-key' });
		const models = await openai.models.list();
		assert.deepEqual(
			models.data.map((model) => model.id),
			['hearth-tiny-fim'],
		);
		const whole = await openai.completions.create({
			model: 'hearth-tiny-fim',
			prompt: PREFIX,
			suffix: SUFFIX,
			max_tokens: 8,
			temperature: 0,
		});
		assert.equal(whole.object, 'text_completion');
		assert.ok(whole.usage && whole.usage.prompt_tokens > 0 && whole.usage.completion_tokens > 0);
		const streamed = await openai.completions.create({
			model: 'hearth-tiny-fim',
			prompt: PREFIX,
			suffix: SUFFIX,
			max_tokens: 8,
			temperature: 0,
			stream: true,
		});
		let text = '';
		let finish: string | null = null;
		for await (const chunk of streamed) {
			text += chunk.choices[0]?.text ?? '';
			finish = chunk.choices[0]?.finish_reason ?? finish;
		}
		assert.equal(text, whole.choices[0]!.text, 'greedy decoding: the stream adds up to the same text');
		assert.ok(finish === 'length' || finish === 'stop');
		await assert.rejects(
			new OpenAI({ baseURL: server.url, apiKey: 'wrong' }).models.list(),
			(error: unknown) => error instanceof OpenAI.AuthenticationError,
		);
	});

	it("completes through Hearth's backend with the same text as the local engine, post-processed on the stream", async function () {
		const backend = await OpenAiCompletionBackend.connect({
			baseUrl: server.url,
			model: 'hearth-tiny-fim',
			apiKey: 'team-key',
			logger,
		});
		const request = { prefix: PREFIX, suffix: SUFFIX, maxTokens: 8, mode: 'multi-line' as const, useCache: false };
		const remote = await backend.complete(request);
		const local = await engine.complete(request);
		assert.equal(remote.text, local.text);
		assert.notEqual(remote.stopReason, 'cancelled');
		assert.ok(remote.stats.generatedTokens > 0 && remote.stats.promptTokens > 0, JSON.stringify(remote.stats));
		assert.equal(backend.info.displayName, `hearth-tiny-fim @ ${new URL(server.url).host}`);
		// Hearth's own server takes the suffix field and applies the model's template itself.
		assert.equal(backend.info.fimFamily, '/completions suffix');
		// The next ask for the same place is answered from the backend's own cache, with no request.
		assert.equal((await backend.complete({ ...request, useCache: true })).stopReason, 'cached');
		await backend.dispose();
	});

	it('cancels: the request ends at once and the server stops generating for it', async function () {
		const backend = await OpenAiCompletionBackend.connect({ baseUrl: server.url, model: '', apiKey: 'team-key', logger });
		const abort = new AbortController();
		let firstText = false;
		const pending = backend.complete({
			prefix: PREFIX,
			suffix: SUFFIX,
			maxTokens: 400,
			mode: 'multi-line',
			useCache: false,
			signal: abort.signal,
			onText: () => {
				if (!firstText) {
					firstText = true;
					abort.abort();
				}
			},
		});
		const result = await pending;
		assert.equal(result.stopReason, 'cancelled');
		assert.ok(result.stats.generatedTokens < 400);
		// The server's engine is free again: a short request completes, and nothing is left queued behind it.
		await engine.complete({ prefix: 'x', suffix: '', maxTokens: 2, useCache: false });
		assert.equal(engine.queuedRequests, 0);
	});

	it('gives clear messages for a wrong key, a dead server, and a base URL without /v1', async function () {
		await assert.rejects(
			OpenAiCompletionBackend.connect({ baseUrl: server.url, model: 'x', apiKey: 'wrong', logger }),
			/HTTP 401.*API key/,
		);
		const closed = await startOpenAiServer({ completions: engine, modelId: 'gone' });
		await closed.close();
		await assert.rejects(
			OpenAiCompletionBackend.connect({ baseUrl: closed.url, model: 'x', logger }),
			/Cannot reach the completion server at http:\/\/127\.0\.0\.1:\d+\/v1: ECONNREFUSED\. Is it running\?/,
		);
		await assert.rejects(
			OpenAiCompletionBackend.connect({ baseUrl: server.url.replace(/\/v1$/, ''), model: 'x', apiKey: 'team-key', logger }),
			/HTTP 404.*base URL/,
		);
	});

	it('reports a server that dies after the switch, once', async function () {
		const second = await startOpenAiServer({ completions: engine, modelId: 'hearth-tiny-fim' });
		const health: (string | undefined)[] = [];
		const backend = await OpenAiCompletionBackend.connect({
			baseUrl: second.url,
			model: '',
			logger,
			onHealthChange: (problem) => void health.push(problem),
		});
		await second.close();
		await assert.rejects(
			backend.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 4, useCache: false }),
			/The completion server at .* failed: ECONNREFUSED/,
		);
		assert.equal(health.length, 1);
		assert.match(health[0]!, /failed/);
		assert.ok(
			warnings.some((warning) => /failed: ECONNREFUSED/.test(warning)),
			'logged once',
		);
	});
});
