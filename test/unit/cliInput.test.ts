import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { integerOption, parseArguments, UsageError } from '../../src/tooling/cliArguments.js';
import { decodeText, parseStdinInput, readFileAtCursor } from '../../src/cli/cursorInput.js';
import { repoRoot } from '../helpers/paths.js';

describe('CLI input', function () {
	let file: string;

	before(async function () {
		file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-cli-')), 'a.ts');
		await fs.writeFile(file, 'line one\nline two\n');
	});

	it('places the cursor at file:line:column (1-based)', async function () {
		const input = await readFileAtCursor(`${file}:2:6`);
		assert.equal(input.prefix, 'line one\nline ');
		assert.equal(input.suffix, 'two\n');
	});

	it('defaults the column to the end of the line and the cursor to the end of the file', async function () {
		assert.equal((await readFileAtCursor(`${file}:1`)).prefix, 'line one');
		assert.equal((await readFileAtCursor(file)).suffix, '');
	});

	it('rejects positions outside the file with a message', async function () {
		await assert.rejects(readFileAtCursor(`${file}:9:1`), /has 3 lines; line 9 is outside it/);
		await assert.rejects(readFileAtCursor(`${file}:1:40`), /column 40 is outside it/);
		await assert.rejects(readFileAtCursor(`${file}.missing`), /no such file/);
	});

	it('reads JSON or a cursor marker from stdin', function () {
		assert.deepEqual(parseStdinInput('{"prefix": "a(", "suffix": ")"}'), { prefix: 'a(', suffix: ')', source: 'stdin' });
		assert.deepEqual(parseStdinInput('x = <CURSOR>;'), { prefix: 'x = ', suffix: ';', source: 'stdin' });
		assert.throws(() => parseStdinInput('{"prefix": 3}'), UsageError);
	});

	it('parses options, flags and positionals', function () {
		const parsed = parseArguments(['f.ts:1', '--max-tokens', '8', '--json', '--mode=single-line'], ['json']);
		assert.deepEqual(parsed.positionals, ['f.ts:1']);
		assert.equal(parsed.options.get('max-tokens'), '8');
		assert.equal(parsed.options.get('json'), true);
		assert.equal(parsed.options.get('mode'), 'single-line');
		assert.throws(() => parseArguments(['--model'], []), /--model needs a value/);
	});
});

describe('CLI input: what is refused', function () {
	let directory: string;
	let source: string;

	before(async function () {
		directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-cli-refuse-'));
		source = path.join(directory, 'a.ts');
		await fs.writeFile(source, 'line one\nline two\n');
	});

	after(async function () {
		await fs.rm(directory, { recursive: true, force: true });
	});

	it('refuses a binary file and bytes that are not UTF-8, and keeps text as it is', async function () {
		const binary = path.join(directory, 'image.png');
		await fs.writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
		await assert.rejects(
			readFileAtCursor(binary),
			(error) => error instanceof UsageError && /image\.png is a binary file \(a NUL byte at offset 8\)/.test(error.message),
		);
		const latin1 = path.join(directory, 'latin1.txt');
		await fs.writeFile(latin1, Buffer.from('caf\xe9\n', 'latin1'));
		await assert.rejects(readFileAtCursor(latin1), /latin1\.txt is not UTF-8 text/);
		assert.throws(() => decodeText(Buffer.from('a\0b'), 'stdin'), /stdin is a binary file/);
		assert.equal(decodeText(Buffer.from('const é = "✓";\n'), 'x'), 'const é = "✓";\n');
	});

	it('says which part of file:line:column is wrong when it is not a whole number', async function () {
		for (const position of ['-1', '1.5', 'x', '2:x', '1:-3']) {
			await assert.rejects(
				readFileAtCursor(`${source}:${position}`),
				(error) =>
					error instanceof UsageError &&
					error.message ===
						`Bad position ${JSON.stringify(position)} after ${source}: give file:line[:column], with line and column whole numbers from 1.`,
			);
		}
		await assert.rejects(readFileAtCursor(`${source}:0`), /line 0 is outside it/);
		await assert.rejects(readFileAtCursor(`${source}:1:0`), /column 0 is outside it/);
		await assert.rejects(readFileAtCursor(path.join(directory, 'missing.ts:3')), /Cannot read .*missing\.ts: no such file/);
	});

	it('checks integer options against their range', function () {
		const options = (value: string) => parseArguments(['--n', value], []).options;
		const range = { min: 1, max: 4096 };
		assert.equal(integerOption(options('64'), 'n', range), 64);
		assert.equal(integerOption(new Map(), 'n', range), undefined);
		for (const value of ['-5', '0', '4097', '99999999999999999999', '1e9']) {
			assert.throws(() => integerOption(options(value), 'n', range), new RegExp(`^Error: --n must be from 1 to 4096, got ${value}$`));
		}
		for (const value of ['1.5', 'ten', '', ' ']) {
			assert.throws(() => integerOption(options(value), 'n', range), /--n must be an integer from 1 to 4096, got/);
		}
		assert.throws(() => integerOption(options('99999999999999999999'), 'n'), /--n must be a safe integer/);
	});
});

