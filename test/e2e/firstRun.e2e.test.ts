// A new user's first minutes with Hearth in a real VS Code (code-server + chromium), from a fresh
// profile with the release VSIX installed: the walkthrough opens by itself, nothing loads until a
// code file is open, the status bar item stays compact, a language that is switched off never
// reaches the language server until the item's menu switches it on, and an idle model is unloaded
// and comes back on the next use. Each step saves a screenshot; the log and the figures measured on
// the way (activation to ready, the server's memory) go beside them.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { HEARTH_WORKSPACE } from './fixtures/hearthWorkspace.js';
import {
	artifactPath,
	ensureCodeServer,
	makeWorkspace,
	removeTempDir,
	screenshotFailures,
	startSession,
	type Session,
	type Workbench,
} from './harness/index.js';
import { buildExtensionVsix } from './support/extensionVsix.js';
import {
	collectHearthLog,
	HEARTH,
	hearthStatus,
	languageServerPids,
	shortModelName,
	statusDetails,
	waitForHearthState,
} from './support/hearthExtension.js';

/** Settings for this suite: short, stable suggestions (see extension.e2e.test.ts), and no prefetch: every report is a request. */
const FIRST_RUN_SETTINGS: Record<string, unknown> = {
	'hearth.inlineCompletion.maxTokens': 16,
	'hearth.inlineCompletion.mode': 'single-line',
	'hearth.inlineCompletion.timeBudgetMs': 60_000,
	'hearth.inlineCompletion.prefetch': false,
	'editor.autoClosingBrackets': 'never',
	'editor.autoClosingQuotes': 'never',
};

const NOTES_MD = '# Notes\n\nThe inventory keeps items and their stock.\n';

/** The headline of the tooltip before any completion report reached the status bar. */
const NO_COMPLETIONS = 'No completions yet.';

/** The resident memory of a process in MiB, from /proc. */
function residentMiB(pid: number): number {
	const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
	return Math.round((kib / 1024) * 10) / 10;
}

