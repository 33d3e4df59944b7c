// The real Hearth extension in a real VS Code, driven like a person would: the VSIX the release
// packager builds is installed into code-server, opened in chromium, and every step below is
// done with the keyboard and mouse and checked on screen (status bar, ghost text, menus,
// palette) or through the clipboard (the exact document). Each step saves a screenshot; the
// folder is printed at the end of the run, with the extension's log beside it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_PROCESS_EXEC_ARGV, MODEL_PROCESS_MALLOC_ARENAS } from '../../src/shared/modelProcess.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { HEARTH_WORKSPACE, INVENTORY_TS, lineOf } from './fixtures/hearthWorkspace.js';
import {
	artifactPath,
	ensureCodeServer,
	isAlive,
	makeWorkspace,
	removeTempDir,
	screenshotFailures,
	startSession,
	type MenuEntry,
	type Session,
	type Workbench,
} from './harness/index.js';
import { answerText, clickAnswerButton, waitForHearthMessage } from './support/answerView.js';
import { buildExtensionVsix } from './support/extensionVsix.js';
import {
	collectHearthLog,
	HEARTH,
	hearthStatus,
	languageServerPids,
	readManifest,
	settledGhostText,
	shortModelName,
	statusDetails,
	theLanguageServerPid,
	waitForHearthState,
} from './support/hearthExtension.js';

/**
 * Hearth's entries expected in the editor context menu on a selection, by title (package.json's
 * contributes.menus["editor/context"], which this test reads too).
 */
const EXPECTED_HEARTH_CONTEXT_MENU_ENTRIES: readonly string[] = [
	'Explain Selection',
	'Refactor Selection…',
	'Clean Up Docs in Selection',
	'Ask Frontier Model…',
];

/** A model file that does not exist, for the bad-settings step. */
const MISSING_MODEL = '/nonexistent/hearth-e2e/missing-model.Q8_0.gguf';

/** The test profile's settings for Hearth (merged over the harness's quiet-VS-Code settings). */
const HEARTH_TEST_SETTINGS: Record<string, unknown> = {
	// Short one-line suggestions: the default model's output is noise, so keep it small and stable.
	'hearth.inlineCompletion.maxTokens': 16,
	'hearth.inlineCompletion.mode': 'single-line',
	// The default 3 s budget stops a completion at whatever it has by then, which on a loaded
	// 2-core machine varies from run to run; far above what 16 tokens take, the suggestion
	// depends on the text alone (greedy decoding).
	'hearth.inlineCompletion.timeBudgetMs': 60_000,
	// Typed characters go in as typed: no auto-closed partners (type-through, JSON settings).
	'editor.autoClosingBrackets': 'never',
	'editor.autoClosingQuotes': 'never',
};

/** Where to type for a suggestion: at the end of the line `after`, a new line with `type` on it. */
interface Spot {
	after: string;
	type: string;
}

