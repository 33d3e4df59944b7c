import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { repoRoot } from '../helpers/paths.js';

/**
 * The architecture's layers are ESLint rules (eslint.config.js, run by `npm run lint`). These tests lint
 * small snippets placed in each layer with the project's own configuration and check that the rule for
 * each forbidden import fires, and that a legal import passes: the layer rules can fail.
 */
describe('architecture layers (eslint.config.js)', function () {
	let eslint: ESLint;

	before(function () {
		eslint = new ESLint({ cwd: repoRoot });
	});

	/** The rules that fire for `code` placed at `file` (relative to the repository root). */
	async function rulesFiredFor(file: string, code: string): Promise<string[]> {
		const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
		const fatal = result!.messages.filter((message) => message.fatal);
		assert.deepEqual(fatal, [], `${file} parses`);
		return result!.messages.map((message) => message.ruleId!);
	}

	const forbidden: { file: string; imports: string; rule: string }[] = [
		{ file: 'src/engine/probe.ts', imports: 'vscode', rule: 'no-restricted-imports' },
		{ file: 'src/server/probe.ts', imports: 'vscode', rule: 'no-restricted-imports' },
		{ file: 'src/shared/probe.ts', imports: 'node-llama-cpp', rule: 'no-restricted-imports' },
		{ file: 'src/extension/probe.ts', imports: 'node-llama-cpp', rule: 'no-restricted-imports' },
		{ file: 'src/teamServer/probe.ts', imports: 'vscode', rule: 'no-restricted-imports' },
		{ file: 'test/unit/probe.test.ts', imports: 'vscode', rule: 'no-restricted-imports' },
		{ file: 'src/shared/probe.ts', imports: '../engine/logger.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/engine/probe.ts', imports: '../server/main.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/engine/probe.ts', imports: '../tooling/seededRandom.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/server/probe.ts', imports: '../extension/main.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/extension/probe.ts', imports: '../engine/logger.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/extension/probe.ts', imports: '../server/main.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/tooling/probe.ts', imports: '../teamServer/openAiServer.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/train/probe.ts', imports: '../bench/main.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/teamServer/probe.ts', imports: '../cli/serve.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/bench/probe.ts', imports: '../cli/complete.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/build/probe.ts', imports: '../engine/logger.js', rule: 'import-x/no-restricted-paths' },
		{ file: 'src/bench/probe.ts', imports: '../../test/helpers/paths.js', rule: 'import-x/no-restricted-paths' },
	];
	for (const { file, imports, rule } of forbidden) {
		it(`${path.dirname(file)} may not import ${imports} (${rule})`, async function () {
			const fired = await rulesFiredFor(file, `import * as imported from '${imports}';\nexport const probe = imported;\n`);
			assert.deepEqual(fired, [rule]);
		});
	}

	it('legal imports pass: the server on the engine, shared and node-llama-cpp; the extension on vscode and shared', async function () {
		const server = [
			"import { getLlama } from 'node-llama-cpp';",
			"import { silentLogger } from '../engine/logger.js';",
			"import { messageOf } from '../shared/errorMessage.js';",
			'export const probe = [getLlama, silentLogger, messageOf];',
		];
		assert.deepEqual(await rulesFiredFor('src/server/probe.ts', server.join('\n') + '\n'), []);
		const extension = [
			"import * as vscode from 'vscode';",
			"import { messageOf } from '../shared/errorMessage.js';",
			'export const probe = [vscode, messageOf];',
		];
		assert.deepEqual(await rulesFiredFor('src/extension/probe.ts', extension.join('\n') + '\n'), []);
		assert.deepEqual(
			await rulesFiredFor('test/vscode/probe.ts', "import * as vscode from 'vscode';\nexport const probe = vscode;\n"),
			[],
		);
	});

	it('an import cycle fails (import-x/no-cycle)', async function () {
		// runSoak.ts imports bundledServer.ts; bundledServer.ts importing runSoak.ts back closes a loop.
		assert.match(fs.readFileSync(path.join(repoRoot, 'src/bench/soak/runSoak.ts'), 'utf8'), /from '\.\/bundledServer\.js'/);
		const fired = await rulesFiredFor(
			'src/bench/soak/bundledServer.ts',
			"import { runSoak } from './runSoak.js';\nexport const probe = runSoak;\n",
		);
		assert.deepEqual(fired, ['import-x/no-cycle']);
	});

	it('every folder under src/ has a layer in eslint.config.js', async function () {
		const config = (await import(pathToFileURL(path.join(repoRoot, 'eslint.config.js')).href)) as { LAYERS: Record<string, unknown> };
		const folders = fs
			.readdirSync(path.join(repoRoot, 'src'), { withFileTypes: true })
			.filter((entry) => entry.isDirectory())
			.map((entry) => `src/${entry.name}`);
		assert.deepEqual(Object.keys(config.LAYERS).sort(), folders.sort());
	});
});
