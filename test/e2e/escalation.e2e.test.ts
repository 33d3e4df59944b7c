// Escalation to a frontier model, in the real extension in a real VS Code: the only path by which
// code leaves the machine. The "frontier model" is the project's own OpenAI-compatible server on
// 127.0.0.1 (real HTTP, streamed, a real tiny model behind it), so every request that arrives can be
// compared with what the preview showed. A second server, named only by the workspace's settings,
// counts any request: a workspace must never be able to redirect code.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import { silentLogger } from '../../src/engine/logger.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { buildOutgoingRequest } from '../../src/extension/escalation/frontier/outgoingRequest.js';
import { startOpenAiServer, type OpenAiServer } from '../../src/teamServer/openAiServer.js';
import { TeamServerFaultProxy } from '../helpers/teamServerFaults.js';
import { HEARTH_WORKSPACE } from './fixtures/hearthWorkspace.js';
import {
	ensureCodeServer,
	makeWorkspace,
	removeTempDir,
	screenshotFailures,
	startSession,
	type Session,
	type Workbench,
} from './harness/index.js';
import { answerText, clickAnswerButton, waitForHearthMessage } from './support/answerView.js';
import { buildExtensionVsix } from './support/extensionVsix.js';
import { collectHearthLog, waitForHearthState } from './support/hearthExtension.js';

const MODEL = 'frontier-e2e';
const API_KEY = 'sk-e2e-frontier-key-0123456789';
/** A realistic secret in the selection: it must reach the preview redacted and never the server. */
const STRIPE_SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc9Zk2QxR7';
const CONFIG_TS = `// Payment settings for the checkout service.
export const PAYMENTS = {
  currency: 'EUR',
  retries: 3,
  stripeKey: '${STRIPE_SECRET}',
};

export function priceWithTax(cents: number): number {
  return Math.round(cents * 1.21);
}
`;
const QUESTION = 'Is the tax rounding right?';
/** The machine's limit for one request; BIG_TS is well over it. */
const MAX_INPUT_TOKENS = 2000;
/**
 * The local model's answers here only need to exist (the tests are about what leaves the machine), so
 * they come from the tiny generated model and are kept short: a local Explain then takes seconds
 * however slow a busy machine is (the bundled model at 768 tokens once took 244 s).
 */
const LOCAL_ACTION_MAX_TOKENS = 32;
const BIG_TS = `export const TABLE = [\n${Array.from({ length: 400 }, (_, i) => `  { id: ${i}, name: 'row ${i}', weight: ${(i * 7) % 13} },`).join('\n')}\n];\n`;