describe('Hearth extension in a real VS Code (code-server + chromium)', function () {
	let session: Session | undefined;
	let workspace: string | undefined;
	const suiteStart = Date.now();
	const timings: Record<string, number> = {};
	const notes: Record<string, unknown> = {};

	const wb = (): Workbench => {
		assert.ok(session, 'the session did not start');
		return session.workbench;
	};
	const server = () => {
		assert.ok(session, 'the session did not start');
		return session.server;
	};

	before(async function () {
		// A fresh machine installs chromium and code-server here (minutes, once); building the
		// VSIX takes ~20 s, reusing it milliseconds.
		this.timeout(25 * 60_000);
		let t = Date.now();
		await ensureCodeServer();
		timings.installOrCacheCheckMs = Date.now() - t;
		const vsix = await buildExtensionVsix();
		timings[vsix.built ? 'vsixBuildMs' : 'vsixReuseMs'] = vsix.ms;
		workspace = makeWorkspace(HEARTH_WORKSPACE);
		t = Date.now();
		session = await startSession({ workspace, vsix: [vsix.path], settings: HEARTH_TEST_SETTINGS });
		timings.sessionStartMs = Date.now() - t; // VSIX install + code-server + chromium + workbench
		timings.codeServerStartMs = session.timings.codeServerStartMs;
		timings.workbenchReadyMs = session.timings.workbenchReadyMs;
	});

	screenshotFailures(() => session);
	afterEach(function () {
		const test = this.currentTest;
		if (test?.duration !== undefined) timings[`test: ${test.title}`] = test.duration;
	});

	after(async function () {
		this.timeout(60_000);
		if (session) collectHearthLog(session.server);
		await session?.close();
		if (workspace) removeTempDir(workspace);
		timings.wholeSuiteMs = Date.now() - suiteStart;
		writeFileSync(artifactPath('hearth-e2e-report.json'), JSON.stringify({ timings, notes }, null, 2));
		console.log(`[e2e] Hearth timings (ms): ${JSON.stringify(timings)}`);
		console.log(`[e2e] Hearth observations: ${JSON.stringify(notes)}`);
	});

	it('activates and shows the active model and its state in the status bar', async function () {
		// Nothing loads while no editor is open: the item says so and no language server runs.
		const waiting = await waitForHearthState(wb(), 'unloaded', 60_000);
		assert.equal(waiting.text, 'Hearth · unloaded');
		assert.equal(languageServerPids(server()).length, 0, 'no language server before a file is open');
		await wb().openFile('src/inventory.ts');
		const started = Date.now();
		// The states it passes through on the way (starting, loading, ...), as a person would see them.
		const seen: string[] = [];
		await wb().waitFor(
			async () => {
				const status = await hearthStatus(wb());
				if (status && seen.at(-1) !== status.state) seen.push(status.state);
				return status?.state === 'ready';
			},
			120_000,
			() => `the Hearth status bar item never showed "ready"; states seen: ${JSON.stringify(seen)}`,
		);
		timings.workbenchToReadyMs = Date.now() - started;
		notes.statesUntilReady = seen;
		for (const state of seen)
			assert.ok(
				(HEARTH.states as readonly string[]).includes(state),
				`"${state}" is one of the states the item names: ${JSON.stringify(seen)}`,
			);
		const status = await waitForHearthState(wb(), 'ready', 10_000);

		const tooltip = await wb().statusBarTooltip(HEARTH.statusItemId, { keepOpen: true });
		await wb().screenshot('status-bar-ready-with-tooltip');
		await wb().closeHover();
		notes.readyTooltip = tooltip;

		assert.match(tooltip, /^Hearth — ready$/m);
		const model = /^Model: (.+)$/m.exec(tooltip)?.[1];
		assert.ok(model, `the tooltip names the model:\n${tooltip}`);
		assert.equal(status.text, `${shortModelName(model)} · ready`, 'the status bar shows the model (shortened) and its state');
		// The model file: the one bundled inside the installed extension.
		const file = /^File: (.+) \([\d.]+ MiB, (\S+)\)$/m.exec(tooltip);
		assert.ok(file, `the tooltip names the model file:\n${tooltip}`);
		assert.ok(
			file[1]!.startsWith(`${server().extensionsDir}/${HEARTH.extensionId}-`),
			`model file inside the installed extension: ${file[1]}`,
		);
		assert.ok(file[1]!.endsWith(`/${HEARTH.bundledModel}`), `the bundled model: ${file[1]}`);
		assert.equal(file[2], 'Q8_0');
		assert.equal(languageServerPids(server()).length, 1, 'one language server process');
		// Started with the memory settings the bench's race measured (src/shared/modelProcess.ts).
		const pid = theLanguageServerPid(server());
		const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
		for (const option of MODEL_PROCESS_EXEC_ARGV) {
			assert.ok(
				argv.indexOf(option) >= 0 && argv.indexOf(option) < argv.findIndex((arg) => arg.endsWith(HEARTH.serverEntry)),
				`${option} before the script: ${argv.join(' ')}`,
			);
		}
		const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
		assert.ok(
			environment.includes(`MALLOC_ARENA_MAX=${MODEL_PROCESS_MALLOC_ARENAS}`),
			'the language server runs with at most two malloc arenas',
		);
	});

	it('shows ghost text from the local model while typing; Tab inserts exactly that text', async function () {
		await wb().openFile('src/inventory.ts');
		const ghost = await typeForSuggestion(wb(), [
			{ after: 'let total = 0;', type: 'let count = ' },
			{ after: 'const item = this.items.get(id);', type: 'const left = ' },
		]);
		await wb().screenshot('ghost-text-shown');
		notes.acceptedGhostText = ghost;
		// A completion report came back from the language server: the model made this suggestion.
		assert.match((await hearthStatus(wb()))?.ariaLabel ?? '', /Last: \d+ ms/);

		// Reading the document exactly (clipboard) dismisses the ghost text; ask for it again:
		// the same context gives the same suggestion (greedy decoding, and the server's cache).
		const before = await documentWithCursor(wb());
		await wb().triggerInlineSuggestion();
		assert.equal(await settledGhostText(wb()), ghost, 'the same context gives the same suggestion');
		await wb().acceptGhostText();
		await wb().screenshot('ghost-text-accepted');
		// The cursor ends after the inserted text (Col counts characters when they are plain ASCII).
		const after = await wb().cursorPosition();
		assert.equal(after.line, before.cursor.line);
		if (/^[\x20-\x7e]*$/.test(ghost)) assert.equal(after.column, before.cursor.column + ghost.length);
		assert.equal(
			await wb().documentText(),
			before.text.slice(0, before.offset) + ghost + before.text.slice(before.offset),
			'the document holds exactly the accepted text at the cursor',
		);
	});

	it('Escape dismisses the ghost text and leaves the document unchanged', async function () {
		await wb().openFile('src/orders.ts');
		await typeForSuggestion(wb(), [
			{ after: "return orders.filter((order) => order.status === 'open');", type: 'const count = ' },
			{ after: "export type OrderStatus = 'open' | 'paid' | 'shipped' | 'cancelled';", type: 'const DEFAULT_STATUS = ' },
		]);
		const before = await wb().documentText();
		await wb().triggerInlineSuggestion();
		await settledGhostText(wb());
		await wb().screenshot('ghost-text-before-escape');
		await wb().dismissGhostText();
		await wb().screenshot('ghost-text-dismissed');
		assert.equal(await wb().documentText(), before, 'Escape changed nothing in the document');
	});

	it('keeps the rest of the ghost text on screen while typing a character that matches it', async function () {
		await wb().openFile('src/report.ts');
		const ghost = await typeForSuggestion(
			wb(),
			[
				{ after: 'let revenue = 0;', type: 'let count = ' },
				{ after: "const rest = String(cents % 100).padStart(2, '0');", type: 'const sign = ' },
				{ after: 'const lines: string[] = [];', type: 'const title = ' },
			],
			// A first character a person can type as-is (not Tab, which would accept), and more after it.
			(g) => g.length >= 2 && /^[\p{L}\p{N}_$ .,;:=+\-*/<>!?&|]/u.test(g),
		);
		await wb().screenshot('type-through-before');
		const first = [...ghost][0]!; // one character, even outside the BMP
		const started = Date.now();
		await wb().typeText(first);
		const rest = await settledGhostText(wb());
		timings.typeThroughMs = Date.now() - started;
		await wb().screenshot('type-through-after');
		notes.typeThrough = { ghost, typed: first, rest };
		assert.equal(rest, ghost.slice(first.length), 'the ghost text after typing its first character is the rest of it');
		await wb().dismissGhostText();
	});

	it('opens the editor context menu on a selection, with the Hearth entries expected so far', async function () {
		await wb().openFile('src/inventory.ts');
		// Select the whole add() method, as one would before asking to explain or refactor it.
		const first = lineOf(INVENTORY_TS, 'add(item: Item): void {');
		const last = INVENTORY_TS.split('\n').findIndex((l, i) => i >= first && l === '  }') + 1;
		await wb().gotoLine(first, 3);
		for (let i = first; i < last; i++) await wb().press('Shift+ArrowDown');
		await wb().press('Shift+End');
		const lines = INVENTORY_TS.split('\n');
		const selectedChars = [lines[first - 1]!.slice(2), ...lines.slice(first, last)].join('\n').length;
		const selection = `Ln ${last}, Col ${lines[last - 1]!.length + 1} (${selectedChars} selected)`;
		// The status bar follows the selection a moment late.
		let shown = '';
		await wb().waitFor(
			async () => (shown = await wb().selectionStatus()) === selection,
			10_000,
			() => `the status bar shows "${shown}", not "${selection}"`,
		);

		const menu = await wb().editorContextMenu({ onSelection: true, keepOpen: true });
		await wb().screenshot('context-menu-on-selection');
		await wb().closeMenu();
		await wb().cursorPosition(); // lets the status bar catch up with what the right-click did
		const selectionAfterMenu = await wb().selectionStatus();
		notes.contextMenu = menu.map((e) => `${e.label}${e.enabled ? '' : ' (disabled)'}`);
		writeFileSync(artifactPath('context-menu-on-selection.json'), JSON.stringify(menu, null, 2));

		assert.equal(selectionAfterMenu, selection, 'the right-click kept the selection');
		assert.ok(menu.length > 0 && menu.some((e) => e.label === 'Command Palette...'), `an editor context menu: ${JSON.stringify(menu)}`);
		assertHearthMenuEntries(menu);
		await wb().press('Escape'); // drop the selection
	});

	it('explains a selection from the context menu with the bundled base model: a generated doc comment in the Hearth view, labelled as one', async function () {
		// The bundled model is a base fill-in-the-middle model: the server routes Explain to Document This.
		this.timeout(300_000);
		await wb().openFile('src/inventory.ts');
		await selectAddMethod(wb());
		await wb().editorContextMenu({ onSelection: true, keepOpen: true });
		await wb().clickMenuEntry('Explain Selection');
		await wb().waitFor(
			async () => (await wb().tabLabels()).some((t) => /Explain inventory\.ts/.test(t)),
			20_000,
			'no Hearth view tab for the explanation',
		);
		let shown = '';
		await wb().waitFor(
			async () => /Answered by/.test((shown = await answerText(wb(), 'Generated doc comment for'))),
			240_000,
			() => `no generated doc comment in the view: ${JSON.stringify(shown.slice(0, 300))}`,
		);
		await wb().screenshot('explain-doc-comment');
		notes.explainPreview = shown.slice(0, 600);
		assert.match(shown, /^Generated doc comment for the selection in inventory\.ts \(lines \d+–\d+\)/);
		assert.match(shown, /is a base completion model: this is the doc comment it would write above the code, not an explanation/);
		assert.match(shown, /\/\*\*/, 'a JSDoc comment, the language style');
		assert.match(shown, /confidence \d+ %/, 'the answer carries the model confidence');
		assert.deepEqual(await wb().notifications(), [], 'no notification was shown');
	});

	it('refactor with no model that follows instructions: no diff, an honest message offering a local chat model and the frontier model', async function () {
		this.timeout(300_000);
		await wb().openFile('src/inventory.ts');
		const before = await wb().documentText();
		await selectAddMethod(wb());
		await wb().editorContextMenu({ onSelection: true, keepOpen: true });
		await wb().clickMenuEntry('Refactor Selection…');
		await wb().page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10_000 });
		await wb().typeText('use a for loop', 5);
		await wb().press('Enter');
		const message = await waitForHearthMessage(wb(), /No local model can do this/, 120_000);
		notes.refactorUnavailable = message;
		assert.match(message, /base fill-in-the-middle model.*Refactor needs a model that follows instructions/s);
		await wb().screenshot('refactor-offers');
		const buttons = await wb()
			.page.locator('.notifications-toasts .notification-list-item')
			.filter({ hasText: /No local model can do this/ })
			.first()
			.locator('.monaco-button')
			.allInnerTexts();
		assert.deepEqual(
			buttons.map((text) => text.trim()),
			['Get a Local Chat Model (Qwen2.5-Coder 0.5B Instruct, 531 MB)…', 'Ask Frontier Model…'],
		);
		assert.ok(!(await wb().tabLabels()).some((t) => /proposed by/.test(t)), 'no diff was opened');
		assert.equal(await wb().documentText(), before, 'the file is unchanged');

		// The local offer opens the switcher on the chat role: the completion model is not what it replaces.
		await wb().clickNotificationButton(/No local model can do this/, 'Get a Local Chat Model');
		await waitForQuickPickTitle(wb(), /Choose the chat model/);
		const none = await quickPickRow(wb(), 'None', /^None$/, /default/);
		notes.chatSwitcherNone = none;
		const instruct = await quickPickRow(wb(), '0.5B Instruct', /Qwen2\.5-Coder 0\.5B Instruct/, /^[\d.]+ GB · (fits|too big)/);
		notes.chatSwitcherCatalogRow = instruct;
		await wb().screenshot('chat-switcher-from-offer');
		await quickPickRow(wb(), 'OpenAI-compatible', /Use an OpenAI-compatible server/, /llama-server/);
		// Only models that suit the chat role: no base model in the download list.
		await wb().press('Control+A');
		await wb().typeText('Qwen2.5-Coder 1.5B', 5);
		const rows = await wb().quickPickRows();
		assert.ok(!rows.some((r) => /^Qwen2\.5-Coder 1\.5B$/.test(r.label)), `no base model for chat: ${JSON.stringify(rows)}`);
		assert.ok(
			rows.some((r) => /^Qwen2\.5-Coder 1\.5B Instruct$/.test(r.label)),
			`the instruct model is offered: ${JSON.stringify(rows)}`,
		);
		await wb().press('Escape');
	});

	it('a chat model beside the completion model: Explain answers as chat and names it, Stop ends a streaming answer, completions stay on the bundled model', async function () {
		this.timeout(600_000); // a settings edit, a chat model load, two answers and a completion: each wait has its own limit
		const chatModel = await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' });
		// hearth.chatModel is machine-scoped: in code-server the "Remote" settings.
		await editRemoteSettings(wb(), server().origin, `{ "hearth.chatModel.backend": "local", "hearth.chatModel.path": "${chatModel}" }`);
		await wb().openFile('src/inventory.ts');
		const ready = await waitForHearthState(wb(), 'ready', 180_000, (s) =>
			/Chat: .*tiny-qwen2-Instruct.* · ready/i.test(unescapeMarkdown(s.ariaLabel)),
		);
		assert.equal(ready.model, shortModelName('Hearth Starter gpu-base'), 'the status bar still names the completion model');

		const tooltip = await wb().statusBarTooltip(HEARTH.statusItemId, { keepOpen: true });
		await wb().screenshot('tooltip-with-chat-model');
		await wb().closeHover();
		notes.tooltipWithChatModel = tooltip;
		const lines = tooltip.split('\n').filter((line) => line.trim() !== '');
		assert.ok(lines.length <= 6, `at most six lines (${lines.length}):\n${tooltip}`);
		assert.match(tooltip, /^Chat: .*tiny-qwen2-Instruct.* · ready$/im);
		const file = /^File: (.+) \([\d.]+ MiB, (\S+)\)$/m.exec(tooltip);
		assert.ok(file?.[1]?.endsWith(`/${HEARTH.bundledModel}`), `completions stay on the bundled model: ${file?.[1]}\n${tooltip}`);

		// The switcher's chat row names it; its list marks the chosen file.
		await wb().clickStatusBarItem(HEARTH.statusItemId, { expectQuickPick: true });
		const chatRow = await quickPickRow(wb(), 'Chat model', /Chat model: .*tiny-qwen2-Instruct/i, /ready/);
		notes.switcherChatRow = chatRow;
		await wb().screenshot('switcher-chat-row');
		// It opens the chat role's list in the same place (the widget does not close in between).
		await wb()
			.page.locator('.quick-input-widget .monaco-list-row')
			.filter({ hasText: /Chat model: / })
			.first()
			.click();
		await waitForQuickPickTitle(wb(), /Choose the chat model/);
		const chosen = await quickPickRow(wb(), 'tiny-qwen2', /tiny-qwen2-instruct\.Q8_0\.gguf/, /tiny-qwen2-instruct/);
		notes.chatSwitcherChosenRow = chosen;
		await wb().press('Control+A');
		await wb().press('Delete');
		await wb().quickPickRows();
		await wb().screenshot('switcher-chat-section');
		await wb().press('Escape');

		const explain = async () => {
			await wb().openFile('src/inventory.ts');
			await selectAddMethod(wb());
			await wb().editorContextMenu({ onSelection: true, keepOpen: true });
			await wb().clickMenuEntry('Explain Selection');
		};
		// Stop while the (long: 768 tokens of random weights) answer streams: the view says it ended early.
		await explain();
		let streaming = '';
		await wb().waitFor(
			async () => {
				streaming = await answerText(wb(), 'Explanation of');
				return !/Thinking…|Answered by|Stopped/.test(streaming) && streaming.split('\n').length > 2;
			},
			120_000,
			() => `the answer never streamed: ${JSON.stringify(streaming.slice(0, 300))}`,
		);
		await clickAnswerButton(wb(), 'Explanation of', 'Stop');
		let shown = '';
		await wb().waitFor(
			async () => /Stopped|Answered by/.test((shown = await answerText(wb(), 'Explanation of'))),
			60_000,
			() => `the view does not say the answer stopped: ${JSON.stringify(shown.slice(-300))}`,
		);
		await wb().screenshot('explain-chat-model-stopped');
		notes.explainStopped = shown.slice(-300);
		assert.doesNotMatch(shown, /Answered by/, 'the answer was stopped, not finished');
		assert.match(shown.split('\n').at(-1) ?? '', /^Stopped: the answer ended early, after [\d,]+ characters\.$/);

		// A whole answer, kept short (random weights never stop by themselves; their first tokens here are
		// blank lines, so the body may show nothing): chat, not a doc comment, the chat model named under it.
		await editRemoteSettings(
			wb(),
			server().origin,
			`{ "hearth.chatModel.backend": "local", "hearth.chatModel.path": "${chatModel}", "hearth.actions.maxTokens": 40 }`,
		);
		await explain();
		await wb().waitFor(
			async () => /Answered by/.test((shown = await answerText(wb(), 'Explanation of'))),
			240_000,
			() => `no answer from the chat model in the view: ${JSON.stringify(shown.slice(0, 300))}`,
		);
		await wb().screenshot('explain-chat-model');
		notes.explainWithChatModel = shown.slice(-400);
		assert.match(shown, /^Explanation of the selection in inventory\.ts \(lines \d+–\d+\)/);
		assert.doesNotMatch(shown, /Generated doc comment|is a base completion model/);
		const footer = shown.split('\n').at(-1) ?? '';
		assert.match(footer, /^Answered by .*tiny-qwen2-Instruct.* in [\d.]+ s · 40 tokens/i, `the footer names the chat model: ${footer}`);

		// Completions still come from the bundled model, beside the chat model; its measured speed shows.
		await wb().openFile('src/inventory.ts');
		await wb().press('Escape'); // drop the selection
		const ghost = await typeForSuggestion(wb(), [{ after: 'let total = 0;', type: 'let sum = ' }]);
		notes.ghostBesideChatModel = ghost;
		await wb().dismissGhostText();
		const after = await waitForHearthState(wb(), 'ready', 30_000, (s) =>
			/Speed: .*tok\/s · Last: \d+ ms/.test(unescapeMarkdown(s.ariaLabel)),
		);
		assert.equal(after.model, shortModelName('Hearth Starter gpu-base'));
		const tooltipAfter = await wb().statusBarTooltip(HEARTH.statusItemId, { keepOpen: true });
		await wb().screenshot('tooltip-chat-model-and-speed');
		await wb().closeHover();
		notes.tooltipWithSpeed = tooltipAfter;
		assert.ok(tooltipAfter.split('\n').filter((line) => line.trim() !== '').length <= 6, tooltipAfter);
		assert.match(tooltipAfter, /^Chat: .*tiny-qwen2-Instruct.* · ready$/im);

		// The menu's Details show both models in full.
		const details = await statusDetails(
			wb(),
			(rows) => rows.some((line) => line.startsWith('Actions: ')),
			'action route',
			'details-both-models',
		);
		notes.detailsWithChatModel = details;
		assert.ok(
			details.some((line) => /^Completion model: Hearth Starter gpu-base: /.test(line)),
			JSON.stringify(details),
		);
		assert.ok(
			details.some((line) => /^Chat model: .*tiny-qwen2-Instruct.* · ready \(its own file, [\d.]+ MiB\)$/i.test(line)),
			JSON.stringify(details),
		);
		assert.ok(
			details.some((line) => /^Completion speed here: .*tok\/s \(\d+ runs?\)$/.test(line)),
			JSON.stringify(details),
		);
		assert.ok(
			details.some((line) => /^Chat speed here: .*tok\/s \(\d+ runs?\)$/.test(line)),
			JSON.stringify(details),
		);

		// Back to no chat model for the steps after this one.
		await editRemoteSettings(wb(), server().origin, '{}');
		await waitForHearthState(wb(), 'ready', 120_000, (s) => /Chat: none/.test(unescapeMarkdown(s.ariaLabel)));
	});

	it('survives its language server being killed: reports it, restarts it, completes again, loses no text', async function () {
		this.timeout(300_000);
		await wb().openFile('src/inventory.ts'); // with the unsaved text of the steps before
		const oldPid = theLanguageServerPid(server());
		const textBefore = await wb().documentText();

		process.kill(oldPid, 'SIGKILL');
		const killedAt = Date.now();
		// Poll often: "restarting" may show only briefly. Record every state the item showed.
		const seen: Array<{ ms: number; state: string; model: string }> = [];
		let newPid: number | undefined;
		let shot = false;
		for (;;) {
			const status = await hearthStatus(wb());
			if (status && seen.at(-1)?.state !== status.state)
				seen.push({ ms: Date.now() - killedAt, state: status.state, model: status.model });
			if (status && status.state !== 'ready' && !shot) {
				shot = true;
				await wb().screenshot(`server-killed-status-${status.state}`);
			}
			newPid = languageServerPids(server()).find((pid) => pid !== oldPid);
			if (newPid !== undefined && status?.state === 'ready' && (seen.length > 1 || Date.now() - killedAt > 3000)) break;
			if (Date.now() - killedAt > 120_000) {
				await wb().screenshot('server-not-back');
				assert.fail(
					`the language server did not come back within 120 s; states: ${JSON.stringify(seen)}, servers: ${JSON.stringify(languageServerPids(server()))}`,
				);
			}
			await new Promise((r) => setTimeout(r, 40));
		}
		timings.killToReadyMs = Date.now() - killedAt;
		notes.statesAfterKill = seen;
		await wb().screenshot('server-restarted-ready');

		assert.equal(isAlive(oldPid), false, 'the killed server is gone');
		assert.notEqual(newPid, oldPid);
		assert.deepEqual(languageServerPids(server()), [newPid], 'exactly one server again, a new process');
		assert.ok(
			seen.some((s) => ['restarting', 'starting', 'loading', 'stopped'].includes(s.state)),
			`the status bar showed that the server was away (states: ${JSON.stringify(seen)})`,
		);
		assert.equal(await wb().documentText(), textBefore, 'no text was lost');

		const started = Date.now();
		const ghost = await typeForSuggestion(wb(), [{ after: 'return true;', type: 'const again = ' }]);
		timings.firstGhostAfterRestartMs = Date.now() - started;
		notes.ghostAfterRestart = ghost;
		await wb().screenshot('ghost-text-after-restart');
		await wb().dismissGhostText();
	});

	it('lists every command of the extension, under the Hearth category, in the command palette', async function () {
		const commands = readManifest().contributes.commands ?? [];
		assert.ok(commands.length > 0, 'package.json contributes commands');
		for (const c of commands) assert.equal(c.category, 'Hearth', `${c.command} is in the Hearth category`);
		await waitForHearthState(wb(), 'ready', 120_000); // when run alone: the workbench has settled
		// Accept/Reject of a proposed change show only while one is open (none is now); "Escalate Last
		// Local Answer" once a local action has answered (depends on the steps run before this one).
		const conditions = (readManifest().contributes.menus?.commandPalette ?? []).filter((m) => m.when && m.when !== 'true');
		const hidden = new Set(conditions.filter((m) => m.when!.includes('hearth.proposalOpen')).map((m) => m.command));
		const optional = new Set(
			conditions
				.filter((m) => m.when!.includes('hearth.hasLocalAnswer'))
				.map((m) => `Hearth: ${commands.find((c) => c.command === m.command)?.title}`),
		);
		const expected = commands
			.filter((c) => !hidden.has(c.command))
			.map((c) => `Hearth: ${c.title}`)
			.sort();
		const listed = await wb().commandPaletteEntries('Hearth: ');
		notes.paletteEntries = listed;
		await wb().screenshot('command-palette-hearth'); // the palette is closed again; the entries are in the report
		assert.deepEqual(
			[...listed].sort(),
			expected.filter((title) => !optional.has(title) || listed.includes(title)),
		);
		assert.ok(listed.includes('Hearth: Ask Frontier Model…'), 'escalation is offered in a trusted workspace');
	});

	it('a missing model file: keeps the working model, then shows the error after a restart; the editor stays usable', async function () {
		this.timeout(600_000); // two settings edits, a restart and a model load: each wait below has its own limit
		// hearth.model.path is machine-scoped; in code-server machine settings are the "Remote" settings.
		await editRemoteSettings(wb(), server().origin, `{ "hearth.model.path": "${MISSING_MODEL}" }`);
		let status = await waitForHearthState(wb(), 'ready', 120_000, (s) => unescapeMarkdown(s.ariaLabel).includes(MISSING_MODEL));
		let tooltip = await wb().statusBarTooltip(HEARTH.statusItemId, { keepOpen: true });
		await wb().screenshot('missing-model-kept-previous');
		await wb().closeHover();
		notes.missingModelKeptTooltip = tooltip;
		assert.match(tooltip, /^Kept .+: .*missing-model\.Q8_0\.gguf/m, 'the tooltip says the previous model was kept, and why');
		assert.match(status.text, / · ready$/);

		// A fresh server has no previous model to keep: error, with the reason in the tooltip.
		await wb().runCommand('Hearth: Restart Language Server');
		status = await waitForHearthState(wb(), 'error', 120_000);
		tooltip = await wb().statusBarTooltip(HEARTH.statusItemId, { keepOpen: true });
		await wb().screenshot('missing-model-error');
		await wb().closeHover();
		notes.missingModelErrorTooltip = tooltip;
		assert.match(status.text, / · error$/);
		assert.match(tooltip, /^Hearth — error$/m);
		assert.ok(tooltip.includes(MISSING_MODEL), `the tooltip names the missing file:\n${tooltip}`);

		// The editor is not blocked by the broken model.
		await wb().openFile('src/orders.ts');
		const before = await wb().documentText();
		await wb().press('Control+End');
		await wb().typeText('// typed while the model is missing');
		await wb().screenshot('missing-model-editor-usable');
		assert.equal(await wb().documentText(), `${before}// typed while the model is missing`);
		assert.equal((await hearthStatus(wb()))?.state, 'error');

		// Clearing the setting brings the bundled model back without a restart.
		await editRemoteSettings(wb(), server().origin, '{}');
		await waitForHearthState(wb(), 'ready', 120_000, (s) => !unescapeMarkdown(s.ariaLabel).includes(MISSING_MODEL));
		await wb().openFile('src/orders.ts');
		const ghost = await typeForSuggestion(wb(), [{ after: "return { ...order, status: 'shipped' };", type: 'const next = ' }]);
		notes.ghostAfterModelBack = ghost;
		await wb().screenshot('model-back-ghost-text');
		await wb().dismissGhostText();
	});

	it('switches the model from the status bar: the switcher lists bundled, downloaded and catalog models; the choice persists across a restart', async function () {
		this.timeout(600_000); // three model loads: each wait below has its own limit
		// A model "downloaded" earlier: the switcher lists what is in the extension's global storage.
		const extensionId = `${readManifest().publisher}.${readManifest().name}`.toLowerCase();
		const modelsDir = join(server().userDataDir, 'User', 'globalStorage', extensionId, 'models');
		mkdirSync(modelsDir, { recursive: true });
		copyFileSync(await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }), join(modelsDir, 'switch-target.gguf'));

		// The list is virtualised (only the rows on screen exist) and fills in once the server has
		// judged the fit, so each check types a filter and waits for its row.
		const switcherRow = async (filter: string, label: RegExp, description: RegExp) => {
			await wb().press('Control+A');
			await wb().typeText(filter, 5);
			let rows: { label: string; description: string }[] = [];
			await wb().waitFor(
				async () => (rows = await wb().quickPickRows()).some((r) => label.test(r.label) && description.test(r.description)),
				30_000,
				() => `no switcher row ${String(label)} with ${String(description)} for "${filter}": ${JSON.stringify(rows)}`,
			);
			return rows.find((r) => label.test(r.label) && description.test(r.description))!;
		};
		await wb().clickStatusBarItem(HEARTH.statusItemId, { expectQuickPick: true });
		const firstRows = await wb().quickPickRows();
		await wb().screenshot('model-switcher');
		notes.switcherRows = firstRows;
		assert.match(firstRows[0]?.label ?? '', /Bundled starter model/, 'the bundled model comes first');
		const downloaded = await switcherRow('switch-target', /switch-target\.gguf/, /fits: needs [\d.]+ GB of [\d.]+ GB free RAM/);
		notes.switcherDownloadedRow = downloaded;
		const big = await switcherRow('Qwen2.5-Coder 7B', /Qwen2\.5-Coder 7B/, /(fits|too big): needs/);
		notes.switcherCatalogRow = big;
		await switcherRow('OpenAI-compatible', /Use an OpenAI-compatible server/, /llama-server/);
		await switcherRow('GGUF file', /Open a GGUF file/, /^$/);
		await switcherRow('switch-target', /switch-target\.gguf/, /fits/);
		await wb().screenshot('model-switcher-filtered');
		await wb().pickQuickPickRow(/switch-target\.gguf/);
		let status = await waitForHearthState(wb(), 'ready', 120_000, (s) => unescapeMarkdown(s.ariaLabel).includes('switch-target.gguf'));
		await wb().screenshot('model-switched');
		assert.match(status.model, /tiny-fim/, 'the status bar names the new model');

		// The choice lives in the machine's settings: a fresh server process loads it again.
		await wb().runCommand('Hearth: Restart Language Server');
		status = await waitForHearthState(wb(), 'ready', 120_000, (s) => unescapeMarkdown(s.ariaLabel).includes('switch-target.gguf'));
		assert.match(status.model, /tiny-fim/);

		await wb().clickStatusBarItem(HEARTH.statusItemId, { expectQuickPick: true });
		await wb().pickQuickPickRow(/Bundled starter model/);
		status = await waitForHearthState(wb(), 'ready', 120_000, (s) => !unescapeMarkdown(s.ariaLabel).includes('switch-target.gguf'));
		assert.match(status.model, /starter/i, 'back on the bundled model');
	});
});