describe('CLI: `npm run complete` refuses bad input before loading anything (exit code 2)', function () {
	const CLI = path.join(repoRoot, 'out', 'src', 'cli', 'complete.js');
	let directory: string;
	let source: string;

	before(async function () {
		directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-cli-exit-'));
		source = path.join(directory, 'a.ts');
		await fs.writeFile(source, 'line one\nline two\n');
		await fs.writeFile(path.join(directory, 'blob.bin'), Buffer.from([1, 2, 0, 3, 4]));
	});

	after(async function () {
		await fs.rm(directory, { recursive: true, force: true });
	});

	/** The model does not exist: a run that got as far as loading one would fail with exit code 1. */
	async function run(args: string[], stdin?: Buffer): Promise<{ code: number | null; stderr: string; stdout: string }> {
		const child = spawn(process.execPath, [CLI, ...args, '--model', path.join(directory, 'no-such-model.gguf')], {
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		let stderr = '';
		let stdout = '';
		child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
		child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
		child.stdin.end(stdin);
		const [code] = (await once(child, 'exit')) as [number | null];
		return { code, stderr, stdout };
	}

	const cases: { name: string; args: () => string[]; stdin?: Buffer; message: RegExp }[] = [
		{ name: '--max-tokens -5', args: () => [source, '--max-tokens', '-5'], message: /--max-tokens must be from 1 to 4096, got -5/ },
		{ name: '--max-tokens 0', args: () => [source, '--max-tokens', '0'], message: /--max-tokens must be from 1 to 4096, got 0/ },
		{
			name: 'a huge --max-tokens',
			args: () => [source, '--max-tokens', '1000000000000'],
			message: /--max-tokens must be from 1 to 4096, got 1000000000000/,
		},
		{
			name: 'a non-integer --max-tokens',
			args: () => [source, '--max-tokens=2.5'],
			message: /--max-tokens must be an integer from 1 to 4096, got "2\.5"/,
		},
		{ name: 'a negative --threads', args: () => [source, '--threads', '-1'], message: /--threads must be from 0 to 256, got -1/ },
		{
			name: 'a tiny --context-size',
			args: () => [source, '--context-size', '8'],
			message: /--context-size must be from 256 to 131072, got 8/,
		},
		{
			name: 'a binary file',
			args: () => [path.join(directory, 'blob.bin')],
			message: /blob\.bin is a binary file \(a NUL byte at offset 2\)/,
		},
		{
			name: 'binary stdin',
			args: () => ['--stdin'],
			stdin: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
			message: /stdin is a binary file/,
		},
		{
			name: 'a line that is not a number',
			args: () => [`${source}:-2`],
			message: /Bad position "-2" after .*a\.ts: give file:line\[:column\]/,
		},
		{ name: 'a column that is not a number', args: () => [`${source}:1:1.5`], message: /Bad position "1:1\.5" after .*a\.ts/ },
		{ name: 'a line past the end', args: () => [`${source}:9`], message: /has 3 lines; line 9 is outside it/ },
	];
	for (const { name, args, stdin, message } of cases) {
		it(`refuses ${name}`, async function () {
			const result = await run(args(), stdin);
			assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
			assert.match(result.stderr, message);
			assert.match(result.stderr, /Usage: npm run complete/, 'the usage text follows');
			assert.equal(result.stdout, '', 'no completion printed');
		});
	}
});
