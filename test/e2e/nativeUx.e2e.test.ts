// Hearth as a native part of VS Code, in the real extension in a real VS Code: answers, previews and
// logs share one view beside the editor (ten mixed actions leave at most one editor group more than
// the user made), a proposal is reviewed in the editor's own group and accepted with a keybinding as
// one undo step, and no more than one Hearth notification is ever on screen. The local model is a
// tiny generated instruct model (random weights: its rewrites are refused, as they should be), and
// the frontier model a small OpenAI-compatible server on 127.0.0.1 that rewrites the code it is sent
// the way the test expects (a comment line on top), so that there is always a proposal to review:
// the steps are about the window, not the answers.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
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
import { collectHearthLog, readManifest } from './support/hearthExtension.js';

const MODEL = 'frontier-e2e';
const API_KEY = 'sk-e2e-native-ux-key-0123456789';
/** Short answers: the steps are about where they appear, and a busy 2-core machine must still take seconds. */
const MAX_TOKENS = 24;
const CONFIG_TS = `// Checkout settings.
export const CHECKOUT = {
  currency: 'EUR',
  retries: 3,
};

export function priceWithTax(cents: number): number {
  return Math.round(cents * 1.21);
}
`;

describe('Hearth feels native in a real VS Code (code-server + chromium)', function () {
	let session: Session | undefined;
	let workspace: string | undefined;
	let frontier: ScriptedFrontier | undefined;
	const report: Record<string, unknown> = {};
	/** The most Hearth notifications seen on screen at once, sampled after every step. */
	let mostToasts = 0;

	const wb = (): Workbench => {
		assert.ok(session, 'the session did not start');
		return session.workbench;
	};
	const sampleToasts = async (): Promise<void> => {
		const toasts = await wb().notifications();
		mostToasts = Math.max(mostToasts, toasts.length);
		(report.toastsSeen as string[][]).push(toasts);
	};

	before(async function () {
		this.timeout(25 * 60_000);
		await ensureCodeServer();
		const vsix = await buildExtensionVsix();
		// The local model follows instructions (a chat template), so the actions run on it.
		const localModel = await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' });
		frontier = await startScriptedFrontier();
		workspace = makeWorkspace({ ...HEARTH_WORKSPACE, 'src/config.ts': CONFIG_TS });
		session = await startSession({
			workspace,
			vsix: [vsix.path],
			settings: { 'hearth.inlineCompletion.enabled': false },
			machineSettings: {
				'hearth.escalation.baseUrl': frontier.url,
				'hearth.escalation.model': MODEL,
				// The frontier's rewrites hold a whole file: far more than the local answers' limit.
				'hearth.escalation.maxOutputTokens': 2000,
				'hearth.model.path': localModel,
				'hearth.actions.maxTokens': MAX_TOKENS,
			},
		});
		report.toastsSeen = [];
		// The harness turns the walkthrough on install off; the keyboard goes to the workbench.
		await session.workbench.waitForStatusBarItem(/Hearth/, 120_000);
		await session.workbench.page.locator('.part.editor').click();
		await session.workbench.runCommand('Hearth: Set Frontier API Key…', 15_000, { opensInput: true });
		await session.workbench.typeText(API_KEY, 2);
		await session.workbench.press('Enter');
		await session.workbench.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		if (session) collectHearthLog(session.server, 'hearth-native-ux');
		await session?.close();
		if (workspace) removeTempDir(workspace);
		await frontier?.close();
		writeFileSync(artifactPath('native-ux-report.json'), JSON.stringify({ ...report, mostToasts }, null, 2));
	});

	it('ten mixed actions (explain, ask, escalate, log, refactor) leave at most one editor group more than the user made', async function () {
		this.timeout(900_000);
		await wb().openFile('src/inventory.ts');
		const userGroups = await editorGroups(wb());
		report.userGroups = userGroups;
		const groupsAfter: number[] = [];
		const step = async (name: string, action: () => Promise<void>): Promise<void> => {
			await action();
			groupsAfter.push(await editorGroups(wb()));
			await sampleToasts();
			report.groupsAfterEachAction = groupsAfter;
			report.lastStep = name;
		};
		let escalations = 0;

		await step('explain inventory.ts', () => explain(wb(), 'src/inventory.ts'));
		await step('ask about config.ts', async () => {
			await ask(wb(), 'src/config.ts');
			escalations++;
		});
		await step('escalation log', () => showLog(wb(), escalations));
		await step('refactor orders.ts, rejected', async () => {
			escalations += await refactorThenReject(wb(), 'src/orders.ts');
		});
		await step('explain report.ts', () => explain(wb(), 'src/report.ts'));
		await step('escalate the explanation', async () => {
			await escalateLast(wb(), 'report.ts');
			escalations++;
		});
		await step('explain orders.ts', () => explain(wb(), 'src/orders.ts'));
		await step('escalation log again', () => showLog(wb(), escalations));
		await step('refactor config.ts, rejected', async () => {
			escalations += await refactorThenReject(wb(), 'src/config.ts');
		});
		await step('ask about inventory.ts', async () => {
			await ask(wb(), 'src/inventory.ts');
			escalations++;
		});

		report.tenActionsScreenshot = await wb().screenshot('after-ten-actions');
		report.tabsAfterTenActions = await wb().tabLabels();
		const most = Math.max(...groupsAfter);
		assert.ok(most <= userGroups + 1, `at most ${userGroups + 1} editor groups after each action: ${JSON.stringify(groupsAfter)}`);
		assert.ok(mostToasts <= 1, `at most one Hearth notification at a time: ${JSON.stringify(report.toastsSeen)}`);
	});

	it('reviews a proposal in the editor group it came from: Ctrl+Enter accepts it as one edit, one Undo reverts it', async function () {
		this.timeout(300_000);
		await wb().openFile('src/orders.ts');
		const groups = await editorGroups(wb());
		const before = await wb().documentText();
		await startRefactor(wb());
		await waitForProposal(wb());
		await wb().screenshot('proposal-in-review');
		await sampleToasts();
		assert.equal(await editorGroups(wb()), groups, 'the diff opened in the current group, not beside it');
		assert.deepEqual(await wb().notifications(), [], 'no notification covers the text being reviewed');
		// Accept and Reject sit in the editor title while the proposal is open.
		const titleActions = await wb()
			.page.locator('.part.editor .editor-group-container.active .editor-actions .action-label')
			.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
		report.proposalTitleActions = titleActions;
		assert.ok(
			titleActions.some((a) => a.startsWith('Accept Proposed Change')) &&
				titleActions.some((a) => a.startsWith('Reject Proposed Change')),
			`Accept and Reject in the editor title: ${JSON.stringify(titleActions)}`,
		);
		await wb().press('Control+Enter');
		await wb().waitFor(async () => !(await proposalOpen(wb())), 20_000, 'the diff stayed open after Ctrl+Enter');
		await wb().waitForActiveEditor('orders.ts');
		// The accepted text may be shorter than where the cursor was: start reading from its top.
		await settleCursorAtTop(wb());
		const after = await wb().documentText();
		await wb().screenshot('proposal-accepted');
		assert.ok(
			after.startsWith(`${REVIEWED}\n`) && after.includes(before.trimEnd()),
			`the proposal was applied: ${after.slice(0, 200)}`,
		);
		await wb().press('Control+Z');
		await settleCursorAtTop(wb());
		await wb().waitFor(async () => (await wb().documentText()) === before, 10_000, 'one Undo did not restore the text');
		await wb().screenshot('proposal-undone');
		assert.equal(await editorGroups(wb()), groups, 'no group was left behind');
	});

	it('Escape rejects a proposal under review and leaves the file as it was', async function () {
		this.timeout(300_000);
		await wb().openFile('src/report.ts');
		const before = await wb().documentText();
		await startRefactor(wb());
		await waitForProposal(wb());
		await wb().press('Escape');
		await wb().waitFor(async () => !(await proposalOpen(wb())), 20_000, 'the diff stayed open after Escape');
		await wb().waitForActiveEditor('report.ts');
		assert.equal(await wb().documentText(), before, 'the file is unchanged');
	});

	it("binds Hearth's commands to keys that no VS Code default uses", async function () {
		this.timeout(120_000);
		const ours = (readManifest().contributes as { keybindings?: DefaultKeybinding[] }).keybindings ?? [];
		assert.ok(ours.length >= 9, `keybindings are contributed: ${JSON.stringify(ours)}`);
		await wb().runCommand('Preferences: Open Default Keyboard Shortcuts (JSON)');
		await wb().waitForActiveEditor('Default Keybindings');
		const defaults = parseDefaultKeybindings(await wb().documentText());
		await wb().press('Control+W');
		report.defaultKeybindings = defaults.length;
		// VS Code's own keys for a suggestion (trigger, accept a word or a line), for the README's table.
		report.inlineSuggestKeys = defaults.filter((d) => d.command.startsWith('editor.action.inlineSuggest.'));
		assert.ok(defaults.length > 500, `the default keybindings were read (${defaults.length})`);
		// Everything but Hearth's own contributions (which the file lists too).
		const others = defaults.filter(
			(d) => !d.command.startsWith('-') && !ours.some((o) => o.key.toLowerCase() === d.key && o.command === d.command),
		);
		for (const binding of ours) {
			const key = binding.key.toLowerCase();
			if (binding.when?.includes('hearth.proposalOpen')) {
				// Ctrl+Enter and Escape: VS Code's own keys, taken only while a Hearth proposal is under review.
				assert.match(binding.when, /resourceScheme == hearth-proposal/, `${key} is scoped to the proposal's diff`);
				continue;
			}
			const first = key.split(' ')[0]!;
			const clash = others.filter((d) => d.key === key || d.key === first || d.key.startsWith(`${first} `));
			assert.deepEqual(clash, [], `${key} (${binding.command}) is free in VS Code's defaults`);
		}
	});
});