/**
 * Types for a suggestion at the first spot where the model's answer is non-empty (and passes
 * `accept`): the end of the spot's line, Enter, the spot's text. Lines are found in the
 * document as it is now (earlier steps may have added lines), and tried bottom-up so a spot
 * that did not do leaves the others where they were.
 */
async function typeForSuggestion(wb: Workbench, spots: Spot[], accept: (ghost: string) => boolean = () => true): Promise<string> {
	const text = await wb.documentText();
	const ordered = spots.map((s) => ({ ...s, line: lineOf(text, s.after) })).sort((a, b) => b.line - a.line);
	const tried: string[] = [];
	for (const spot of ordered) {
		await wb.cursorToEndOfLine(spot.line);
		await wb.press('Enter');
		await wb.typeText(spot.type);
		const ghost = await settledGhostText(wb, { noneAfterIdleMs: 8000 });
		if (ghost !== '' && accept(ghost)) return ghost;
		tried.push(`${JSON.stringify(spot.type)} after line ${spot.line}: ${JSON.stringify(ghost)}`);
		if (ghost !== '') await wb.dismissGhostText();
	}
	throw new Error(`no usable suggestion at any spot: ${tried.join('; ')}`);
}

/** The exact document and the cursor in it (line/column 1-based, offset 0-based). */
async function documentWithCursor(wb: Workbench): Promise<{ text: string; cursor: { line: number; column: number }; offset: number }> {
	const cursor = await wb.cursorPosition();
	const text = await wb.documentText();
	const lines = text.split('\n');
	const offset = lines.slice(0, cursor.line - 1).reduce((sum, l) => sum + l.length + 1, 0) + cursor.column - 1;
	return { text, cursor, offset };
}