describe('Hearth on first run: walkthrough, lazy start, compact status bar, per-language switch, idle unload', function () {
	let session: Session | undefined;
	let workspace: string | undefined;
	const notes: Record<string, unknown> = {};

	const wb = (): Workbench => {
		assert.ok(session, 'the session did not start');
		return session.workbench;
	};

	before(async function () {
		this.timeout(25 * 60_000);
		await ensureCodeServer();
		const vsix = await buildExtensionVsix();
		workspace = makeWorkspace({ ...HEARTH_WORKSPACE, 'notes.md': NOTES_MD });
		session = await startSession({
			workspace,
			vsix: [vsix.path],
			settings: FIRST_RUN_SETTINGS,
			machineSettings: {
				// The walkthrough on install as VS Code has it by default (the harness turns it off). It is
				// machine-scoped, so in code-server the extension reads it from the machine's settings.
				'workbench.welcomePage.walkthroughs.openOnInstall': true,
				// A minute of idleness unloads the model here, so the last step sees it happen.
				'hearth.model.idleUnloadMinutes': 1,
			},
		});
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		if (session) {
			const log = collectHearthLog(session.server, 'hearth-first-run');
			if (log) {
				const text = readFileSync(log, 'utf8');
				notes.logStartLine = /Starting the language server .*/.exec(text)?.[0];
				notes.logReadyLines = text.match(/Ready \d+ ms after activation.*/g);
			}
		}
		writeFileSync(artifactPath('hearth-first-run-report.json'), JSON.stringify(notes, null, 2));
		await session?.close();
		if (workspace) removeTempDir(workspace);
	});

	it('opens the walkthrough by itself on the first run, with its four steps', async function () {
		this.timeout(120_000);
		const page = wb().page;
		await page.getByText('Get started with Hearth').first().waitFor({ state: 'visible', timeout: 60_000 });
		for (const step of [
			'What the bundled model does, and how good it is',
			'Get a bigger completion model and a chat model',
			'Escalation: nothing leaves without your say',
			'Where the settings and logs are',
		]) {
			await page.getByText(step).first().waitFor({ state: 'visible', timeout: 10_000 });
		}
		await wb().screenshot('walkthrough-opened-on-first-run');
		notes.tabsWithWalkthrough = await wb().tabLabels();
	});

	it('loads nothing while no code file is open, then starts with the first one; the item stays compact', async function () {
		this.timeout(240_000);
		const waiting = await waitForHearthState(wb(), 'unloaded', 60_000);
		assert.equal(waiting.text, 'Hearth · unloaded');
		assert.equal(languageServerPids(session!.server).length, 0, 'no language server without a code file');
		assert.match(waiting.ariaLabel, /loads when you open a file/);

		// A Markdown file is not one Hearth completes by default: still nothing.
		await wb().openFile('notes.md');
		await wb().waitForActiveEditor('notes.md');
		assert.equal((await hearthStatus(wb()))?.text, 'Hearth · unloaded');
		assert.equal(languageServerPids(session!.server).length, 0, 'no language server for a Markdown file');
		await wb().screenshot('markdown-open-nothing-loaded');

		await wb().openFile('src/inventory.ts');
		const ready = await waitForHearthState(wb(), 'ready', 180_000);
		const tooltip = await wb().statusBarTooltip(HEARTH.statusItemId, { keepOpen: true });
		await wb().screenshot('compact-status-bar-with-tooltip');
		await wb().closeHover();
		notes.readyText = ready.text;
		notes.readyTooltip = tooltip;
		const model = /^Model: (.+)$/m.exec(tooltip)?.[1];
		assert.ok(model, `the tooltip names the model:\n${tooltip}`);
		assert.equal(ready.text, `${shortModelName(model)} · ready`);
		assert.ok(ready.text.length <= 30, `compact: ${JSON.stringify(ready.text)}`);
		const lines = tooltip.split('\n').filter((line) => line.trim() !== '');
		assert.ok(lines.length <= 8, `a short tooltip (${lines.length} lines):\n${tooltip}`);
		assert.match(tooltip, /^Hearth — ready$/m);
		assert.match(tooltip, new RegExp(`^${NO_COMPLETIONS.replace('.', '\\.')}$`, 'm'));
		assert.match(tooltip, /^Completions are on for typescript\.$/m);
		const pids = languageServerPids(session!.server);
		assert.equal(pids.length, 1, 'one language server');
		notes.serverResidentMiBWhenReady = residentMiB(pids[0]!);
	});

	it('sends no request for a language switched off; the item menu switches it on and the next request goes out', async function () {
		this.timeout(300_000);
		await wb().openFile('notes.md');
		await wb().waitForActiveEditor('notes.md');
		await wb().waitFor(
			async () => /Completions are off for markdown\./.test((await hearthStatus(wb()))?.ariaLabel ?? ''),
			10_000,
			'the tooltip does not say completions are off for markdown',
		);
		await wb().gotoLine(3, 1);
		await wb().press('End');
		await wb().typeText(' Each item has a');
		await wb().triggerInlineSuggestion();
		await wb().triggerInlineSuggestion();
		await wb().screenshot('markdown-off-no-suggestion');
		// Nothing reached the server: no completion report came back.
		assert.match((await hearthStatus(wb()))?.ariaLabel ?? '', new RegExp(NO_COMPLETIONS.replace('.', '\\.')));

		// The status bar item's menu: the switch for this language.
		await wb().clickStatusBarItem(HEARTH.statusItemId, { expectQuickPick: true });
		await wb().typeText('markdown', 5);
		await wb().screenshot('status-menu-language-switch');
		await wb().pickQuickPickRow(/Turn on completions for markdown/);
		await wb().waitFor(
			async () => /Completions are on for markdown\./.test((await hearthStatus(wb()))?.ariaLabel ?? ''),
			10_000,
			'the tooltip does not say completions are on for markdown after the switch',
		);
		// Back to the text (the click left the focus on the status bar), where it was.
		await wb().gotoLine(3, 1);
		await wb().press('End');
		await wb().triggerInlineSuggestion();
		await wb().waitFor(
			async () => !new RegExp(NO_COMPLETIONS.replace('.', '\\.')).test((await hearthStatus(wb()))?.ariaLabel ?? ''),
			180_000,
			'no completion report after switching markdown on',
		);
		await wb().screenshot('markdown-on-request-sent');

		// Exactly one request reached the server in all this: the one after the switch.
		const details = await statusDetails(
			wb(),
			(rows) => rows.some((line) => line.startsWith('Answers')),
			'answer counts',
			'status-details',
		);
		notes.detailsAfterSwitch = details;
		// Every outcome counted but the prefetched ones (runs the server starts by itself, e.g. to warm the
		// cache for new extra context) answers a request: together they must be exactly one.
		const answers = details.find((line) => line.startsWith('Answers'))!;
		const requests = [...answers.matchAll(/(\d+) ([a-z ]+?)(?=,|$)/g)]
			.filter(([, , outcome]) => outcome !== 'prefetched')
			.reduce((sum, [, count]) => sum + Number(count), 0);
		assert.equal(requests, 1, `one request only, the one after the switch: ${answers}`);
		const settings = readFileSync(`${session!.server.userDataDir}/User/settings.json`, 'utf8');
		assert.match(settings, /"hearth\.inlineCompletion\.enable":\s*\{[^}]*"markdown":\s*true/, 'the switch is in the user settings');
	});

	it('unloads the idle model after hearth.model.idleUnloadMinutes, gives the memory back, and loads it again on the next use', async function () {
		this.timeout(400_000);
		const pid = languageServerPids(session!.server)[0]!;
		const before = residentMiB(pid);
		const unloaded = await waitForHearthState(wb(), 'unloaded', 240_000);
		assert.match(unloaded.text, / · unloaded \(idle\)$/);
		assert.match(unloaded.ariaLabel, /Unloaded after 1 minute without use/);
		await wb().screenshot('status-bar-unloaded-idle');
		const after = residentMiB(pid);
		notes.serverResidentMiB = { loaded: before, unloaded: after };
		assert.ok(after < before, `the server's memory went down: ${before} → ${after} MiB`);
		assert.deepEqual(languageServerPids(session!.server), [pid], 'the same server process: only the model went');

		await wb().openFile('src/inventory.ts');
		await wb().triggerInlineSuggestion();
		await waitForHearthState(wb(), 'ready', 180_000);
		await wb().screenshot('status-bar-reloaded');
		notes.serverResidentMiBReloaded = residentMiB(pid);
	});
});
