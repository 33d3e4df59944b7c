/**
 * Hearth's team mode against servers that answer like vLLM (real HTTP on 127.0.0.1): vLLM lists its
 * models as `owned_by: "vllm"`, has no llama-server `/props`, refuses `suffix` in `/completions`
 * with its own 400 body, and streams `text_completion` chunks. The FIM prompt must then be laid out
 * by Hearth in the served model's own template and sent as `prompt`, with the template's stops.
 */

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../../src/engine/logger.js';
import { OpenAiCompletionBackend } from '../../src/engine/remote/openAiCompletionBackend.js';
import { familyFromModelName, SERVER_FIM_FAMILIES } from '../../src/engine/remote/serverFimTemplate.js';
import { SETTINGS_SCHEMA } from '../../src/shared/settings.js';

/** vLLM's answer to a `/completions` request with `suffix` (serving_completion.py, create_error_response). */
const VLLM_SUFFIX_ERROR = {
	error: { message: 'suffix is not currently supported', type: 'BadRequestError', param: null, code: 400 },
};

interface FakeVllm {
	url: string;
	/** Every `/completions` body received, in order. */
	bodies: Record<string, unknown>[];
	close(): Promise<void>;
}

/** Answers as vLLM does; streams `pieces` for every completion it accepts. */
async function startFakeVllm(model: string, pieces: readonly string[], ownedBy = 'vllm'): Promise<FakeVllm> {
	const bodies: Record<string, unknown>[] = [];
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const json = (status: number, body: unknown) => {
				response.writeHead(status, { 'Content-Type': 'application/json' });
				response.end(JSON.stringify(body));
			};
			if (request.method === 'GET' && request.url === '/v1/models') {
				return json(200, {
					object: 'list',
					data: [{ id: model, object: 'model', created: 1, owned_by: ownedBy, root: model, parent: null, max_model_len: 32768 }],
				});
			}
			if (request.method === 'POST' && request.url === '/v1/completions') {
				const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
				bodies.push(body);
				if (body.suffix !== undefined) {
					return json(400, VLLM_SUFFIX_ERROR);
				}
				response.writeHead(200, { 'Content-Type': 'text/event-stream' });
				const chunk = (text: string, finish: string | null) => ({
					id: 'cmpl-1',
					object: 'text_completion',
					created: 1,
					model,
					choices: [{ index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null }],
					usage: null,
				});
				for (const [index, piece] of pieces.entries()) {
					response.write(`data: ${JSON.stringify(chunk(piece, index === pieces.length - 1 ? 'stop' : null))}\n\n`);
				}
				response.write(
					`data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', created: 1, model, choices: [], usage: { prompt_tokens: 17, total_tokens: 20, completion_tokens: 3 } })}\n\n`,
				);
				response.end('data: [DONE]\n\n');
				return;
			}
			json(404, { detail: 'Not Found' });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		bodies,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

const PREFIX = 'def add(a, b):\n    ';
const SUFFIX = '\n\nprint(add(1, 2))\n';

describe('vLLM-shaped servers: the FIM prompt laid out on the client (real HTTP on 127.0.0.1)', function () {
	const warnings: string[] = [];
	const logger: Logger = { ...silentLogger, warn: (message) => void warnings.push(message) };
	let server: FakeVllm | undefined;

	afterEach(async function () {
		await server?.close();
		server = undefined;
		warnings.length = 0;
	});

	it("sends a Qwen2.5-Coder model its own FIM layout as the prompt, with the template's stops and no suffix", async function () {
		server = await startFakeVllm('Qwen/Qwen2.5-Coder-1.5B', ['return', ' a + b']);
		const backend = await OpenAiCompletionBackend.connect({ baseUrl: server.url, model: '', logger });
		assert.equal(backend.info.fimFamily, 'client-side template (Qwen2.5-Coder)');
		assert.match(backend.info.fimReason, /vLLM's \/completions takes no suffix.*Qwen\/Qwen2\.5-Coder-1\.5B.*qwen2\.5-coder/);
		const result = await backend.complete({
			prefix: PREFIX,
			suffix: SUFFIX,
			filePath: 'src/calc.py',
			contextChunks: [{ path: 'src/util.py', text: 'def sub(a, b):\n    return a - b\n' }],
			maxTokens: 16,
			mode: 'multi-line',
			useCache: false,
		});
		assert.equal(result.text, 'return a + b');
		assert.equal(server.bodies.length, 1, 'no request with suffix was tried first');
		const body = server.bodies[0]!;
		assert.equal(body.suffix, undefined);
		assert.equal(
			body.prompt,
			'<|file_sep|>src/util.py\ndef sub(a, b):\n    return a - b\n' +
				'<|file_sep|>src/calc.py\n<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>',
		);
		assert.deepEqual(body.stop, [
			'<|endoftext|>',
			'<|fim_prefix|>',
			'<|fim_suffix|>',
			'<|fim_middle|>',
			'<|fim_pad|>',
			'<|file_sep|>',
			'<|repo_name|>',
			'<|im_start|>',
			'<|im_end|>',
		]);
		// vLLM drops special tokens from the text unless told not to, and a stop string that is one would never match.
		assert.equal(body.skip_special_tokens, false);
		assert.equal(body.model, 'Qwen/Qwen2.5-Coder-1.5B');
		assert.equal(body.temperature, 0);
		assert.equal(body.stream, true);
		assert.equal(body.max_tokens, 16);
		assert.equal(result.stats.promptTokens, 17);
		await backend.dispose();
	});

	it('uses hearth.model.serverFimTemplate over the name, and says "none: prefix only" when nothing names a family', async function () {
		server = await startFakeVllm('my-org/inhouse-model', ['x = 1']);
		const named = await OpenAiCompletionBackend.connect({ baseUrl: server.url, model: '', logger, fimTemplate: 'deepseek-coder' });
		assert.equal(named.info.fimFamily, 'client-side template (DeepSeek-Coder)');
		await named.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 8, useCache: false });
		assert.equal(
			server.bodies.at(-1)!.prompt,
			'<\uFF5Cfim\u2581begin\uFF5C>' + PREFIX + '<\uFF5Cfim\u2581hole\uFF5C>' + SUFFIX + '<\uFF5Cfim\u2581end\uFF5C>',
		);

		const unnamed = await OpenAiCompletionBackend.connect({ baseUrl: server.url, model: '', logger });
		assert.equal(unnamed.info.fimFamily, 'none: prefix only');
		assert.match(unnamed.info.fimReason, /names no FIM family.*hearth\.model\.serverFimTemplate/);
		await unnamed.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 8, useCache: false });
		assert.equal(server.bodies.at(-1)!.prompt, PREFIX);
		assert.equal(server.bodies.at(-1)!.suffix, undefined);
		assert.equal(server.bodies.at(-1)!.stop, undefined);
	});

	it('steps down from suffix to the template once, for an engine that is not known to refuse it, and names the new path', async function () {
		server = await startFakeVllm('bigcode/starcoder2-3b', ['return a + b'], 'someone');
		let pathChanges = 0;
		const backend = await OpenAiCompletionBackend.connect({
			baseUrl: server.url,
			model: '',
			logger,
			onFimPathChange: () => pathChanges++,
		});
		assert.equal(backend.info.fimFamily, '/completions suffix');
		const first = await backend.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 8, useCache: false });
		assert.equal(first.text, 'return a + b');
		assert.equal(server.bodies.length, 2);
		assert.equal(server.bodies[0]!.suffix, SUFFIX);
		assert.equal(server.bodies[1]!.prompt, '<fim_prefix>' + PREFIX + '<fim_suffix>' + SUFFIX + '<fim_middle>');
		assert.equal(server.bodies[1]!.skip_special_tokens, undefined, 'a field only vLLM knows goes to vLLM alone');
		assert.equal(backend.info.fimFamily, 'client-side template (StarCoder2)');
		assert.equal(pathChanges, 1, 'the change is reported, so the status bar can show it');
		assert.equal(warnings.filter((line) => /rejects the suffix field.*suffix is not currently supported/.test(line)).length, 1);
		await backend.complete({ prefix: PREFIX + 'x', suffix: SUFFIX, maxTokens: 8, useCache: false });
		assert.equal(server.bodies.length, 3, 'the suffix is not tried again');
	});

	it('offers in hearth.model.serverFimTemplate exactly the families it has templates for, and reads them from model names', function () {
		assert.deepEqual(SETTINGS_SCHEMA.model.serverFimTemplate.enum, ['auto', ...SERVER_FIM_FAMILIES, 'none']);
		assert.equal(familyFromModelName('Qwen/Qwen2.5-Coder-7B'), 'qwen2.5-coder');
		assert.equal(familyFromModelName('bigcode/starcoder2-15b'), 'starcoder2');
		assert.equal(familyFromModelName('bigcode/starcoderbase-1b'), 'starcoder');
		assert.equal(familyFromModelName('deepseek-ai/deepseek-coder-6.7b-base'), 'deepseek-coder');
		assert.equal(familyFromModelName('codellama/CodeLlama-7b-hf'), 'codellama');
		assert.equal(familyFromModelName('mistralai/Codestral-22B-v0.1'), 'codestral');
		assert.equal(familyFromModelName('google/codegemma-2b'), 'codegemma');
		assert.equal(familyFromModelName('meta-llama/Llama-3.1-8B'), undefined);
	});
});
