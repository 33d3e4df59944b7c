/**
 * The speed race's fixed-length rule against a real llama-server (built as in llamaServer.test.ts)
 * serving a random-weight model, as the race's shape models are: both sides must generate the
 * bench's maxTokens per answer. llama.vscode's infill sampler ends random text at its first token
 * even with ignore_eos, so under the rule the race leaves it out; with it, the race's own check
 * stops the replay instead of reporting a ratio over unequal work.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { httpInfillClient } from '../../src/bench/race/infillClient.js';
import { infillBody, infillContext } from '../../src/bench/race/infillRequest.js';
import { LLAMA_VSCODE_DEFAULTS, LLAMA_VSCODE_SAMPLING } from '../../src/bench/race/llamaVscodeSettings.js';
import { startLlamaServer, type RunningLlamaServer } from '../../src/bench/race/llamaServerProcess.js';
import { replayLlamaVscode } from '../../src/bench/race/replayLlamaVscode.js';
import type { Trace } from '../../src/bench/traces/traceTypes.js';
import { projectRoot } from '../../src/tooling/projectRoot.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

const MAX_TOKENS = 16;
const TEXT = 'def add(a, b):\n    return a + b\n\nprint(add(1, 2))\n';

describe("the speed race's fixed length against a real llama-server (random weights)", function () {
	let server: RunningLlamaServer | undefined;

	before(async function () {
		this.timeout(40 * 60_000);
		const { stdout } = await promisify(execFile)('bash', [path.join(projectRoot(), 'src/bench/setup/buildLlamaServer.sh')], {
			cwd: projectRoot(),
			maxBuffer: 16 * 1024 * 1024,
		});
		server = await startLlamaServer({
			binary: stdout.trim().split('\n').at(-1)!,
			modelPath: await ensureTestModel('tiny-fim'),
			threads: 1,
			contextSize: 2048,
			spmInfill: false,
			logFile: path.join(os.tmpdir(), `hearth-test-race-llama-server-${process.pid}.log`),
		});
	});

	after(async function () {
		await server?.stop();
	});

	it("generates the full length with the race's body, and would stop at once with llama.vscode's infill sampler", async function () {
		const client = httpInfillClient(server!.url);
		for (const cursor of [TEXT.indexOf('return') + 6, TEXT.indexOf('print') + 6, TEXT.length]) {
			const context = infillContext(TEXT, cursor, LLAMA_VSCODE_DEFAULTS);
			const body = infillBody(context, { nPredict: MAX_TOKENS, fixedLength: true, tMaxPromptMs: 500, tMaxPredictMs: 500 });
			const fixed = await client(body);
			assert.equal(fixed.predictedN, MAX_TOKENS, `cursor ${cursor}: ${fixed.predictedN} tokens, stop ${fixed.stopType}`);
			assert.equal(fixed.stopType, 'limit');
			const withInfillSampler = await client({ ...body, samplers: [...LLAMA_VSCODE_SAMPLING.samplers] });
			assert.ok(withInfillSampler.predictedN < MAX_TOKENS, `with the infill sampler: ${withInfillSampler.predictedN} tokens`);
		}
	});

	it('replays keys with every answer at the fixed length, and refuses a server that stops short', async function () {
		const trace: Trace = {
			name: 'fixed-length',
			description: '',
			language: 'python',
			filePath: 'a.py',
			source: { file: '', origin: '', license: '' },
			initialText: TEXT,
			initialCursor: { line: 1, character: 10 },
			events: [
				{ t: 0, kind: 'type', text: ' ' },
				{ t: 300, kind: 'type', text: 'a' },
			],
		};
		const options = {
			maxTokens: MAX_TOKENS,
			fixedLength: true,
			warmUp: true,
			acceptWaitLimitMs: 5000,
			drainLimitMs: 60_000,
			settings: { ...LLAMA_VSCODE_DEFAULTS, prefetch: false },
		};
		const client = httpInfillClient(server!.url);
		const replay = await replayLlamaVscode(trace, client, options);
		const answered = replay.serverRequests.filter((request) => request.response !== undefined);
		assert.ok(answered.length >= 2, `${answered.length} answers`);
		for (const request of answered) {
			assert.equal(request.response!.predictedN, MAX_TOKENS);
		}
		const withInfillSampler = (body: Record<string, unknown>) => client({ ...body, samplers: [...LLAMA_VSCODE_SAMPLING.samplers] });
		await assert.rejects(replayLlamaVscode(trace, withInfillSampler, options), /of 16 tokens .* under the fixed-length rule/);
	});
});