/** Ctrl+Home, then waits until the status bar shows the cursor there (it follows a moment late). */
async function settleCursorAtTop(wb: Workbench): Promise<void> {
	await wb.press('Control+Home');
	await wb.waitFor(async () => (await wb.selectionStatus()).startsWith('Ln 1, Col 1'), 10_000, 'the cursor did not go to the top');
}

/** The editor groups on screen (a split editor counts once per group). */
async function editorGroups(wb: Workbench): Promise<number> {
	return wb.page.locator('.part.editor .editor-group-container').count();
}

async function proposalOpen(wb: Workbench): Promise<boolean> {
	return (await wb.tabLabels()).some((t) => /proposed by/.test(t));
}

/** Explain on the whole file: the answer's heading names the file and its lines; waits for its footer. */
async function explain(wb: Workbench, file: string): Promise<void> {
	await wb.openFile(file);
	await wb.press('Control+A');
	await wb.runCommand('Hearth: Explain Selection');
	const marker = `Explanation of the selection in ${file.split('/').pop()}`;
	let shown = '';
	await wb.waitFor(
		async () => /Answered by/.test((shown = await wb.markdownPreviewText(marker))),
		240_000,
		() => `the explanation of ${file} did not finish: ${JSON.stringify(shown.slice(0, 300))}`,
	);
}

