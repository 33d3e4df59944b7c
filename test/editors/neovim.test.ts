import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CompletionItem, CompletionList, Position, TextEdit } from 'vscode-languageserver-protocol';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import type { ServerStatus } from '../../src/shared/protocol.js';
import type { HearthSettings } from '../../src/shared/settings.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { MATH_CURSOR, MATH_SOURCE } from '../helpers/mathDocument.js';
import { repoRoot } from '../helpers/paths.js';
import { testSettings } from '../helpers/testSettings.js';

/** The command other editors run (package.json "bin"), and the Lua that makes Neovim a test client. */
const HEARTH_LSP = path.join(repoRoot, 'bin', 'hearth-lsp.js');
const CLIENT_SCRIPT = path.join(repoRoot, 'test', 'editors', 'neovim', 'complete.lua');
/** Safety limits only: each wait in the Lua script, and the whole Neovim run. */
const WAIT_MS = 120_000;
const RUN_LIMIT_MS = 270_000;

/** What complete.lua writes. */
interface NeovimReport {
	failure?: string;
	status?: ServerStatus;
	completionProvider?: boolean;
	position?: Position;
	error?: unknown;
	completion?: CompletionList | CompletionItem[] | null;
	exitCode?: number;
	logs: string[];
}

describe("other editors: Neovim's built-in LSP client completes through hearth-lsp --stdio (real editor, real server, real model)", function () {
	this.timeout(RUN_LIMIT_MS + 30_000);
	let directory: string;

	before(async function () {
		const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
		assert.ok(version.status === 0, 'nvim not found: install Neovim 0.7 or later (Debian: apt-get install neovim; .ci/run does)');
		const [, major, minor] = /NVIM v(\d+)\.(\d+)/.exec(version.stdout) ?? [];
		assert.ok(
			Number(major) > 0 || Number(minor) >= 7,
			`Neovim 0.7 or later is needed for vim.lsp, found ${version.stdout.split('\n')[0]}`,
		);
		await fs
			.access(path.join(repoRoot, 'dist', 'server.mjs'))
			.catch(() => assert.fail('dist/server.mjs is missing: run npm run build'));
		directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-neovim-'));
	});

	after(async function () {
		if (directory) {
			await fs.rm(directory, { recursive: true, force: true });
		}
	});

	it('finds the bundled model with no initializationOptions and answers textDocument/completion at the cursor', async function () {
		const document = path.join(directory, 'math.ts');
		await fs.writeFile(document, MATH_SOURCE);
		const report = await runNeovim({ document, cursor: MATH_CURSOR, settings: testSettings() });

		assert.equal(report.status?.state, 'ready', `the server loaded a model: ${JSON.stringify(report.status)}`);
		assert.equal(
			report.status?.model?.path,
			path.join(repoRoot, BUNDLED_MODEL_RELATIVE_PATH),
			'the bundled model, found without options',
		);
		assert.equal(report.completionProvider, true, 'completion is advertised to a client without inline completion');
		assert.deepEqual(report.position, MATH_CURSOR, "Neovim's cursor is where the test put it");
		const item = onlyItem(report);
		const edit = item.textEdit as TextEdit;
		assert.deepEqual(edit.range, { start: MATH_CURSOR, end: MATH_CURSOR }, 'inserted at the cursor (no word was being typed)');
		assert.ok(edit.newText.trim().length > 0, 'the model wrote something');
		assert.equal(item.detail, 'Hearth');
		assert.equal(
			item.label,
			edit.newText
				.split('\n')
				.find((line) => line.trim() !== '')!
				.trim(),
			'labelled with the first line',
		);
		assert.ok(
			report.logs.some((line) => line.startsWith('completion: ')),
			"the server logged the model's run",
		);
		assert.equal(report.exitCode, 0, 'the server shut down cleanly when Neovim stopped it');
	});

	it("reads the settings through workspace/configuration and keeps the word being typed in the item's edit", async function () {
		const modelPath = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
		const document = path.join(directory, 'typing.ts');
		const typed = MATH_SOURCE.split('\n');
		typed[MATH_CURSOR.line] = '\tret';
		await fs.writeFile(document, typed.join('\n'));
		const cursor = { line: MATH_CURSOR.line, character: '\tret'.length };
		const report = await runNeovim({
			document,
			cursor,
			settings: testSettings({ model: { path: modelPath } }),
			initializationOptions: { defaultModelPath: path.join(directory, 'absent.gguf') },
		});

		assert.equal(report.status?.state, 'ready', `the server loaded a model: ${JSON.stringify(report.status)}`);
		assert.equal(report.status?.model?.path, modelPath, 'hearth.model.path from the settings Neovim was given');
		assert.equal(report.status?.model?.contextSize, 1024, 'hearth.performance.contextSize from the settings');
		const edit = onlyItem(report).textEdit as TextEdit;
		assert.deepEqual(edit.range, { start: { line: cursor.line, character: 1 }, end: cursor }, 'the edit covers the word being typed');
		assert.ok(edit.newText.startsWith('ret') && edit.newText.length > 'ret'.length, `the word, then the model's text: ${edit.newText}`);
		assert.equal(report.exitCode, 0);
	});

	/** Runs Neovim headless on complete.lua to its exit, and returns what it wrote. */
	async function runNeovim(options: {
		document: string;
		cursor: Position;
		settings: HearthSettings;
		initializationOptions?: object;
	}): Promise<NeovimReport> {
		const output = path.join(directory, 'report.json');
		await fs.rm(output, { force: true });
		const env = {
			...process.env,
			HEARTH_LSP,
			HEARTH_SETTINGS: JSON.stringify(options.settings),
			HEARTH_INIT_OPTIONS: options.initializationOptions ? JSON.stringify(options.initializationOptions) : '',
			HEARTH_DOCUMENT: options.document,
			HEARTH_FILETYPE: 'typescript',
			HEARTH_LINE: String(options.cursor.line),
			HEARTH_CHARACTER: String(options.cursor.character),
			HEARTH_OUTPUT: output,
			HEARTH_WAIT_MS: String(WAIT_MS),
		};
		const child = spawn('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${CLIENT_SCRIPT}`], {
			cwd: directory,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let printed = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (printed += chunk));
		const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
		const code = await new Promise<number | null>((resolve, reject) => {
			child.on('error', reject);
			child.on('close', resolve);
		}).finally(() => clearTimeout(limit));
		const written = await fs.readFile(output, 'utf8').catch(() => undefined);
		assert.ok(written !== undefined, `Neovim exited with ${code} and wrote no report: ${printed}`);
		const report = JSON.parse(written) as NeovimReport;
		assert.equal(report.failure, undefined, `the Lua client failed: ${report.failure}\n${report.logs.join('\n')}\n${printed}`);
		assert.equal(code, 0, `Neovim exited with ${code}: ${printed}`);
		return report;
	}
});

/** The one item of a completion answer (a list or an array). */
function onlyItem(report: NeovimReport): CompletionItem {
	assert.equal(report.error ?? undefined, undefined, `textDocument/completion failed: ${JSON.stringify(report.error)}`);
	const items = Array.isArray(report.completion) ? report.completion : (report.completion?.items ?? []);
	assert.equal(items.length, 1, `one completion item: ${JSON.stringify(report.completion)}\n${report.logs.join('\n')}`);
	return items[0]!;
}