/** Checks the menu's Hearth entries against the expected list and the manifest's editor/context contributions. */
function assertHearthMenuEntries(menu: MenuEntry[]): void {
	const manifest = readManifest();
	const titles = new Map((manifest.contributes.commands ?? []).map((c) => [c.command, c.title]));
	const contributed = (manifest.contributes.menus?.['editor/context'] ?? [])
		.filter((m) => titles.has(m.command))
		.map((m) => titles.get(m.command) as string)
		.sort();
	assert.deepEqual(
		contributed,
		[...EXPECTED_HEARTH_CONTEXT_MENU_ENTRIES].sort(),
		"package.json's editor/context entries are the ones this test expects",
	);
	const hearthTitles = new Set(titles.values());
	const shown = menu.filter((e) => hearthTitles.has(e.label) || /hearth/i.test(e.label));
	assert.deepEqual(
		shown.map((e) => e.label).sort(),
		[...EXPECTED_HEARTH_CONTEXT_MENU_ENTRIES].sort(),
		`Hearth entries in the menu: ${JSON.stringify(menu)}`,
	);
	for (const entry of shown) assert.ok(entry.enabled, `"${entry.label}" is enabled on a selection`);
}

/**
 * Replaces the Remote (machine) settings of the code-server with `json`, through the UI: the
 * palette's "Preferences: Open Remote Settings (JSON)", select all, type, save, close.
 */
