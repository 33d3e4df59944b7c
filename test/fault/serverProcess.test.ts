import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RestartPolicy } from '../../src/extension/restartPolicy.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { CheckCommentOnlyRequest, DownloadModelRequest, DownloadProgressNotification } from '../../src/shared/protocol.js';
import { ModelFileServer } from '../helpers/modelFileServer.js';
import { repoRoot } from '../helpers/paths.js';
import { waitFor } from '../helpers/waitFor.js';
import { itemsOf } from '../server/lspTestClient.js';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { answersCompletion, checkServerAfterFault, faultSettings, settledLoadAfter, SOURCE, tinyModel, withLimit } from './lspProbe.js';
import { SupervisedServer } from './supervisedServer.js';

/**
 * Fault matrix, the language-server process: killed mid-request, mid-download and mid-load, a native
 * crash, out of memory (a small JavaScript heap; a capped address space), and crashes until the
 * restart policy gives up. The extension's real RestartPolicy decides each restart; the new process
 * gets the open documents again, as vscode-languageclient sends them.
 */
describe('fault matrix: the language-server process', function () {
	let modelPath: string;
	const URI = 'file:///workspace/process-faults.ts';
	const servers: SupervisedServer[] = [];

	before(async function () {
		modelPath = await tinyModel();
	});

	afterEach(async function () {
		await Promise.all(servers.splice(0).map((server) => server.stop()));
	});

	async function startServer(
		options: { modelsDirectory?: string; policy?: RestartPolicy; env?: Record<string, string> } = {},
	): Promise<SupervisedServer> {
		const server = await SupervisedServer.start(
			{ settings: faultSettings(modelPath), defaultModelPath: '/nonexistent/default.gguf', modelsDirectory: options.modelsDirectory },
			options,
		);
		servers.push(server);
		await server.client.waitForStatus((status) => status.state === 'ready');
		await server.open(URI, 'typescript', SOURCE);
		return server;
	}

	/** After a crash: one restart, the new process ready with the documents, the old request settled. */
	/** The editor's view of a request: it handles the outcome at once, as vscode-languageclient does. */
	const outcomeOf = (request: Promise<unknown>): Promise<'answered' | 'rejected'> =>
		request.then(
			() => 'answered' as const,
			() => 'rejected' as const,
		);

	async function checkRestarted(
		checks: FaultChecks,
		server: SupervisedServer,
		pending: Promise<'answered' | 'rejected'> | undefined,
		expectedRestarts = 1,
	): Promise<void> {
		await server.restarted();
		checks.survived(server.restarts === expectedRestarts, `restarted ${server.restarts} times (expected ${expectedRestarts})`);
		if (pending) {
			// The editor's request on the dead process must end (an error is fine), never hang.
			const settled = await withLimit(pending, 30_000, 'the request to the killed process').catch(() => 'hung');
			checks.editorAlive(settled !== 'hung', 'the request sent to the killed process never settled');
		}
		await server.client.waitForStatus((status) => status.state === 'ready', 90_000);
		const reopened = itemsOf(
			await withLimit(
				server.client.inlineCompletion(URI, { line: 5, character: 1 }),
				90_000,
				'a completion in the reopened document',
			),
		);
		checks.dataKept(reopened.length > 0, 'the restarted server has the open document again (a completion in it)');
		checks.dataKept(server.documents.get(URI)?.text === SOURCE, 'the document is unchanged');
		await checkServerAfterFault(checks, server, modelPath);
	}

	faultCase('server process', 'SIGKILL mid-request (the model generating)', async (checks) => {
		const server = await startServer();
		await server.client.changeSettings(faultSettings(modelPath, {}, { inlineCompletion: { maxTokens: 512, mode: 'multi-line' } }));
		const from = server.client.statuses.length;
		const exited = server.nextExit();
		const pending = outcomeOf(server.client.inlineCompletion(URI, { line: 3, character: 0 }));
		await server.client.waitForStatus((status) => server.client.statuses.indexOf(status) >= from && status.state === 'busy');
		process.kill(server.pid, 'SIGKILL');
		await exited;
		await checkRestarted(checks, server, pending);
	});

	faultCase('server process', 'native crash (SIGSEGV) while idle', async (checks) => {
		const server = await startServer();
		const exited = server.nextExit();
		process.kill(server.pid, 'SIGSEGV');
		await exited;
		checks.survived(
			server.crashes[0]?.signal === 'SIGSEGV',
			`the process died of SIGSEGV: ${JSON.stringify(server.crashes[0]?.signal)}`,
		);
		await checkRestarted(checks, server, undefined);
	});

	faultCase('server process', 'SIGKILL during a download (partial file never kept; the next download is whole)', async (checks) => {
		const modelsDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-fault-kill-download-'));
		const body = await fs.readFile(modelPath);
		const files = await ModelFileServer.start({ 'slow.gguf': { body, bytesPerTick: 8 * 1024 }, 'fast.gguf': { body } });
		try {
			const server = await startServer({ modelsDirectory });
			const progress: DownloadProgressNotification.Params[] = [];
			server.client.connection.onNotification(
				DownloadProgressNotification.method,
				(params: DownloadProgressNotification.Params) => void progress.push(params),
			);
			const exited = server.nextExit();
			const params = (uri: string): DownloadModelRequest.Params => ({ progressToken: 'fault', uri, fileName: 'model.gguf' });
			const pending = outcomeOf(server.client.connection.sendRequest(DownloadModelRequest.method, params(files.url('slow.gguf'))));
			await waitFor('download progress', () => progress.find((update) => update.downloadedBytes > 0), 60_000);
			process.kill(server.pid, 'SIGKILL');
			await exited;
			const kept = (await fs.readdir(modelsDirectory)).filter((name) => name.endsWith('.gguf'));
			checks.dataKept(kept.length === 0, `a partial download is in the models folder: ${kept.join(', ')}`);
			await checkRestarted(checks, server, pending);
			const result = (await withLimit(
				server.client.connection.sendRequest(DownloadModelRequest.method, params(files.url('fast.gguf'))),
				90_000,
				'the download after the restart',
			)) as DownloadModelRequest.Result;
			const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
			checks.survived(
				result.path === path.join(modelsDirectory, 'model.gguf'),
				`the next download lands in the models folder: ${result.path}`,
			);
			checks.dataKept(
				sha(await fs.readFile(result.path)) === sha(body),
				'the downloaded file is byte-identical to the served one (no stale partial mixed in)',
			);
		} finally {
			await files.close();
			await fs.rm(modelsDirectory, { recursive: true, force: true });
		}
	});

	faultCase(
		'server process',
		'SIGKILL while a model is loading (the bundled model)',
		async (checks) => {
			const server = await startServer();
			const bundled = path.join(repoRoot, BUNDLED_MODEL_RELATIVE_PATH);
			const from = server.client.statuses.length;
			const exited = server.nextExit();
			await server.client.changeSettings(faultSettings(bundled));
			await server.client.waitForStatus((status) => server.client.statuses.indexOf(status) >= from && status.state === 'loading');
			process.kill(server.pid, 'SIGKILL');
			await exited;
			await server.restarted();
			checks.survived(server.restarts === 1, `restarted ${server.restarts} times`);
			// The new process loads what the settings name, from the start.
			const ready = await server.client.waitForStatus((status) => status.state === 'ready', 120_000);
			checks.survived(ready.model?.path === bundled, `the restarted server loaded the chosen model: ${ready.model?.path}`);
			checks.dataKept((await fs.stat(bundled)).size > 0, 'the bundled model file is intact');
			const probe = await answersCompletion(server.client);
			checks.survived(probe.ok, `the restarted server completes: ${probe.why}`);
			checks.dataKept(server.editAttempts === 0, 'no edits');
		},
		240_000,
	);

	faultCase(
		'server process',
		'out of memory: a 64 MB JavaScript heap and an 80 MB request',
		async (checks) => {
			const server = await startServer({ env: { NODE_OPTIONS: '--max-old-space-size=64' } });
			const exited = server.nextExit();
			const huge = 'x'.repeat(40 * 1024 ** 2);
			const pending = outcomeOf(
				server.client.connection.sendRequest(CheckCommentOnlyRequest.method, {
					original: huge,
					proposal: huge + 'y',
					languageId: 'plaintext',
				} satisfies CheckCommentOnlyRequest.Params),
			);
			const outcome = await withLimit(Promise.race([exited.then(() => 'crashed'), pending]), 120_000, 'the huge request');
			if (outcome === 'crashed' || server.crashes.length > 0) {
				await exited;
				const crash = server.crashes[0]!;
				checks.note(
					`died with ${JSON.stringify({ code: crash.code, signal: crash.signal })}: ${crash.stderr.split('\n').find((line) => /heap|memory/i.test(line)) ?? ''}`,
				);
				checks.survived(
					crash.signal !== null || crash.code !== 0,
					`the process ended abnormally: ${JSON.stringify({ code: crash.code, signal: crash.signal })}`,
				);
				await checkRestarted(checks, server, pending);
			} else {
				checks.note(`the server ${outcome} the huge request without dying`);
				// Handling it without dying is as good: then it must still work.
				await checkServerAfterFault(checks, server, modelPath);
			}
		},
		240_000,
	);

	faultCase(
		'server process',
		'out of memory: address space capped (prlimit) while loading a 131072-token context',
		async (checks) => {
			const server = await startServer();
			const status = await fs.readFile(`/proc/${server.pid}/status`, 'utf8');
			const vmSizeKiB = Number(/^VmSize:\s+(\d+)/m.exec(status)![1]);
			const pid = server.pid;
			// Room for a little more than the process has now; the 131072-token KV cache needs far more.
			// Only the soft limit: lowering the hard one could not be undone without CAP_SYS_RESOURCE.
			execFileSync('prlimit', [`--pid=${pid}`, `--as=${(vmSizeKiB + 24 * 1024) * 1024}:unlimited`]);
			const from = server.client.statuses.length;
			const exited = server.nextExit().then(() => 'crashed' as const);
			await server.client.changeSettings(faultSettings(modelPath, { contextSize: 131_072 }));
			const outcome = await withLimit(
				Promise.race([exited, settledLoadAfter(server.client, from, 120_000).then(() => 'settled' as const)]),
				150_000,
				'the load under the cap',
			);
			if (outcome === 'crashed') {
				checks.note(`the process died under the cap: ${JSON.stringify(server.crashes[0])}`);
				await server.restarted();
				checks.survived(server.restarts === 1, `restarted ${server.restarts} times`);
				await server.client.waitForStatus((state) => state.state === 'ready', 120_000);
			} else {
				// The memory pressure ends; the process must be fine afterwards.
				checks.note(
					`the load under the cap ended without a crash: ${JSON.stringify(server.client.statuses.at(-1)?.message ?? server.client.statuses.at(-1)?.state)}`,
				);
				execFileSync('prlimit', [`--pid=${pid}`, '--as=unlimited:unlimited']);
			}
			await server.client.changeSettings(faultSettings(modelPath));
			const info = await server.client.modelInfo();
			checks.dataKept(info?.path === modelPath, `a model is loaded: ${info?.path}`);
			const probe = await answersCompletion(server.client);
			checks.survived(probe.ok, `completes after the memory fault: ${probe.why}`);
			checks.dataKept(server.editAttempts === 0, 'no edits');
		},
		300_000,
	);

	faultCase(
		'server process',
		'repeated crashes: the restart policy gives up after its limit, a manual restart works',
		async (checks) => {
			const policy = new RestartPolicy();
			const server = await startServer({ policy });
			for (let crash = 1; crash <= policy.maxRestarts + 1; crash++) {
				await server.client.waitForStatus((status) => status.state === 'ready', 90_000);
				const exited = server.nextExit();
				process.kill(server.pid, 'SIGKILL');
				await exited;
			}
			checks.survived(
				server.restarts === policy.maxRestarts,
				`restarted ${server.restarts} times, the policy allows ${policy.maxRestarts}`,
			);
			checks.survived(server.gaveUp, 'the policy stopped restarting a server that keeps dying');
			checks.editorAlive(process.connected !== false, 'the editor process is alive');
			await server.manualRestart();
			await server.client.waitForStatus((status) => status.state === 'ready', 90_000);
			await checkServerAfterFault(checks, server, modelPath);
			checks.dataKept(server.documents.get(URI)?.text === SOURCE, 'the document is unchanged');
		},
		300_000,
	);
});
