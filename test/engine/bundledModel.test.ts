// The bundled model itself: the file in the repository is the one the model card describes, it
// computes the recipe's model (parity of its own weights in PyTorch with llama.cpp), and the
// README's first command gets code from it. Needs python3 with torch (CI installs Debian's).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { checkGgufParity, GGUF_PARITY_MIN_TOP1, textParityTokens } from '../../src/train/export/ggufParity.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const MODEL = path.join(ROOT, BUNDLED_MODEL_RELATIVE_PATH);
const CLI = path.join(ROOT, 'out', 'src', 'cli', 'complete.js');

async function complete(args: readonly string[], stdin?: string): Promise<{ completion: string; stopReason: string }> {
	const run = promisify(execFile);
	const child = run(process.execPath, [CLI, '--json', '--threads', '1', ...args], { cwd: ROOT, maxBuffer: 1 << 24 });
	if (stdin !== undefined) child.child.stdin!.end(stdin);
	const { stdout } = await child;
	return JSON.parse(stdout) as { completion: string; stopReason: string };
}

describe('The bundled starter model', function () {
	this.timeout(600_000);

	it('is the file the model card describes (SHA-256 in models/README.md)', function () {
		const card = readFileSync(path.join(ROOT, 'models', 'README.md'), 'utf8');
		const stated = /sha256\s+`([0-9a-f]{64})`/.exec(card)?.[1];
		assert.ok(stated, 'the model card states the SHA-256');
		assert.ok(card.includes(path.basename(MODEL)), 'the model card names the bundled file');
		assert.equal(createHash('sha256').update(readFileSync(MODEL)).digest('hex'), stated);
	});

	it("computes the recipe's model: its own Q8_0 weights in PyTorch and llama.cpp agree on 512 positions of code it never saw", async function () {
		// The project's own source was never in the training corpus (package sources and standard libraries were).
		const text = readFileSync(path.join(ROOT, 'src', 'engine', 'runtime', 'completionEngine.ts'), 'utf8');
		const tokens = await textParityTokens(MODEL, text, 512);
		const { report, wrongRopeControl } = await checkGgufParity({
			recipeDirectory: path.join(ROOT, 'models', 'recipe'),
			ggufPath: MODEL,
			tokens,
			wrongRopeControl: true,
		});
		assert.equal(report.positions, 512);
		assert.ok(report.top1Agreement >= GGUF_PARITY_MIN_TOP1, `top-1 agreement ${report.top1Agreement}`);
		assert.ok(
			report.maxAbsDiff < report.referenceStd * 0.25,
			`max |diff| ${report.maxAbsDiff} against a logit std of ${report.referenceStd}`,
		);
		assert.ok(wrongRopeControl!.top1Agreement < 0.9, `the wrong rotary layout is told apart (${wrongRopeControl!.top1Agreement})`);
		assert.equal(report.fimTemplate, 'StarCoder (SPM)');
	});

	it("writes code for the README's first command and for a one-line function body", async function () {
		const fibonacci = await complete(['test/fixtures/fibonacci.ts:6:3']);
		assert.match(fibonacci.completion.split('\n')[0]!, /\S/, `a loop body, not an empty line: ${JSON.stringify(fibonacci.completion)}`);
		const add = await complete(
			['--stdin'],
			JSON.stringify({ prefix: 'def add(a, b):\n    return', suffix: '\n\n\nprint(add(1, 2))\n' }),
		);
		assert.equal(add.completion.trim(), 'a + b');
	});
});
