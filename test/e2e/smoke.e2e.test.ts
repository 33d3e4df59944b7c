// Proves the e2e harness end to end on a throwaway extension: real code-server, real
// chromium, a packaged VSIX, ghost text typed for, accepted and dismissed as a person would.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeSmokeExtension, SMOKE } from './fixtures/smokeExtension.js';
import {
	HarnessError,
	ensureCodeServer,
	launchChromium,
	makeTempDir,
	makeWorkspace,
	packageVsix,
	removeTempDir,
	screenshotFailures,
	startCodeServer,
	startSession,
	type Session,
} from './harness/index.js';

describe('e2e harness smoke (code-server + chromium)', function () {
	let session: Session | undefined;
	const temp: string[] = [];
	const timings: Record<string, number> = {};
	const suiteStart = Date.now();

	const wb = () => {
		assert.ok(session, 'session did not start');
		return session.workbench;
	};

	before(async function () {
		// A fresh machine installs chromium and code-server here: minutes, once.
		this.timeout(20 * 60_000);
		let t = Date.now();
		await ensureCodeServer();
		timings.installOrCacheCheckMs = Date.now() - t;

		const extDir = makeTempDir('ext');
		temp.push(extDir);
		writeSmokeExtension(join(extDir, 'hearth-smoke'));
		t = Date.now();
		const vsix = await packageVsix(join(extDir, 'hearth-smoke'), join(extDir, 'hearth-smoke.vsix'));
		timings.packageVsixMs = Date.now() - t;

		const workspace = makeWorkspace({ 'src/main.ts': 'export const one = 1;\n', 'notes.txt': 'notes\n' });
		temp.push(workspace);
		t = Date.now();
		session = await startSession({ workspace, vsix: [vsix] });
		timings.sessionStartMs = Date.now() - t;
		timings.codeServerStartMs = session.timings.codeServerStartMs;
		timings.workbenchReadyMs = session.timings.workbenchReadyMs;
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		await session?.close();
		for (const dir of temp) removeTempDir(dir);
		timings.wholeSuiteMs = Date.now() - suiteStart;
		console.log(`[e2e] timings (ms): ${JSON.stringify(timings)}`);
	});

	it('shows the extension status bar item', async function () {
		const item = await wb().waitForStatusBarItem(SMOKE.statusText);
		assert.equal(item.id, `${SMOKE.extensionId}.hearthSmoke.status`);
		assert.ok((await wb().statusBarTexts()).includes(SMOKE.statusText));
		await wb().screenshot('status-bar-item');
	});

	it('shows ghost text while typing, and Tab accepts it', async function () {
		await wb().openFile('src/main.ts');
		await wb().cursorToEndOfLine(1);
		await wb().press('Enter');
		await wb().typeText('const answer = ');
		assert.equal(await wb().waitForGhostText(), SMOKE.singleLine);
		await wb().screenshot('ghost-text-shown');

		await wb().acceptGhostText();
		await wb().screenshot('ghost-text-accepted');
		const pos = await wb().cursorPosition();
		assert.equal(await wb().documentText(), `export const one = 1;\nconst answer = ${SMOKE.singleLine}\n`);
		// documentText() selects all to copy; the cursor must come back where it was.
		assert.deepEqual(await wb().cursorPosition(), pos);
	});

	it('Escape dismisses ghost text without inserting it', async function () {
		await wb().press('End');
		await wb().press('Enter');
		await wb().typeText('const other = ');
		await wb().waitForGhostText(SMOKE.singleLine);
		await wb().dismissGhostText();
		await wb().screenshot('ghost-text-dismissed');
		const text = await wb().documentText();
		assert.ok(text.includes('const other = \n') || text.endsWith('const other = '), `unexpected document:\n${text}`);
		assert.ok(!text.includes(`other = ${SMOKE.singleLine}`));
	});

	it('reads multi-line ghost text and accepts it', async function () {
		await wb().press('End');
		await wb().press('Enter');
		await wb().typeText('function ');
		assert.equal(await wb().waitForGhostText('return 42'), SMOKE.multiLine);
		await wb().screenshot('multi-line-ghost-text');
		await wb().acceptGhostText();
		assert.ok((await wb().documentText()).includes(`function ${SMOKE.multiLine}`));
		assert.match(await wb().visibleText(), /function smoke\(\) \{\n {4}return 42;\n\}/);
	});

	it('lists the command in the editor context menu and the command palette, and runs it', async function () {
		const menu = await wb().editorContextMenu({ line: 1, keepOpen: true });
		// Right-clicking at the cursor must leave it there (end of line 1).
		assert.deepEqual(await wb().cursorPosition(), { line: 1, column: 'export const one = 1;'.length + 1 });
		await wb().screenshot('context-menu');
		await wb().closeMenu();
		assert.ok(
			menu.some((e) => e.label === SMOKE.commandTitle && e.enabled),
			JSON.stringify(menu),
		);
		assert.ok(menu.some((e) => e.label === 'Command Palette...'));

		assert.deepEqual(await wb().commandPaletteEntries('Hearth Smoke:'), [SMOKE.commandTitle]);
		await wb().runCommand(SMOKE.commandTitle);
		assert.match(await wb().waitForNotification(SMOKE.helloMessage), /Hello from Hearth Smoke/);
		await wb().screenshot('command-ran');
	});

	it('fails loudly, naming the piece, when chromium or code-server cannot start', async function () {
		await assert.rejects(launchChromium({ executablePath: '/nonexistent/chromium' }), (err: Error) => {
			assert.ok(err instanceof HarnessError);
			assert.match(err.message, /chromium cannot start/);
			return true;
		});
		const never = makeTempDir('never');
		temp.push(never);
		await assert.rejects(startCodeServer({ workspace: never, startTimeoutMs: 1 }), (err: Error) => {
			assert.ok(err instanceof HarnessError);
			assert.match(err.message, /code-server never answered/);
			assert.match(err.message, /--- last lines of .*code-server-\d+\.log ---/);
			return true;
		});
	});
});
