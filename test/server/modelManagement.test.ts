import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { writeCorruptedModel, type WeightCorruption } from '../../src/tooling/testModels/corruptedModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { DownloadModelRequest, DownloadProgressNotification, InspectModelRequest, ListModelsRequest } from '../../src/shared/protocol.js';
import { ModelFileServer } from '../helpers/modelFileServer.js';
import { testSettings } from '../helpers/testSettings.js';
import { waitFor } from '../helpers/waitFor.js';
import { itemsOf, LspTestClient } from './lspTestClient.js';

const URI = 'file:///workspace/switch.ts';
const SOURCE = 'export function add(a: number, b: number): number {\n\t\n}\n\nconst x = 1;\n';

describe('language server: model management (downloads from a real local HTTP server, fit check, switching)', function () {
	let client: LspTestClient;
	let files: ModelFileServer;
	let modelsDirectory: string;
	let fimModel: string;
	let fimBytes: Buffer;
	let otherModel: string;
	const progress: DownloadProgressNotification.Params[] = [];

	before(async function () {
		fimModel = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
		otherModel = await ensureTestModel('tiny-nofim', { quantization: 'Q8_0' });
		fimBytes = await fs.readFile(fimModel);
		files = await ModelFileServer.start({
			'good.gguf': { body: fimBytes },
			'flaky.gguf': { body: fimBytes, dropAfterBytes: Math.floor(fimBytes.length / 2) },
			// A server whose copy is cut short: it says the short length, so only the checks can tell.
			'short.gguf': { body: fimBytes.subarray(0, Math.floor(fimBytes.length * 0.6)) },
			'slow.gguf': { body: fimBytes, bytesPerTick: 16 * 1024 },
			'notamodel.gguf': { body: Buffer.from('this is an HTML error page, not a model\n'.repeat(100)) },
			// A server that publishes a SHA-256 (as Hugging Face does in X-Linked-ETag) the bytes do not have.
			'wrong-etag.gguf': { body: fimBytes, headers: { 'X-Linked-ETag': `"${'0f'.repeat(32)}"` } },
		});
		modelsDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-models-'));
		const started = await LspTestClient.start({
			settings: testSettings({ model: { path: fimModel } }),
			defaultModelPath: '/nonexistent/default.gguf',
			modelsDirectory,
		});
		client = started.client;
		client.connection.onNotification(
			DownloadProgressNotification.method,
			(params: DownloadProgressNotification.Params) => void progress.push(params),
		);
		await client.waitForStatus((status) => status.state === 'ready');
		await client.openDocument(URI, 'typescript', SOURCE);
	});

	after(async function () {
		await client?.stop();
		await files?.close();
		await fs.rm(modelsDirectory, { recursive: true, force: true });
	});

	const download = (params: Omit<DownloadModelRequest.Params, 'progressToken'>, token?: CancellationTokenSource) => {
		const full: DownloadModelRequest.Params = { progressToken: params.fileName, ...params };
		// An undefined token argument would travel as a second parameter.
		return (
			token
				? client.connection.sendRequest(DownloadModelRequest.method, full, token.token)
				: client.connection.sendRequest(DownloadModelRequest.method, full)
		) as Promise<DownloadModelRequest.Result>;
	};

	async function modelsFolder(): Promise<string[]> {
		return (await fs.readdir(modelsDirectory)).filter((name) => name.endsWith('.gguf')).sort();
	}

	async function incomingFiles(): Promise<string[]> {
		return fs.readdir(path.join(modelsDirectory, '.incoming')).catch(() => []);
	}

	it('downloads a catalog model, reports progress, checks size and SHA-256, and lists it with a fit verdict', async function () {
		const sha256 = createHash('sha256').update(fimBytes).digest('hex');
		const result = await download({
			uri: files.url('good.gguf'),
			fileName: 'good.gguf',
			sizeBytes: fimBytes.length,
			verify: { sizeBytes: fimBytes.length, sha256 },
		});
		assert.equal(result.path, path.join(modelsDirectory, 'good.gguf'));
		assert.equal(result.sizeBytes, fimBytes.length);
		assert.ok((await fs.readFile(result.path)).equals(fimBytes), 'the bytes arrived intact');
		const reported = progress.filter((p) => p.progressToken === 'good.gguf');
		assert.ok(
			reported.some((p) => p.phase === 'downloading'),
			'download progress was reported',
		);
		assert.ok(
			reported.some((p) => p.phase === 'verifying'),
			'the check was reported',
		);

		const inventory = (await client.connection.sendRequest(ListModelsRequest.method, {
			catalog: [
				{ id: 'small', sizeBytes: 10 * 1024 ** 2 },
				{ id: 'enormous', sizeBytes: 4 * 1024 ** 4 },
			],
		} satisfies ListModelsRequest.Params)) as ListModelsRequest.Result;
		assert.deepEqual(
			inventory.downloaded.map((file) => file.fileName),
			['good.gguf'],
		);
		assert.equal(inventory.downloaded[0]!.fit.fits, true, inventory.downloaded[0]!.fit.summary);
		assert.ok(inventory.downloaded[0]!.fit.needBytes > fimBytes.length, 'the estimate includes the context, not just the file');
		assert.equal(inventory.catalogFit.small!.fits, true);
		assert.equal(inventory.catalogFit.enormous!.fits, false, 'a 4 TB model does not fit this machine');
		assert.match(inventory.catalogFit.enormous!.summary, /too big: needs \d+(\.\d)? GB of \d+(\.\d)? GB free (RAM|VRAM)/);
		assert.equal(inventory.memory.where, 'RAM');
	});

	it('resumes a download whose connection dropped half way, with a range request', async function () {
		const result = await download({ uri: files.url('flaky.gguf'), fileName: 'flaky.gguf', verify: { sizeBytes: fimBytes.length } });
		assert.ok((await fs.readFile(result.path)).equals(fimBytes));
		const ranges = files.requests.filter((r) => r.path === 'flaky.gguf' && r.range !== undefined && !r.range.startsWith('bytes=0-'));
		assert.ok(
			ranges.length > 0,
			`a range request picked up where the connection dropped: ${JSON.stringify(files.requests.filter((r) => r.path === 'flaky.gguf'))}`,
		);
	});

	it('refuses a truncated file and a wrong checksum, and leaves no file behind', async function () {
		await assert.rejects(download({ uri: files.url('short.gguf'), fileName: 'short.gguf' }), /truncated/i);
		await assert.rejects(
			download({ uri: files.url('good.gguf'), fileName: 'tampered.gguf', verify: { sha256: '0'.repeat(64) } }),
			/does not match the catalog's SHA-256/,
		);
		await assert.rejects(
			download({ uri: files.url('short.gguf'), fileName: 'short2.gguf', verify: { sizeBytes: fimBytes.length } }),
			/expects \d+/,
		);
		await assert.rejects(download({ uri: files.url('notamodel.gguf'), fileName: 'notamodel.gguf' }), /Not a GGUF/);
		assert.deepEqual(await modelsFolder(), ['flaky.gguf', 'good.gguf'], 'only checked, complete files in the models folder');
		assert.deepEqual(await incomingFiles(), [], 'no partial file left');
	});

	it('says clearly when the file does not exist, and refuses unsafe names', async function () {
		await assert.rejects(download({ uri: files.url('missing.gguf'), fileName: 'missing.gguf' }), /404|no such file/i);
		await assert.rejects(download({ uri: files.url('good.gguf'), fileName: '../escape.gguf' }), /unsafe file name/);
		await assert.rejects(download({ uri: 'file:///etc/passwd', fileName: 'x.gguf' }), /Unsupported model address/);
	});

	it('cancels a download on request and keeps nothing in the models folder', async function () {
		const token = new CancellationTokenSource();
		const pending = download({ uri: files.url('slow.gguf'), fileName: 'slow.gguf' }, token);
		await waitFor(
			'download progress of slow.gguf',
			() => progress.find((p) => p.progressToken === 'slow.gguf' && p.downloadedBytes > 0),
			30_000,
		);
		token.cancel();
		await assert.rejects(pending, /cancel/i);
		assert.ok(!(await modelsFolder()).includes('slow.gguf'));
	});

	it('inspects a picked file: a real model passes, anything else gets a clear message', async function () {
		const good = (await client.connection.sendRequest(InspectModelRequest.method, { path: fimModel })) as InspectModelRequest.Result;
		assert.ok(good.ok);
		assert.equal(good.quantization, 'Q8_0');
		assert.equal(good.fit.fits, true);
		const missing = (await client.connection.sendRequest(InspectModelRequest.method, {
			path: '/nonexistent/x.gguf',
		})) as InspectModelRequest.Result;
		assert.ok(!missing.ok && /not found/.test(missing.message));
		const text = path.join(modelsDirectory, 'readme.gguf');
		await fs.writeFile(text, 'not a model');
		const notGguf = (await client.connection.sendRequest(InspectModelRequest.method, { path: text })) as InspectModelRequest.Result;
		assert.ok(!notGguf.ok && /Not a GGUF/.test(notGguf.message), JSON.stringify(notGguf));
		await fs.rm(text);
	});

	it('switches models while a completion runs: the running one ends cleanly, the old model is released, the new one answers', async function () {
		const running = client.inlineCompletion(URI, { line: 3, character: 0 });
		await new Promise((resolve) => setTimeout(resolve, 50));
		const statusesBefore = client.statuses.length;
		await client.changeSettings(testSettings({ model: { path: otherModel }, inlineCompletion: { maxTokens: 8 } }));
		await running; // resolves (with a suggestion or none), never rejects or hangs
		const ready = await waitFor(
			'the new model ready',
			() => client.statuses.slice(statusesBefore).find((s) => s.state === 'ready' && s.model?.path === otherModel),
			60_000,
		);
		assert.equal(ready.message, undefined);
		assert.equal((await client.modelInfo())?.path, otherModel);
		const after = itemsOf(await client.inlineCompletion(URI, { line: 1, character: 1 }));
		assert.ok(after.length <= 1);
		assert.equal(client.reports.at(-1)!.cancelled, false, 'the new model answered');
	});

	it('keeps the previous model when the new choice is not a language model, and says why', async function () {
		const statusesBefore = client.statuses.length;
		await client.changeSettings(testSettings({ model: { path: path.join(modelsDirectory, 'nothing-here.gguf') } }));
		const kept = await waitFor(
			'a status about the failed switch',
			() => client.statuses.slice(statusesBefore).find((s) => s.message?.startsWith('Kept')),
			30_000,
		);
		assert.equal(kept.state, 'ready');
		assert.equal(kept.model?.path, otherModel);
		assert.match(kept.message!, /not found/);
	});

	it('refuses a download whose bytes do not match the SHA-256 the server publishes: the model in use and the folder stay as they were', async function () {
		const folderBefore = await modelsFolder();
		const statusesBefore = client.statuses.length;
		await assert.rejects(
			download({ uri: files.url('wrong-etag.gguf'), fileName: 'wrong-etag.gguf' }),
			/wrong-etag\.gguf does not match the SHA-256 the server publishes in X-Linked-ETag \(got [0-9a-f]{12}…, expected 0f0f0f0f0f0f…\)/,
		);
		assert.deepEqual(await modelsFolder(), folderBefore);
		assert.deepEqual(await incomingFiles(), [], 'the downloaded file was removed');
		assert.equal((await client.modelInfo())?.path, otherModel, 'the model in use is unchanged');
		assert.ok(
			client.statuses.slice(statusesBefore).every((status) => status.model?.path === otherModel),
			'no switch happened',
		);
	});

	for (const corruption of ['nan', 'garbage'] satisfies WeightCorruption[]) {
		it(`keeps the previous model when the new file loads but computes garbage (${corruption} weights), and says why`, async function () {
			const corrupted = path.join(modelsDirectory, `corrupted-${corruption}.gguf`);
			await writeCorruptedModel(fimModel, corrupted, corruption);
			const statusesBefore = client.statuses.length;
			await client.changeSettings(testSettings({ model: { path: corrupted } }));
			const kept = await waitFor(
				'a status about the refused model',
				() => client.statuses.slice(statusesBefore).find((s) => s.message?.startsWith('Kept')),
				60_000,
			);
			assert.equal(kept.state, 'ready');
			assert.equal(kept.model?.path, otherModel);
			assert.match(
				kept.message!,
				new RegExp(
					`corrupted-${corruption}\\.gguf\\) loads but computes garbage: \\d+ of \\d+ logits for a test prompt are NaN or infinite\\. Its weights are damaged`,
				),
			);
			const reportsBefore = client.reports.length;
			await client.inlineCompletion(URI, { line: 1, character: 1 });
			const report = await waitFor('a completion run on the kept model', () => client.reports.slice(reportsBefore).at(-1), 30_000);
			assert.equal(report.cancelled, false, 'the kept model still answers');
		});
	}

	it('keeps the previous model when the completion server is dead, and says so', async function () {
		const statusesBefore = client.statuses.length;
		await client.changeSettings(
			testSettings({ model: { path: otherModel, backend: 'server', serverUrl: 'http://127.0.0.1:9/v1', serverModel: 'x' } }),
		);
		const kept = await waitFor(
			'a status about the dead server',
			() => client.statuses.slice(statusesBefore).find((s) => s.message?.startsWith('Kept')),
			30_000,
		);
		assert.equal(kept.model?.path, otherModel);
		assert.match(kept.message!, /Cannot reach the completion server at http:\/\/127\.0\.0\.1:9\/v1/);
	});
});
