import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { startOpenAiServer, type OpenAiServer } from '../../src/teamServer/openAiServer.js';
import { TeamServerFaultProxy, type ServerFaults } from '../helpers/teamServerFaults.js';
import { itemsOf } from '../server/lspTestClient.js';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { checkServerAfterFault, CURSOR, faultSettings, settledLoadAfter, SOURCE, tinyModel, withLimit } from './lspProbe.js';
import { SupervisedServer } from './supervisedServer.js';

const MODEL = 'hearth-tiny-fim';

/**
 * Fault matrix, the team server: the language server with `hearth.model.backend: "server"` against
 * the project's own OpenAI-compatible server (src/teamServer) on 127.0.0.1, reached through a proxy
 * that makes it misbehave (test/helpers/teamServerFaults.ts), or stopped. The editor's request must
 * settle (a suggestion or none), the language server must live on and complete again once the team
 * server behaves.
 */
describe('fault matrix: the team server (OpenAI-compatible backend)', function () {
	let loaded: LoadedModel;
	let engine: CompletionEngine;
	let team: OpenAiServer;
	/** What the language server is pointed at: the team server behind the fault proxy. */
	let proxy: TeamServerFaultProxy;
	let port: number;
	let server: SupervisedServer;
	let counter = 0;

	const serverSettings = (overrides: { serverModel?: string; timeBudgetMs?: number } = {}) =>
		faultSettings(
			'',
			{},
			{
				model: { backend: 'server', serverUrl: proxy.url, serverModel: overrides.serverModel ?? MODEL },
				inlineCompletion: overrides.timeBudgetMs ? { timeBudgetMs: overrides.timeBudgetMs } : {},
			},
		);

	before(async function () {
		loaded = await loadModel({
			modelPath: await tinyModel(),
			contextSize: 2048,
			sequences: 1,
			threads: 1,
			gpu: 'off',
			logger: silentLogger,
		});
		engine = new CompletionEngine(loaded, silentLogger);
		team = await startOpenAiServer({ completions: engine, modelId: MODEL });
		proxy = await TeamServerFaultProxy.start(team.url);
		port = Number(new URL(proxy.url).port);
		server = await SupervisedServer.start({ settings: serverSettings(), defaultModelPath: '/nonexistent/default.gguf' });
		await server.client.waitForStatus((status) => status.state === 'ready');
	});

	after(async function () {
		await server?.stop();
		await proxy?.close();
		await team?.close();
		await engine?.dispose();
	});

	afterEach(async function () {
		proxy.setFaults({});
		await server.restoreSettings();
	});

	/**
	 * One completion while the fault is on: it must settle; the document must not change. Each document
	 * differs (a last line of its own), so that no cached answer stands in for the request.
	 */
	async function requestDuringFault(checks: FaultChecks): Promise<void> {
		const uri = `file:///workspace/team-fault-${++counter}.ts`;
		const text = `${SOURCE}// fault ${counter}\n`;
		await server.open(uri, 'typescript', text);
		const outcome = await withLimit(server.client.inlineCompletion(uri, CURSOR), 90_000, 'the completion during the fault').then(
			(response) => ({ ok: true, items: itemsOf(response) }),
			(error: unknown) => ({ ok: false, items: [], error }),
		);
		checks.editorAlive(
			outcome.ok,
			`the editor's request failed instead of answering "no suggestion": ${'error' in outcome ? String(outcome.error) : ''}`,
		);
		checks.dataKept(server.documents.get(uri)?.text === text, 'the document is unchanged');
		await server.client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
		server.documents.delete(uri);
	}

	/**
	 * Not a verdict but a precondition: a fault that never met the language server's requests proves
	 * nothing (a cached answer, say, would stand in for them). Notes what the proxy did.
	 */
	function faultMetRequests(checks: FaultChecks, firstRequest: number): void {
		const injected = proxy.requests.slice(firstRequest).flatMap((request) => request.injected);
		assert.ok(injected.length > 0, 'the fault met a completion request of the language server');
		checks.note(`the fault proxy ${[...new Set(injected)].join(', ')}`);
	}

	/** Applies settings that need a reconnect and waits until it is done. */
	async function reconnect(settings: Parameters<typeof serverSettings>[0]): Promise<void> {
		const from = server.client.statuses.length;
		await server.client.changeSettings(serverSettings(settings));
		await settledLoadAfter(server.client, from);
	}

	async function withFault(checks: FaultChecks, faults: ServerFaults, settings?: Parameters<typeof serverSettings>[0]): Promise<void> {
		if (settings) {
			await server.client.changeSettings(serverSettings(settings));
		}
		const firstRequest = proxy.requests.length;
		proxy.setFaults(faults);
		await requestDuringFault(checks);
		proxy.setFaults({});
		faultMetRequests(checks, firstRequest);
		if (settings) {
			await server.client.changeSettings(serverSettings());
		}
		await checkServerAfterFault(checks, server);
	}

	faultCase('team server', 'answers 500 Internal Server Error', async (checks) => {
		await withFault(checks, { failNext: { status: 500, count: 1 } });
	});

	faultCase('team server', '429 storm (every request refused for a while)', async (checks) => {
		const firstRequest = proxy.requests.length;
		proxy.setFaults({ failNext: { status: 429, count: 1000 } });
		for (let index = 0; index < 5; index++) {
			await requestDuringFault(checks);
		}
		proxy.setFaults({});
		faultMetRequests(checks, firstRequest);
		await checkServerAfterFault(checks, server);
	});

	faultCase('team server', 'slow: first byte after 4 s, time budget 1 s', async (checks) => {
		await withFault(checks, { delayFirstByteMs: 4_000 }, { timeBudgetMs: 1_000 });
	});

	faultCase('team server', 'malformed JSON in the answer', async (checks) => {
		await withFault(checks, { malformedJsonNext: true });
	});

	faultCase('team server', 'stream closed mid-answer', async (checks) => {
		await withFault(checks, { closeMidStreamAfterChunks: 1 });
	});

	faultCase('team server', 'wrong model name in the settings', async (checks) => {
		await reconnect({ serverModel: 'no-such-model-7b' });
		await requestDuringFault(checks);
		await reconnect({});
		await checkServerAfterFault(checks, server);
	});

	faultCase('team server', 'down (stopped), then back on the same port', async (checks) => {
		// Nothing listens at the address the editor was given: the team server and its front are both gone.
		await proxy.close();
		await team.close();
		await requestDuringFault(checks);
		await requestDuringFault(checks);
		checks.survived(!server.client.exited, 'the language server lives while the team server is down');
		team = await startOpenAiServer({ completions: engine, modelId: MODEL });
		proxy = await TeamServerFaultProxy.start(team.url, port);
		await checkServerAfterFault(checks, server);
	});
});
