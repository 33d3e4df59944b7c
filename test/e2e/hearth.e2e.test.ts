// The real extension in a real VS Code: the packaged VSIX installed into code-server, driven in
// chromium like a person would. Each step saves a screenshot (folder printed at the end).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer, makeWorkspace, removeTempDir, REPO_ROOT, screenshotFailures, startSession, type Session, type Workbench } from './harness/index.js';
import { buildHearthVsix } from './hearthVsix.js';
import { languageServerPids } from './serverProcess.js';

/** The status bar item's element id: `${publisher}.${name}.${item id}`. */
const STATUS_ITEM_ID = 'hearth-dev.hearth.hearth.status';
/** Hearth's entries expected in the editor context menu on a selection; issue 6 adds explain/refactor/clean-up. */
const EXPECTED_CONTEXT_MENU_ENTRIES: string[] = [];

const SHAPES_TS = `export interface Rectangle {
	width: number;
	height: number;
}

export function area(shape: Rectangle): number {
	return shape.width * shape.height;
}

export function perimeter(shape: Rectangle): number {
	return 2 * (shape.width + shape.height);
}
`;
const LAST_LINE = SHAPES_TS.split('\n').length - 1;

describe('Hearth in a real VS Code (code-server + chromium)', function () {
	let session: Session | undefined;
	let workspace: string | undefined;
	const timings: Record<string, number> = {};
	const wb = (): Workbench => {
		assert.ok(session, 'the session did not start');
		return session.workbench;
	};

	before(async function () {
		this.timeout(20 * 60_000); // a fresh machine installs chromium and code-server here
		let started = Date.now();
		await ensureCodeServer();
		timings.installCheckMs = Date.now() - started;
		started = Date.now();
		const vsix = buildHearthVsix();
		timings.packageVsixMs = Date.now() - started;
		workspace = makeWorkspace({ 'src/shapes.ts': SHAPES_TS });
		started = Date.now();
		session = await startSession({
			workspace,
			vsix: [vsix],
			settings: {
				// Short, single-line suggestions keep the noise of the random-weight default model small.
				'hearth.inlineCompletion.maxTokens': 12,
				'hearth.inlineCompletion.mode': 'single-line',
				// Typed-through characters must not pull in auto-closed partners.
				'editor.autoClosingBrackets': 'never',
				'editor.autoClosingQuotes': 'never',
			},
		});
		timings.sessionStartMs = Date.now() - started;
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		await session?.close();
		if (workspace) {
			removeTempDir(workspace);
		}
		console.log(`[e2e] Hearth timings (ms): ${JSON.stringify(timings)}`);
	});

	it('activates and shows the active model and its state in the status bar', async function () {
		const started = Date.now();
		const item = await wb().waitForStatusBarItem(/· ready$/, 90_000);
		timings.untilReadyMs = Date.now() - started;
		assert.equal(item.id, STATUS_ITEM_ID);
		assert.match(item.text, /^Hearth starter placeholder/);
		assert.match(item.ariaLabel, /Hearth|starter/);
		await wb().screenshot('status-bar-ready');
	});

	it('shows ghost text from the local model while typing; Tab inserts exactly that text', async function () {
		await wb().openFile('src/shapes.ts');
		await wb().cursorToEndOfLine(LAST_LINE);
		await wb().press('Enter');
		// Read before typing: reading the document selects it, which hides ghost text.
		const before = await wb().documentText();
		const offset = offsetOf(before, await wb().cursorPosition());
		await wb().typeText('const total = ');
		const ghost = await wb().waitForGhostText(undefined, 60_000);
		await wb().screenshot('ghost-text-shown');
		await wb().acceptGhostText();
		await wb().screenshot('ghost-text-accepted');
		assert.equal(await wb().documentText(), `${before.slice(0, offset)}const total = ${ghost}${before.slice(offset)}`);
	});

	it('Escape dismisses the ghost text and leaves the document as it was', async function () {
		await wb().press('End');
		await wb().press('Enter');
		const before = await wb().documentText();
		const offset = offsetOf(before, await wb().cursorPosition());
		await wb().typeText('let count = ');
		await wb().waitForGhostText(undefined, 60_000);
		await wb().dismissGhostText();
		await wb().screenshot('ghost-text-dismissed');
		assert.equal(await wb().documentText(), `${before.slice(0, offset)}let count = ${before.slice(offset)}`);
	});

	it('keeps the rest of the ghost text on screen while typing a matching character', async function () {
		const ghost = await findGhostText(wb(), ['let width = ', 'let name = ', 'var result = ', 'const value = ']);
		await wb().screenshot('type-through-before');
		await wb().typeText(ghost[0]!);
		const rest = await wb().waitForGhostText(undefined, 30_000);
		await wb().screenshot('type-through-after');
		assert.equal(rest, ghost.slice(1));
	});

	it('opens the editor context menu on a selection, with Hearth entries as far as they exist', async function () {
		await wb().gotoLine(6, 1);
		await wb().press('Shift+End');
		const menu = await wb().editorContextMenu({ keepOpen: true });
		await wb().screenshot('context-menu-on-selection');
		await wb().closeMenu();
		assert.ok(menu.some((entry) => entry.label === 'Copy'), JSON.stringify(menu));
		const hearthEntries = menu.filter((entry) => entry.label.startsWith('Hearth')).map((entry) => entry.label);
		assert.deepEqual(hearthEntries, EXPECTED_CONTEXT_MENU_ENTRIES);
		await wb().press('End');
	});

	it('survives the language server being killed: reports it, restarts it, completes again, loses no text', async function () {
		assert.ok(session);
		const extensionsDir = session.server.extensionsDir;
		const [oldPid, ...others] = languageServerPids(extensionsDir);
		assert.ok(oldPid !== undefined && others.length === 0, `one language server runs (found ${[oldPid, ...others].join(', ')})`);
		const textBefore = await wb().documentText();

		process.kill(oldPid, 'SIGKILL');
		const started = Date.now();
		const seen: string[] = [];
		let newPid: number | undefined;
		while (Date.now() - started < 90_000) {
			const text = (await wb().statusBarItems()).find((item) => item.id === STATUS_ITEM_ID)?.text ?? '';
			if (text && seen.at(-1) !== text) {
				seen.push(text);
				if (!text.endsWith('· ready')) {
					await wb().screenshot('server-killed-status');
				}
			}
			newPid = languageServerPids(extensionsDir).find((pid) => pid !== oldPid);
			if (newPid !== undefined && text.endsWith('· ready') && seen.length > 1) {
				break;
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		timings.restartMs = Date.now() - started;
		assert.ok(newPid !== undefined, `a new language server started (status seen: ${JSON.stringify(seen)})`);
		assert.ok(seen.some((text) => /· (restarting|starting|loading)$/.test(text)), `the status bar reported the restart: ${JSON.stringify(seen)}`);
		assert.match(seen.at(-1)!, /· ready$/);
		await wb().screenshot('server-restarted');
		assert.equal(await wb().documentText(), textBefore, 'no text lost');

		await wb().press('End');
		await wb().press('Enter');
		await wb().typeText('const again = ');
		await wb().waitForGhostText(undefined, 60_000);
		await wb().screenshot('completions-after-restart');
	});

	it('lists every command of the extension under one category in the command palette', async function () {
		const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { title: string; category: string }[] } };
		const categories = new Set(manifest.contributes.commands.map((command) => command.category));
		assert.deepEqual([...categories], ['Hearth']);
		const expected = manifest.contributes.commands.map((command) => `${command.category}: ${command.title}`).sort();
		const listed = await wb().commandPaletteEntries('Hearth: ');
		await wb().screenshot('command-palette');
		assert.deepEqual([...listed].sort(), expected);
	});
});

/** 1-based line/column to an offset in `text`. */
function offsetOf(text: string, position: { line: number; column: number }): number {
	const lines = text.split('\n');
	return lines.slice(0, position.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + position.column - 1;
}

/**
 * Types each start on a new line until the model's suggestion begins with an ordinary character and
 * is long enough to type through (the default model's output is noise; some of it starts with
 * punctuation an editor would treat specially).
 */
async function findGhostText(workbench: Workbench, starts: string[]): Promise<string> {
	for (const start of starts) {
		await workbench.press('End');
		await workbench.press('Enter');
		await workbench.typeText(start);
		const ghost = await workbench.waitForGhostText(undefined, 60_000);
		if (ghost.length >= 2 && /^[\p{L}\p{N}_]/u.test(ghost)) {
			return ghost;
		}
		await workbench.dismissGhostText();
	}
	throw new Error(`no suggestion starting with a letter or digit after ${JSON.stringify(starts)}`);
}
