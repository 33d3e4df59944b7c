import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import OpenAI from 'openai';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { repoRoot } from '../helpers/paths.js';

const CLI = path.join(repoRoot, 'out', 'src', 'cli', 'serve.js');

describe('serve: the `npm run serve` command line', function () {
	let child: ChildProcess | undefined;

	afterEach(function () {
		if (child && child.exitCode === null && child.signalCode === null) {
			child.kill('SIGKILL');
		}
	});

	it('loads a GGUF, prints the base URL, serves it, and shuts down cleanly on SIGINT', async function () {
		const modelPath = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
		child = spawn(
			process.execPath,
			[CLI, '--model', modelPath, '--port', '0', '--threads', '1', '--gpu', 'off', '--api-key', 'cli-key'],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
		child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
		const url = await new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no URL printed in 60 s; stderr: ${stderr}`)), 60_000);
			child!.stdout!.on('data', () => {
				const match = /(http:\/\/127\.0\.0\.1:\d+\/v1)\b/.exec(stdout);
				if (match) {
					clearTimeout(timer);
					resolve(match[1]!);
				}
			});
			child!.once('exit', (code) => reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`)));
		});
		assert.match(stdout, /Serving tiny-fim\.Q8_0 .*chat layout General/);
		const openai = new OpenAI({ baseURL: url, apiKey: 'cli-key', maxRetries: 0 });
		assert.deepEqual(
			(await openai.models.list()).data.map((model) => model.id),
			['tiny-fim.Q8_0'],
		);
		const completion = await openai.completions.create({ model: 'tiny-fim.Q8_0', prompt: 'let x = ', suffix: ';\n', max_tokens: 3 });
		assert.equal(completion.object, 'text_completion');
		const answer = await openai.chat.completions.create({
			model: 'tiny-fim.Q8_0',
			messages: [{ role: 'user', content: 'hi' }],
			max_tokens: 3,
		});
		assert.equal(answer.usage!.completion_tokens, 3);
		await assert.rejects(new OpenAI({ baseURL: url, apiKey: 'other', maxRetries: 0 }).models.list(), OpenAI.AuthenticationError);

		const exited = once(child, 'exit');
		child.kill('SIGINT');
		const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
		assert.deepEqual({ code, signal }, { code: 0, signal: null }, `stderr: ${stderr}`);
		await assert.rejects(fetch(`${url}/models`), 'nothing listens any more');
	});

	it('explains a missing --model with the usage text and exit code 2', async function () {
		child = spawn(process.execPath, [CLI, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stderr = '';
		child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
		const [code] = (await once(child, 'exit')) as [number | null];
		assert.equal(code, 2);
		assert.match(stderr, /--model PATH/);
		assert.match(stderr, /Usage: npm run serve/);
	});
});
