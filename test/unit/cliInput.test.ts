import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArguments, UsageError } from '../../src/cli/cliArguments.js';
import { parseStdinInput, readFileAtCursor } from '../../src/cli/cursorInput.js';

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