describe('Escalation to a frontier model in a real VS Code (code-server + chromium)', function () {
	let session: Session | undefined;
	let workspace: string | undefined;
	let model: LoadedModel | undefined;
	let chat: ChatEngine | undefined;
	let frontier: OpenAiServer | undefined;
	/** The frontier server as the extension knows it: behind a proxy that records every request (it injects no fault here). */
	let front: TeamServerFaultProxy | undefined;
	let decoy: http.Server | undefined;
	let decoyHits = 0;

	const wb = (): Workbench => {
		assert.ok(session, 'the session did not start');
		return session.workbench;
	};
	/** The chat requests the frontier server accepted (answered 200; one with a wrong key is refused at the door). */
	const chatRequests = () =>
		(front?.requests ?? [])
			.filter((r) => r.path.endsWith('/chat/completions') && r.status === 200)
			.map((r) => ({ path: r.path, body: JSON.parse(r.body) as Record<string, unknown> }));

	before(async function () {
		this.timeout(25 * 60_000);
		await ensureCodeServer();
		const vsix = await buildExtensionVsix();
		// One thread: the extension's own server and the browser share the two cores.
		const tinyModel = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
		model = await loadModel({ modelPath: tinyModel, contextSize: 2048, sequences: 1, threads: 1, gpu: 'off', logger: silentLogger });
		chat = new ChatEngine(model, { logger: silentLogger, contextSize: 2048 });
		frontier = await startOpenAiServer({
			chat,
			modelId: MODEL,
			apiKey: API_KEY,
		});
		front = await TeamServerFaultProxy.start(frontier.url);
		decoy = http.createServer((_request, response) => {
			decoyHits++;
			response.writeHead(500).end();
		});
		await new Promise<void>((resolve) => decoy!.listen(0, '127.0.0.1', resolve));
		const decoyUrl = `http://127.0.0.1:${(decoy.address() as AddressInfo).port}/v1`;
		workspace = makeWorkspace({
			...HEARTH_WORKSPACE,
			'src/config.ts': CONFIG_TS,
			'private/notes.ts': 'export const note = "internal only";\n',
			'.hearthignore': 'private/**\n',
			'src/generated-table.ts': BIG_TS,
			// A workspace trying to redirect code, skip the preview and send secrets as they are: all ignored.
			'.vscode/settings.json': JSON.stringify(
				{ 'hearth.escalation.baseUrl': decoyUrl, 'hearth.escalation.skipPreview': true, 'hearth.escalation.redactSecrets': false },
				null,
				2,
			),
		});
		session = await startSession({
			workspace,
			vsix: [vsix.path],
			settings: { 'hearth.inlineCompletion.enabled': false },
			machineSettings: {
				'hearth.escalation.baseUrl': front.url,
				'hearth.escalation.model': MODEL,
				'hearth.escalation.maxOutputTokens': 24,
				'hearth.escalation.maxInputTokens': MAX_INPUT_TOKENS,
				// An instruct preset (a chat template): the local actions answer as chat, not as Document This.
				'hearth.model.path': await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' }),
				'hearth.actions.maxTokens': LOCAL_ACTION_MAX_TOKENS,
			},
		});
		// Completions are off here (nothing competes with the steps for the two cores): the item says "paused"
		// once the language server has started, which it does with the first editor it can complete.
		await session.workbench.openFile('src/config.ts');
		await waitForHearthState(session.workbench, 'paused', 120_000);
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		if (session) collectHearthLog(session.server, 'hearth-escalation');
		await session?.close();
		if (workspace) removeTempDir(workspace);
		await front?.close();
		await frontier?.close();
		await new Promise((resolve) => (decoy ? decoy.close(resolve) : resolve(undefined)));
		await chat?.dispose();
		await model?.dispose();
	});

	it('stores the frontier API key from the palette in secret storage, not in any settings file', async function () {
		await setApiKey(wb(), API_KEY);
		const origin = new URL(front!.url).origin;
		// Passing information goes to the status bar, not into a notification.
		await wb().waitForStatusBarItem(`The API key for ${origin} is stored`, 10_000);
		for (const file of [
			join(session!.server.userDataDir, 'User', 'settings.json'),
			join(session!.server.userDataDir, 'Machine', 'settings.json'),
		]) {
			assert.ok(!readFileSync(file, 'utf8').includes(API_KEY), `${file} does not hold the key`);
		}
	});

	it('previews exactly what will be sent, secret redacted, then sends it once and streams the answer into the Hearth view', async function () {
		this.timeout(180_000);
		await wb().openFile('src/config.ts');
		await wb().press('Control+A');
		await wb().runCommand('Hearth: Ask Frontier Model…', 15_000, { opensInput: true });
		await wb().typeText(QUESTION, 5);
		await wb().press('Enter');

		const dialog = await wb().waitForDialog(/Send the selection of config\.ts to 127\.0\.0\.1:\d+\?/, 20_000);
		await wb().screenshot('escalation-preview');
		assert.match(dialog, new RegExp(`Model: ${MODEL}`));
		assert.match(dialog, /Redacted: 1 secret/);
		// The preview, in the Hearth view: endpoint, and the messages exactly as the extension will send them.
		const expected = buildOutgoingRequest(
			{ kind: 'ask', code: CONFIG_TS, languageId: 'typescript', filePath: 'src/config.ts', question: QUESTION },
			{ redact: true },
		);
		// The view renders beside the dialog: wait for it rather than read it the moment the dialog shows.
		let preview = '';
		await wb().waitFor(
			async () => (preview = await answerText(wb(), 'HEARTH ESCALATION PREVIEW')).length > 0,
			20_000,
			'the preview did not appear in the Hearth view',
		);
		assert.match(preview, /^HEARTH ESCALATION PREVIEW: nothing has been sent yet\./);
		assert.ok(preview.includes(`POST ${front!.url}/chat/completions`), `the preview names the endpoint:\n${preview}`);
		assert.ok(!preview.includes(STRIPE_SECRET), 'the preview does not show the secret');
		for (const line of expected.previewText.split('\n').slice(0, 12)) {
			assert.ok(preview.includes(line), `the preview shows the line ${JSON.stringify(line)}`);
		}
		assert.equal(chatRequests().length, 0, 'nothing was sent before Send');

		await wb().clickDialogButton('Send');
		await wb().waitFor(async () => chatRequests().length === 1, 20_000, 'the request did not reach the frontier server');
		const body = chatRequests()[0]!.body;
		assert.deepEqual(body.messages, expected.messages, 'the server received exactly the previewed messages');
		assert.equal(body.model, MODEL);
		assert.equal(body.stream, true);
		assert.ok(!JSON.stringify(body).includes(STRIPE_SECRET), 'the secret never left the machine');

		let answer = '';
		await wb().waitFor(
			async () => /Answered by/.test((answer = await answerText(wb(), `${MODEL} on the selection`))),
			120_000,
			() => `the answer view did not finish: ${JSON.stringify(answer.slice(0, 300))}`,
		);
		await wb().screenshot('escalation-answered');
		assert.match(answer, /in config\.ts \(lines 1–\d+\)/);
		assert.equal(chatRequests().length, 1, 'sent exactly once');
		assert.equal(decoyHits, 0, "the workspace's endpoint was never contacted");
	});

	it('sends nothing when the preview is cancelled', async function () {
		await wb().openFile('src/config.ts');
		await wb().press('Control+A');
		await wb().runCommand('Hearth: Ask Frontier Model…', 15_000, { opensInput: true });
		await wb().press('Enter'); // no question: "explain"
		await wb().waitForDialog(/Send the selection of config\.ts/, 20_000);
		await wb().clickDialogButton('Cancel');
		await wb().waitForStatusBarItem('Nothing was sent.', 10_000);
		await wb().waitFor(
			async () => /^HEARTH ESCALATION PREVIEW: not sent\./.test(await answerText(wb(), 'HEARTH ESCALATION PREVIEW')),
			10_000,
			'the preview in the Hearth view does not say it was not sent',
		);
		assert.equal(chatRequests().length, 1, 'no new request');
	});

	it("refuses a file the workspace's .hearthignore excludes, before asking anything", async function () {
		await wb().openFile('private/notes.ts');
		await wb().press('Control+A');
		await wb().runCommand('Hearth: Ask Frontier Model…');
		const message = await waitForHearthMessage(wb(), /may not leave this machine/, 10_000);
		await wb().screenshot('escalation-excluded');
		assert.match(message, /private\/notes\.ts/);
		assert.equal(await wb().page.locator('.quick-input-widget').isVisible(), false, 'no question was asked');
		assert.equal(chatRequests().length, 1, 'no new request');
	});

	it('reports a rejected key (401) clearly, applies nothing, and withdraws the report once a new key is set', async function () {
		this.timeout(180_000);
		await setApiKey(wb(), 'sk-wrong-key-for-the-e2e-test');
		await wb().openFile('src/config.ts');
		const before = await wb().documentText();
		await wb().press('Control+A');
		await wb().runCommand('Hearth: Ask Frontier Model…', 15_000, { opensInput: true });
		await wb().press('Enter');
		await wb().waitForDialog(/Send the selection/, 20_000);
		await wb().clickDialogButton('Send');
		// A problem that lasts until it is fixed: a status bar notice (a notification could not be withdrawn).
		const notice = await wb().waitForStatusBarItem(/401/, 30_000);
		let failed = '';
		await wb().waitFor(
			async () => /401/.test((failed = await answerText(wb(), 'could not answer'))),
			10_000,
			() => `the Hearth view does not say why: ${JSON.stringify(failed.slice(-300))}`,
		);
		await wb().screenshot('escalation-401');
		assert.match(notice.text, /API key/);
		assert.match(failed, /401/);
		for (const shown of [notice.text, notice.ariaLabel, failed]) assert.ok(!shown.includes('sk-wrong-key'), 'the key is not shown');
		// Refused at the door: the body never got past the key check, so the server saw no new chat request.
		assert.equal(chatRequests().length, 1, 'no request was accepted');
		await wb().openFile('src/config.ts');
		assert.equal(await wb().documentText(), before, 'the file is unchanged');
		await setApiKey(wb(), API_KEY);
		await wb().waitFor(
			async () => !(await wb().statusBarItems()).some((item) => /401/.test(item.text)),
			10_000,
			'the 401 notice stayed after the key was fixed',
		);
	});

	it('refuses a selection larger than the request limit before anything is shown or sent', async function () {
		await wb().openFile('src/generated-table.ts');
		await wb().press('Control+A');
		await wb().runCommand('Hearth: Ask Frontier Model…');
		const message = await waitForHearthMessage(wb(), /hearth\.escalation\.maxInputTokens/, 10_000);
		await wb().screenshot('escalation-too-large');
		assert.match(message, /Select less/);
		assert.equal(chatRequests().length, 1, 'no new request');
	});

	it('escalates a local explanation from its Escalate… button: the same task with the local answer goes out after the preview, and Back shows the local answer', async function () {
		this.timeout(300_000);
		await wb().openFile('src/config.ts');
		await wb().press('Control+A');
		await wb().runCommand('Hearth: Explain Selection');
		// The local model answers first: the tiny model, at most LOCAL_ACTION_MAX_TOKENS tokens. The
		// machine's hearth.actions.maxTokens reached the language server: the local answer's footer counts its tokens.
		let local = '';
		await wb().waitFor(
			async () => /Answered by/.test((local = await answerText(wb(), 'Explanation of'))),
			180_000,
			() => `the local answer has no footer: ${JSON.stringify(local.slice(-300))}`,
		);
		const tokens = Number(/· (\d+) tokens, [\d.]+ tokens\/s/.exec(local)?.[1]);
		assert.ok(
			tokens > 0 && tokens <= LOCAL_ACTION_MAX_TOKENS,
			`the local answer has at most ${LOCAL_ACTION_MAX_TOKENS} tokens: ${JSON.stringify(local.slice(-200))}`,
		);
		await clickAnswerButton(wb(), 'Explanation of', 'Escalate…');
		await wb().waitForDialog(/Send the selection of config\.ts/, 20_000);
		await wb().screenshot('escalation-of-local-answer-preview');
		await wb().clickDialogButton('Send');
		await wb().waitFor(async () => chatRequests().length === 2, 20_000, 'the escalation did not reach the frontier server');
		const user =
			(chatRequests()[1]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'user')?.content ?? '';
		assert.match(user, /^Explain what the code below does/);
		assert.match(user, /For comparison, a small local model \(.+\) answered this request as follows/);
		assert.ok(!user.includes(STRIPE_SECRET), 'the secret never left the machine');
		let answer = '';
		await wb().waitFor(
			async () => /Answered by/.test((answer = await answerText(wb(), `${MODEL} on the selection`))),
			120_000,
			() => `the answer view did not finish: ${JSON.stringify(answer.slice(0, 300))}`,
		);
		assert.match(answer, /Asked with the local answer of .+ for comparison/);
		await wb().screenshot('escalation-frontier-answer');
		// One view for both answers: the frontier's replaced the local one, Back (past the preview) brings it back.
		const tabs = await wb().tabLabels();
		assert.ok(
			tabs.some((t) => /Frontier config\.ts/.test(t)),
			`the frontier answer is shown: ${JSON.stringify(tabs)}`,
		);
		assert.ok(!tabs.some((t) => /Explain config\.ts/.test(t)), `the local answer has no tab of its own: ${JSON.stringify(tabs)}`);
		await clickAnswerButton(wb(), `${MODEL} on the selection`, 'Back');
		// Back re-renders the view from the extension: wait for the entry before its own Back.
		await wb().waitFor(
			async () => (await answerText(wb(), 'HEARTH ESCALATION REQUEST: sent')).length > 0,
			10_000,
			'Back did not show the request that was sent',
		);
		await clickAnswerButton(wb(), 'HEARTH ESCALATION REQUEST: sent', 'Back');
		await wb().waitFor(
			async () => /Answered by/.test(await answerText(wb(), 'Explanation of the selection in config.ts')),
			10_000,
			'Back did not bring the local answer back',
		);
		await wb().screenshot('escalation-back-to-local-answer');
	});

	it('shows the local audit log: what was sent, declined and failed, without code or keys', async function () {
		await wb().runCommand('Hearth: Show Escalation Log');
		let log = '';
		await wb().waitFor(
			async () => (log = await answerText(wb(), 'frontier escalations')).includes('answered'),
			20_000,
			() => `no audit log in the Hearth view: ${JSON.stringify(log.slice(0, 300))}`,
		);
		await wb().screenshot('escalation-log');
		assert.match(log, /2 answered, 1 failed, 0 cancelled, 1 declined/);
		assert.match(log, /401/, 'the failure says why');
		assert.ok(log.includes('src/config.ts'));
		for (const secret of [STRIPE_SECRET, API_KEY, 'priceWithTax'])
			assert.ok(!log.includes(secret), `the log does not contain ${secret}`);
		assert.equal(decoyHits, 0, "the workspace's endpoint was never contacted");
	});
});

