import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { downloadModel, type DownloadOptions, type DownloadRequest } from '../../src/server/models/downloadModel.js';
import { ModelFileServer, type ServedFile } from '../helpers/modelFileServer.js';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { tinyModel, withLimit } from './lspProbe.js';

/**
 * Fault matrix, downloads: the server's model downloader against a real HTTP server on 127.0.0.1
 * that fails as file hosts do. A download either yields a whole, verified file or nothing in the
 * models folder (never a half-kept one); a model already there is never touched; the next download
 * works.
 */
describe('fault matrix: model downloads', function () {
	let body: Buffer;
	let sha256: string;
	let cdn: ModelFileServer;
	let hub: ModelFileServer;
	let modelsDirectory: string;
	let existing: string;
	let counter = 0;

	const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
	/** Like Hugging Face: the hub redirects to the CDN, and only its answer carries the checksum and size. */
	const viaHub = (headers: Record<string, string>, cdnPath = 'blob.gguf'): ServedFile => ({
		body,
		redirectTo: cdn.url(cdnPath),
		headers,
	});

	before(async function () {
		body = await fs.readFile(await tinyModel());
		sha256 = hash(body);
		cdn = await ModelFileServer.start({
			'blob.gguf': { body },
			'slow.gguf': { body, bytesPerTick: 16 * 1024 },
			'reset-once.gguf': { body, dropAfterBytes: Math.floor(body.length / 3), times: 1 },
			'error-page.gguf': { body: Buffer.from('<html><body>Rate limit exceeded</body></html>\n'.repeat(50)) },
		});
		hub = await ModelFileServer.start({
			'resolve/good.gguf': viaHub({ 'X-Linked-ETag': `"${sha256}"`, 'X-Linked-Size': String(body.length) }),
			'resolve/wrong-size.gguf': viaHub({ 'X-Linked-Size': String(body.length + 4096) }),
			'resolve/wrong-sha.gguf': viaHub({ 'X-Linked-ETag': `"${'0f'.repeat(32)}"`, 'X-Linked-Size': String(body.length) }),
		});
		modelsDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-fault-downloads-'));
		existing = path.join(modelsDirectory, 'existing.gguf');
		await fs.writeFile(existing, body);
	});

	after(async function () {
		await hub?.close();
		await cdn?.close();
		await fs.rm(modelsDirectory, { recursive: true, force: true });
	});

	const ggufFiles = async () => (await fs.readdir(modelsDirectory)).filter((name) => name.endsWith('.gguf')).sort();

	/** Runs the faulty download; whatever it does, only whole files may be in the models folder. */
	async function download(
		checks: FaultChecks,
		request: Omit<DownloadRequest, 'fileName'>,
		options: Partial<DownloadOptions> = {},
		expect: 'refused' | 'whole',
	): Promise<void> {
		const fileName = `fault-${++counter}.gguf`;
		const outcome = await withLimit(
			downloadModel({ ...request, fileName }, { modelsDirectory, ...options }),
			120_000,
			'the download',
		).then(
			(result) => ({ result }),
			(error: unknown) => ({ error }),
		);
		const target = path.join(modelsDirectory, fileName);
		const kept = await fs.readFile(target).catch(() => undefined);
		if ('result' in outcome) {
			checks.survived(expect === 'whole', `the download was not refused: ${JSON.stringify(outcome.result)}`);
			checks.dataKept(kept !== undefined && hash(kept) === sha256, 'the kept file is whole and byte-identical');
		} else {
			checks.survived(expect === 'refused', `the download failed: ${String(outcome.error)}`);
			checks.survived(outcome.error instanceof Error && outcome.error.message.length > 0, 'the failure says why');
			checks.dataKept(kept === undefined, `a file that failed its download was kept (${kept?.length} bytes)`);
		}
		const all = await ggufFiles();
		checks.dataKept(
			all.every((name) => name === 'existing.gguf' || name === fileName || /^fault-\d+\.gguf$|^next-\d+\.gguf$/.test(name)),
			`unexpected files in the models folder: ${all.join(', ')}`,
		);
		checks.dataKept(hash(await fs.readFile(existing)) === sha256, 'the model already in the folder was altered');
		// The next download of a good file works.
		const next = `next-${counter}.gguf`;
		const again = await withLimit(
			downloadModel({ uri: hub.url('resolve/good.gguf'), fileName: next }, { modelsDirectory }),
			120_000,
			'the next download',
		).catch((error: unknown) => error);
		checks.survived(
			!(again instanceof Error) && hash(await fs.readFile(path.join(modelsDirectory, next))) === sha256,
			`the next download works: ${again instanceof Error ? again.message : 'ok'}`,
		);
	}

	faultCase('downloads', '404 Not Found', async (checks) => {
		await download(checks, { uri: cdn.url('no-such-file.gguf') }, {}, 'refused');
	});

	faultCase('downloads', 'connection reset mid-file (resumed with a range request)', async (checks) => {
		await download(checks, { uri: cdn.url('reset-once.gguf') }, {}, 'whole');
	});

	faultCase('downloads', 'wrong size (X-Linked-Size says 4 KB more)', async (checks) => {
		await download(checks, { uri: hub.url('resolve/wrong-size.gguf') }, {}, 'refused');
	});

	faultCase('downloads', 'wrong SHA-256 (X-Linked-ETag does not match the bytes)', async (checks) => {
		await download(checks, { uri: hub.url('resolve/wrong-sha.gguf') }, {}, 'refused');
	});

	faultCase('downloads', 'wrong SHA-256 in the catalog entry', async (checks) => {
		await download(checks, { uri: cdn.url('blob.gguf'), verify: { sha256: 'ab'.repeat(32) } }, {}, 'refused');
	});

	faultCase('downloads', 'disk full (1 MB free by the size check)', async (checks) => {
		await download(checks, { uri: cdn.url('blob.gguf'), sizeBytes: body.length }, { freeDiskBytes: async () => 1_000_000 }, 'refused');
	});

	faultCase('downloads', 'an HTML error page served with 200 as the model', async (checks) => {
		await download(checks, { uri: cdn.url('error-page.gguf') }, {}, 'refused');
	});

	faultCase('downloads', 'cancelled mid-way', async (checks) => {
		const controller = new AbortController();
		await download(
			checks,
			{ uri: cdn.url('slow.gguf') },
			{ signal: controller.signal, onProgress: (progress) => void (progress.downloadedBytes > 0 && controller.abort()) },
			'refused',
		);
		checks.survived(controller.signal.aborted, 'the download was under way when cancelled');
	});
});
