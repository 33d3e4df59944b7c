import assert from 'node:assert/strict';
import { loadTinyInstructOnOneThread } from '../helpers/tinyModel.js';
import path from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { CHAT_UNSURE_BELOW } from '../../src/engine/chat/chatConfidence.js';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import { silentLogger, type Logger } from '../../src/engine/logger.js';
import type { LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { combineConfidences, runAction } from '../../src/server/actions/runAction.js';
import { CompletionActivity } from '../../src/server/completionActivity.js';
import { ModelLifecycle } from '../../src/server/modelLifecycle.js';
import { StatusPublisher } from '../../src/server/statusPublisher.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { ActionProgressNotification, RunActionRequest, type ServerStatus } from '../../src/shared/protocol.js';
import type { HearthSettings } from '../../src/shared/settings.js';
import { startOpenAiServer, type GenerationReport, type OpenAiServer } from '../../src/teamServer/openAiServer.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { projectRoot } from '../../src/tooling/projectRoot.js';
import { HostileServer, redirect } from '../helpers/hostileServers.js';
import { MATH_CURSOR, MATH_SOURCE } from '../helpers/mathDocument.js';
import { testSettings } from '../helpers/testSettings.js';
import { waitFor } from '../helpers/waitFor.js';
import { itemsOf, LspTestClient } from './lspTestClient.js';

const BUNDLED = path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH);
const URI = 'file:///workspace/math.ts';
const CODE = 'export function add(a: number, b: number): number {\n\treturn a + b;\n}\n';

/** The bundled base model completes; the chat slot is set by each test. One thread: the machine is small and busy. */
const withChat = (chatModel: Partial<HearthSettings['chatModel']>) => testSettings({ chatModel, performance: { threads: 1 } });

const explain = (client: LspTestClient, progressToken: string, token?: CancellationTokenSource) => {
	const params: RunActionRequest.Params = { progressToken, kind: 'explain', code: CODE, languageId: 'typescript' };
	return (
		token
			? client.connection.sendRequest(RunActionRequest.method, params, token.token)
			: client.connection.sendRequest(RunActionRequest.method, params)
	) as Promise<RunActionRequest.Result>;
};

/** A completion at the end of the math document: it must come from the completion model. */
async function completeOnce(client: LspTestClient): Promise<void> {
	const before = client.reports.length;
	const items = itemsOf(await client.inlineCompletion(URI, MATH_CURSOR));
	assert.ok(items.length <= 1);
	const report = await client.waitForReport(before);
	assert.ok(report.generatedTokens > 0 || report.stopReason !== 'error', `the completion ran: ${JSON.stringify(report)}`);
	assert.notEqual(report.stopReason, 'error');
}