/** "Hearth: Set Frontier API Key…", typed into its password box. */
async function setApiKey(wb: Workbench, key: string): Promise<void> {
	await wb.runCommand('Hearth: Set Frontier API Key…', 15_000, { opensInput: true });
	await wb.typeText(key, 2);
	await wb.press('Enter');
	await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

describe('Escalation in Restricted Mode (an untrusted workspace), in a real VS Code', function () {
	let session: Session | undefined;
	let workspace: string | undefined;

	before(async function () {
		this.timeout(25 * 60_000);
		await ensureCodeServer();
		const vsix = await buildExtensionVsix();
		workspace = makeWorkspace({ ...HEARTH_WORKSPACE, 'src/config.ts': CONFIG_TS });
		session = await startSession({
			workspace,
			vsix: [vsix.path],
			// Trust on, and the folder never trusted: it opens in Restricted Mode without asking.
			settings: {
				'hearth.inlineCompletion.enabled': false,
				'security.workspace.trust.enabled': true,
				'security.workspace.trust.startupPrompt': 'never',
			},
			machineSettings: { 'hearth.escalation.baseUrl': 'http://127.0.0.1:9/v1' },
			workspaceTrust: true,
		});
		await session.workbench.openFile('src/config.ts');
		await waitForHearthState(session.workbench, 'paused', 120_000);
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		if (session) collectHearthLog(session.server, 'hearth-restricted');
		await session?.close();
		if (workspace) removeTempDir(workspace);
	});

	it('runs the local model but offers no way to send code: no palette entry, no context-menu entry', async function () {
		const wb = session!.workbench;
		assert.ok(
			await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().isVisible(),
			'the window is in Restricted Mode',
		);
		const palette = await wb.commandPaletteEntries('Hearth: ');
		assert.ok(palette.includes('Hearth: Explain Selection'), `local actions stay: ${JSON.stringify(palette)}`);
		for (const title of ['Hearth: Ask Frontier Model…', 'Hearth: Escalate Last Local Answer to Frontier Model…'])
			assert.ok(!palette.includes(title), `${title} is not offered: ${JSON.stringify(palette)}`);
		await wb.openFile('src/config.ts');
		await wb.press('Control+A');
		const menu = await wb.editorContextMenu({ onSelection: true, keepOpen: true });
		await wb.screenshot('restricted-mode-context-menu');
		await wb.closeMenu();
		const labels = menu.map((e) => e.label);
		assert.ok(
			labels.includes('Explain Selection') && !labels.includes('Ask Frontier Model…'),
			`the context menu: ${JSON.stringify(labels)}`,
		);
	});
});