/** Ask Frontier Model… on the whole file, Send in the preview's dialog, wait for the answer's footer. */
async function ask(wb: Workbench, file: string): Promise<void> {
	await wb.openFile(file);
	await wb.press('Control+A');
	await wb.runCommand('Hearth: Ask Frontier Model…', 15_000, { opensInput: true });
	await wb.press('Enter');
	await sendAndWaitForAnswer(wb, file.split('/').pop()!);
}

async function escalateLast(wb: Workbench, name: string): Promise<void> {
	await wb.runCommand('Hearth: Escalate Last Local Answer to Frontier Model…');
	await sendAndWaitForAnswer(wb, name);
}

async function sendAndWaitForAnswer(wb: Workbench, name: string): Promise<void> {
	await wb.waitForDialog(new RegExp(`Send the selection of ${name.replace('.', '\\.')}`), 30_000);
	await wb.clickDialogButton('Send');
	let answer = '';
	await wb.waitFor(
		async () => /Answered by/.test((answer = await wb.markdownPreviewText(`${MODEL} on the selection in ${name}`))),
		180_000,
		() => `the frontier answer about ${name} did not finish: ${JSON.stringify(answer.slice(0, 300))}`,
	);
}

async function showLog(wb: Workbench, answered: number): Promise<void> {
	await wb.runCommand('Hearth: Show Escalation Log');
	let log = '';
	await wb.waitFor(
		async () => (log = await wb.markdownPreviewText('frontier escalations')).includes(`${answered} answered`),
		30_000,
		() => `no escalation log with ${answered} answered: ${JSON.stringify(log.slice(0, 300))}`,
	);
}

async function startRefactor(wb: Workbench): Promise<void> {
	await wb.press('Control+A');
	await wb.runCommand('Hearth: Refactor Selection…', 15_000, { opensInput: true });
	await wb.typeText('use clearer names', 5);
	await wb.press('Enter');
}