async function editRemoteSettings(wb: Workbench, origin: string, json: string): Promise<void> {
	await wb.runCommand(`Preferences: Open Remote Settings (JSON) (${new URL(origin).host})`);
	await wb.waitForActiveEditor('settings.json');
	await wb.press('Control+A');
	await wb.press('Delete'); // typing over a selection would surround it with the brackets typed
	await wb.typeText(json, 10);
	assert.equal(await wb.documentText(), json, 'the settings file holds what was typed');
	await wb.press('Control+S');
	await wb.page.locator('.part.editor .editor-group-container.active .tab.active.dirty').waitFor({ state: 'detached', timeout: 10_000 });
	await wb.screenshot('remote-settings-saved');
	await wb.press('Control+W');
}

/** The status bar item's aria-label carries the tooltip's Markdown, escapes and all. */
/**
 * Types `filter` into the open quick pick and waits for a row whose label and description match
 * (the list is virtualised: only the rows on screen exist, and it fills in once the server answered).
 */
async function quickPickRow(
	wb: Workbench,
	filter: string,
	label: RegExp,
	description: RegExp,
): Promise<{ label: string; description: string }> {
	await wb.press('Control+A');
	await wb.typeText(filter, 5);
	let rows: { label: string; description: string }[] = [];
	await wb.waitFor(
		async () => (rows = await wb.quickPickRows()).some((r) => label.test(r.label) && description.test(r.description)),
		30_000,
		() => `no quick pick row ${String(label)} with ${String(description)} for "${filter}": ${JSON.stringify(rows)}`,
	);
	return rows.find((r) => label.test(r.label) && description.test(r.description))!;
}

/** Waits until the quick pick on screen is the one titled `title` (a new one may open where another closed). */
async function waitForQuickPickTitle(wb: Workbench, title: RegExp): Promise<void> {
	const widget = wb.page.locator('.quick-input-widget');
	let shown = '';
	await wb.waitFor(
		async () => (await widget.isVisible()) && title.test((shown = await widget.locator('.quick-input-title').innerText())),
		10_000,
		() => `no quick pick titled ${String(title)} (shown: ${JSON.stringify(shown)})`,
	);
}

function unescapeMarkdown(text: string): string {
	return text.replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, '$1');
}

/** Selects the whole add() method of src/inventory.ts (the active editor), from its name to its closing brace. */
async function selectAddMethod(wb: Workbench): Promise<void> {
	const text = await wb.documentText();
	const first = lineOf(text, 'add(item: Item): void {');
	const last = text.split('\n').findIndex((l, i) => i >= first && l === '  }') + 1;
	await wb.gotoLine(first, 3);
	for (let i = first; i < last; i++) await wb.press('Shift+ArrowDown');
	await wb.press('Shift+End');
}