describe('language server: the chat model slot beside the bundled completion model (real models, real server process)', function () {
	this.timeout(300_000);
	let client: LspTestClient;
	let instructPath: string;
	const progress = new Map<string, string[]>();

	before(async function () {
		instructPath = await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' });
		const started = await LspTestClient.start({
			settings: withChat({ backend: 'local', path: instructPath }),
			defaultModelPath: BUNDLED,
		});
		client = started.client;
		client.connection.onNotification(ActionProgressNotification.method, (params: ActionProgressNotification.Params) => {
			progress.set(params.progressToken, [...(progress.get(params.progressToken) ?? []), params.text]);
		});
		await client.ready(120_000);
		await client.openDocument(URI, 'typescript', MATH_SOURCE);
	});

	after(async function () {
		await client?.stop();
	});

	it('loads the chat model beside the completion model, and the status says what it can do and where Explain goes', async function () {
		const status = await client.waitForStatus((s) => s.chatModel?.state === 'ready', 120_000);
		const chat = status.chatModel!;
		assert.equal(chat.where, 'local');
		assert.match(chat.displayName, /tiny-qwen2-Instruct/);
		assert.equal(chat.location, instructPath);
		assert.ok(chat.sizeBytes && chat.sizeBytes > 0);
		assert.equal(chat.canChat, true);
		assert.ok(chat.evidence.includes('a chat template in the GGUF'), chat.evidence.join('; '));
		assert.ok(
			chat.evidence.some((line) => /^instruction-tuned/.test(line)),
			chat.evidence.join('; '),
		);
		assert.match(status.actionRoute ?? '', /^Chat on .*tiny-qwen2-Instruct.*: .* is the chat model and follows instructions$/);
		assert.match(status.model?.displayName ?? '', /starter|Starter|hearth/i, 'the bundled model still completes');
	});

	it('runs Explain on the chat model, streaming its text, and measures the chat model and the completion model', async function () {
		const result = await explain(client, 'explain-local');
		assert.equal(result.route?.via, 'chat', result.route?.reason);
		assert.match(result.route!.reason, /is the chat model/);
		assert.match(result.model, /tiny-qwen2-Instruct/);
		assert.ok(result.text.length > 0 && result.generatedTokens > 0);
		assert.equal(progress.get('explain-local')?.at(-1), result.text, 'streamed from the chat model');
		assert.ok(result.confidence, "the local chat model's own token probabilities");
		assert.ok(result.confidence.minLogProb <= result.confidence.meanLogProb && result.confidence.meanLogProb <= 0);
		assert.equal(result.confidence.unsure, result.confidence.meanLogProb < CHAT_UNSURE_BELOW);
		const chatSpeed = await client.waitForStatus((s) => (s.chatModel?.speed?.runs ?? 0) >= 1);
		assert.ok(chatSpeed.chatModel!.speed!.generatedTokensPerSecond! > 0);

		await completeOnce(client);
		const measured = await client.waitForStatus((s) => (s.model?.speed?.runs ?? 0) >= 1);
		const speed = measured.model!.speed!;
		assert.ok(speed.promptTokensPerSecond! > 0, JSON.stringify(speed));
		assert.equal(measured.chatModel?.state, 'ready', 'the chat slot stays in every status');
	});

	it('says why a chat model that cannot load is not used, and completions go on', async function () {
		const missing = '/nonexistent/chat-model.gguf';
		const from = client.statuses.length;
		await client.changeSettings(withChat({ backend: 'local', path: missing }));
		const failed = await waitFor(
			'the chat slot to fail',
			() => client.statuses.slice(from).find((s) => s.chatModel?.state === 'error'),
			60_000,
		);
		assert.ok(failed.chatModel!.message?.includes(missing), failed.chatModel!.message);
		assert.equal(failed.chatModel!.location, missing);
		assert.ok(failed.state === 'ready' || failed.state === 'busy', `completions stay ready (${failed.state})`);
		assert.match(failed.actionRoute ?? '', /^Document This on .*the chat model is unavailable \(.*chat-model\.gguf/);
		await completeOnce(client);
		const result = await explain(client, 'explain-failed');
		assert.equal(result.route?.via, 'document-this', result.route?.reason);
		assert.ok(result.route!.reason.includes(missing), result.route!.reason);
	});

	it('drops the slot with backend none: the status carries no chat model and routing is as before', async function () {
		const from = client.statuses.length;
		await client.changeSettings(withChat({ backend: 'none', path: instructPath }));
		const none = await waitFor('the chat slot to go', () =>
			client.statuses.slice(from).find((s) => s.chatModel === undefined && s.actionRoute !== undefined),
		);
		assert.match(none.actionRoute!, /^Document This on .* and no chat model is chosen/);
	});
});

describe('language server: a chat model on a server (the team server, real inference; hostile servers)', function () {
	this.timeout(300_000);
	let loaded: LoadedModel;
	let engine: ChatEngine;
	let team: OpenAiServer;
	let client: LspTestClient;
	const reports: GenerationReport[] = [];
	const hostile: HostileServer[] = [];
	const progress = new Map<string, string[]>();
	const serverChat = (serverUrl: string) => withChat({ backend: 'server', serverUrl, serverModel: 'hearth-chat' });

	before(async function () {
		loaded = await loadTinyInstructOnOneThread();
		engine = new ChatEngine(loaded, { logger: silentLogger, threads: 1 });
		team = await startOpenAiServer({ chat: engine, modelId: 'hearth-chat', onGenerationEnd: (report) => reports.push(report) });
		const started = await LspTestClient.start({ settings: serverChat(team.url), defaultModelPath: BUNDLED });
		client = started.client;
		client.connection.onNotification(ActionProgressNotification.method, (params: ActionProgressNotification.Params) => {
			progress.set(params.progressToken, [...(progress.get(params.progressToken) ?? []), params.text]);
		});
		await client.ready(120_000);
		await client.openDocument(URI, 'typescript', MATH_SOURCE);
	});

	after(async function () {
		await client?.stop();
		await Promise.all(hostile.map((server) => server.close()));
		await team?.close();
		await engine?.dispose();
		await loaded?.dispose();
	});

	it('sends Explain to the chat server, streamed, even though the completion model is a base model', async function () {
		const status = await client.waitForStatus((s) => s.chatModel?.state === 'ready', 60_000);
		assert.equal(status.chatModel!.where, 'server');
		assert.equal(status.chatModel!.location, team.url);
		assert.match(status.chatModel!.displayName, /^hearth-chat @ 127\.0\.0\.1:\d+$/);
		assert.equal(status.chatModel!.canChat, true);
		assert.match(status.actionRoute ?? '', /^Chat on hearth-chat @ 127\.0\.0\.1:\d+: the selection goes to the chat server/);
		const before = reports.length;
		const result = await explain(client, 'explain-server');
		assert.equal(result.route?.via, 'chat', result.route?.reason);
		assert.match(result.model, /^hearth-chat @ 127\.0\.0\.1:\d+$/);
		assert.ok(result.text.length > 0);
		const updates = progress.get('explain-server') ?? [];
		assert.ok(updates.length >= 2, `streamed in several updates (${updates.length})`);
		assert.equal(updates.at(-1), result.text);
		const report = await waitFor('the team server report', () => reports[before]);
		assert.equal(report.route, '/v1/chat/completions');
		assert.equal(report.stream, true);
		await completeOnce(client);
	});

	it('cancels: the request to the chat server is dropped and it stops generating', async function () {
		const before = reports.length;
		const token = new CancellationTokenSource();
		const pending = explain(client, 'explain-server-cancel', token);
		await waitFor('the first streamed text', () => progress.get('explain-server-cancel')?.[0], 60_000);
		token.cancel();
		await assert.rejects(pending, /cancel/i);
		const report = await waitFor('the team server to end the generation', () => reports[before], 60_000);
		assert.equal(report.clientDisconnected, true);
	});

	it('refuses a chat server that redirects: the slot says so, nothing reaches the other host, completions go on', async function () {
		const elsewhere = await HostileServer.start(redirect(307, 'http://127.0.0.3:9/'), '127.0.0.2');
		const redirecting = await HostileServer.start(redirect(302, `${elsewhere.baseUrl}/models`));
		hostile.push(elsewhere, redirecting);
		const from = client.statuses.length;
		await client.changeSettings(serverChat(redirecting.baseUrl));
		const failed = await waitFor(
			'the chat slot to fail',
			() => client.statuses.slice(from).find((s) => s.chatModel?.state === 'error'),
			60_000,
		);
		assert.match(
			failed.chatModel!.message ?? '',
			/redirect \(HTTP 302 to http:\/\/127\.0\.0\.2:\d+\/v1\/models\), which Hearth does not follow/,
		);
		assert.equal(elsewhere.bytesReceived, 0);
		assert.equal(redirecting.requests.length, 1);
		await completeOnce(client);
		const result = await explain(client, 'explain-after-redirect');
		assert.equal(result.route?.via, 'document-this', 'the bundled base model documents instead');
		assert.equal(redirecting.requests.length, 1, 'the selection was not sent to the redirecting server');
	});
});

describe('the chat model slot in the model lifecycle (real models)', function () {
	this.timeout(300_000);
	let instructPath: string;
	let fimPath: string;
	let statuses: ServerStatus[];
	let logs: string[];
	let lifecycle: ModelLifecycle;

	before(async function () {
		instructPath = await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' });
		fimPath = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
	});

	beforeEach(function () {
		statuses = [];
		logs = [];
		const logger: Logger = { ...silentLogger, info: (message) => void logs.push(message), error: (message) => void logs.push(message) };
		lifecycle = new ModelLifecycle({
			defaultModelPath: '/nonexistent/default.gguf',
			status: new StatusPublisher((status) => statuses.push(status)),
			logger,
			minuteMs: 150,
		});
	});

	afterEach(async function () {
		await lifecycle.dispose();
	});

	it("shares the completion model's own file: one load, and the actions run on the chat slot", async function () {
		await lifecycle.apply(
			testSettings({
				model: { path: instructPath },
				chatModel: { backend: 'local', path: instructPath },
				performance: { threads: 1 },
			}),
		);
		await lifecycle.chatSlot.settled();
		const chat = statuses.at(-1)?.chatModel;
		assert.equal(chat?.state, 'ready');
		assert.equal(chat.where, 'shared');
		assert.equal(chat.canChat, true);
		assert.equal(logs.filter((line) => /^Loading (model|the chat model) /.test(line)).length, 1, logs.join('\n'));
		assert.equal(lifecycle.chatSlot.ownModelBytes, 0, 'no second copy in memory');
		const activity = new CompletionActivity();
		const outcome = await runAction(
			{ models: lifecycle, activity },
			{ kind: 'explain', code: CODE, languageId: 'typescript' },
			new AbortController().signal,
			() => {},
			{
				maxTokens: 6,
			},
		);
		assert.equal(outcome.route?.via, 'chat');
		assert.match(outcome.route!.reason, /is the chat model/);
		assert.equal(outcome.generatedTokens, 6);
		assert.ok(lifecycle.chatEngine(), "the completion model's own chat engine answered");
	});

	it('unloads a separate chat model with the completion model for idleness, and the next action loads both again', async function () {
		await lifecycle.apply(
			testSettings({
				model: { path: fimPath, idleUnloadMinutes: 1 },
				chatModel: { backend: 'local', path: instructPath },
				performance: { threads: 1 },
			}),
		);
		await lifecycle.chatSlot.settled();
		assert.equal(statuses.at(-1)?.chatModel?.where, 'local');
		assert.ok(lifecycle.chatSlot.ownModelBytes > 0);
		const unloaded = await waitFor('both unloaded', () =>
			statuses.find((s) => s.state === 'unloaded' && s.chatModel?.state === 'unloaded'),
		);
		assert.match(unloaded.chatModel!.message ?? '', /the next action loads it again/);
		assert.equal(lifecycle.chatSlot.ownModelBytes, 0);
		const release = await lifecycle.hold();
		try {
			assert.equal(statuses.at(-1)?.chatModel?.state, 'ready');
			assert.equal(statuses.at(-1)?.state, 'ready');
			assert.equal(lifecycle.actionModels().chat?.local, true);
		} finally {
			release();
		}
	});
});

describe('the confidence of an answer resumed after typing paused it', function () {
	it('weighs each part by its scored tokens, keeps the lowest token, and has none without scored tokens', () => {
		const combined = combineConfidences([
			{ meanLogProb: -0.2, minLogProb: -1, scoredTokens: 30 },
			{ meanLogProb: -1.0, minLogProb: -3, scoredTokens: 10 },
			{ meanLogProb: 0, minLogProb: 0, scoredTokens: 0 },
		]);
		assert.ok(combined);
		assert.ok(Math.abs(combined.meanLogProb - -0.4) < 1e-12, String(combined.meanLogProb));
		assert.equal(combined.minLogProb, -3);
		assert.equal(combined.scoredTokens, 40);
		assert.equal(combineConfidences([]), undefined);
		assert.equal(combineConfidences([{ meanLogProb: 0, minLogProb: 0, scoredTokens: 0 }]), undefined);
	});
});