/**
 * Waits for the proposal's diff: the local model's own, or, when that was not offered (the tiny
 * model's rewrite is refused), the frontier model's after "Escalate…" and Send. Returns the number of
 * frontier requests it answered (0 or 1).
 */
async function waitForProposal(wb: Workbench): Promise<number> {
	const notOffered = /was not offered|proposed no change|No local model can/;
	let escalated = false;
	await wb.waitFor(
		async () => {
			if (await proposalOpen(wb)) return true;
			if (!escalated && (await wb.notifications()).some((t) => notOffered.test(t))) {
				await wb.clickNotificationButton(notOffered, 'Escalate…');
				await wb.waitForDialog(/Send the selection of/, 30_000);
				await wb.clickDialogButton('Send');
				escalated = true;
			}
			return false;
		},
		240_000,
		'no diff tab for the proposal',
	);
	// The keys act on the diff once it has the keyboard (it takes it when it opens).
	await wb.waitFor(
		async () => (await wb.page.locator('.part.editor .monaco-diff-editor .monaco-editor.focused').count()) > 0,
		10_000,
		'the diff did not take the focus',
	);
	return escalated ? 1 : 0;
}

/** Refactor Selection… on the whole file, then "Reject Proposed Change" from the palette; returns the frontier requests answered. */
async function refactorThenReject(wb: Workbench, file: string): Promise<number> {
	await wb.openFile(file);
	await startRefactor(wb);
	const escalated = await waitForProposal(wb);
	await wb.runCommand('Hearth: Reject Proposed Change');
	await wb.waitFor(async () => !(await proposalOpen(wb)), 20_000, 'the diff stayed open after Reject');
	return escalated;
}

/** The line the scripted frontier model puts on top of the code it rewrites. */
const REVIEWED = '// Reviewed by the frontier model.';

interface ScriptedFrontier {
	url: string;
	close(): Promise<void>;
}

/**
 * An OpenAI-compatible chat endpoint (streamed, with usage) that answers like a capable model asked
 * to rewrite: one fenced block holding the code it was sent (the first fenced block of the user
 * message) with REVIEWED on top, then a sentence. A wrong key is refused with 401, as a provider does.
 */
async function startScriptedFrontier(): Promise<ScriptedFrontier> {
	const server = http.createServer((request, response) => {
		let body = '';
		request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
		request.on('end', () => {
			if (!request.url?.endsWith('/chat/completions') || request.method !== 'POST') {
				response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
				return;
			}
			if (request.headers.authorization !== `Bearer ${API_KEY}`) {
				response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"invalid api key"}}');
				return;
			}
			const messages = (JSON.parse(body) as { messages: Array<{ role: string; content: string }> }).messages;
			const user = messages.find((m) => m.role === 'user')?.content ?? '';
			const block = /(`{3,})([^\n]*)\n([\s\S]*?)\n\1/.exec(user);
			const answer = `\`\`\`${block?.[2] ?? ''}\n${REVIEWED}\n${block?.[3] ?? ''}\n\`\`\`\n\nAdded a review note on top.`;
			response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
			const event = (data: unknown): void => void response.write(`data: ${JSON.stringify(data)}\n\n`);
			const chunk = (delta: object, finish: string | null) => ({
				id: 'chatcmpl-e2e',
				object: 'chat.completion.chunk',
				created: Math.floor(Date.now() / 1000),
				model: MODEL,
				choices: [{ index: 0, delta, finish_reason: finish }],
			});
			event(chunk({ role: 'assistant', content: '' }, null));
			for (const piece of answer.match(/[\s\S]{1,40}/g) ?? []) event(chunk({ content: piece }, null));
			event(chunk({}, 'stop'));
			event({
				...chunk({}, null),
				choices: [],
				usage: { prompt_tokens: Math.ceil(body.length / 4), completion_tokens: Math.ceil(answer.length / 4) },
			});
			response.end('data: [DONE]\n\n');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

interface DefaultKeybinding {
	key: string;
	command: string;
	when?: string;
}

/** VS Code's default keybindings file: JSON with `//` comment lines. */
function parseDefaultKeybindings(text: string): DefaultKeybinding[] {
	const json = text
		.split('\n')
		.filter((line) => !line.trim().startsWith('//'))
		.join('\n');
	return (JSON.parse(json) as DefaultKeybinding[]).map((d) => ({ ...d, key: d.key.toLowerCase() }));
}
