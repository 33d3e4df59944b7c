import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { downloadModel, INCOMING_DIRECTORY } from '../../src/server/models/downloadModel.js';
import { downloadUrlOf } from '../../src/server/models/publishedChecksum.js';
import { ModelFileServer } from '../helpers/modelFileServer.js';

describe('model download: a disk without room', function () {
	it('refuses before downloading, with the numbers, and leaves nothing behind', async function () {
		const body = await fs.readFile(await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }));
		const files = await ModelFileServer.start({ 'model.gguf': { body } });
		const modelsDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-full-disk-'));
		try {
			const attempt = (sizeBytes: number | undefined) =>
				downloadModel(
					{ uri: files.url('model.gguf'), fileName: 'model.gguf', sizeBytes },
					{ modelsDirectory, freeDiskBytes: async () => 1_000_000 },
				);
			// With the catalog's size the check comes before any request; without it, after the server said.
			await assert.rejects(attempt(body.length), /Not enough disk space for the download: it needs about 0\.01 GB, 0\.00 GB is free/);
			assert.equal(files.requests.length, 0, 'nothing was requested');
			await assert.rejects(attempt(undefined), /Not enough disk space/);
			assert.ok(!files.requests.some((request) => request.range !== undefined), 'no body was fetched');
			assert.deepEqual(
				(await fs.readdir(modelsDirectory)).filter((name) => name.endsWith('.gguf')),
				[],
			);
			assert.deepEqual(await fs.readdir(path.join(modelsDirectory, '.incoming')), []);
		} finally {
			await files.close();
			await fs.rm(modelsDirectory, { recursive: true, force: true });
		}
	});
});

describe('model download: verified against the SHA-256 the server publishes (X-Linked-ETag)', function () {
	let body: Buffer;
	let sha256: string;
	let cdn: ModelFileServer;
	let hub: ModelFileServer;
	let modelsDirectory: string;

	// Like Hugging Face: the hub's `resolve` address answers with a redirect to a CDN on another host,
	// and only that first answer carries the checksum and size; the CDN serves the bytes without them.
	const hubFile = (etag: string, cdnPath = 'blob.gguf') => ({
		body,
		redirectTo: cdn.url(cdnPath),
		headers: { 'X-Linked-ETag': etag, 'X-Linked-Size': String(body.length) },
	});

	before(async function () {
		body = await fs.readFile(await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }));
		sha256 = createHash('sha256').update(body).digest('hex');
		cdn = await ModelFileServer.start({
			'blob.gguf': { body },
			'other.gguf': { body: Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body.at(-1)! ^ 1])]) },
		});
		hub = await ModelFileServer.start({
			'resolve/good.gguf': hubFile(`"${sha256}"`),
			'resolve/wrong.gguf': hubFile(`"${'ab'.repeat(32)}"`),
			// The right checksum, but the CDN hands out different bytes (one bit flipped in the last byte).
			'resolve/altered.gguf': hubFile(`"${sha256}"`, 'other.gguf'),
			'resolve/small-file.gguf': hubFile(`"${'1'.repeat(40)}"`),
			'plain.gguf': { body },
		});
	});

	beforeEach(async function () {
		modelsDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-verified-'));
	});

	afterEach(async function () {
		await fs.rm(modelsDirectory, { recursive: true, force: true });
	});

	after(async function () {
		await hub?.close();
		await cdn?.close();
	});

	const download = (file: string, fileName: string, verify?: { sha256?: string }) =>
		downloadModel({ uri: hub.url(file), fileName, verify }, { modelsDirectory });
	const kept = async () => (await fs.readdir(modelsDirectory)).filter((name) => name.endsWith('.gguf')).sort();
	const incoming = () => fs.readdir(path.join(modelsDirectory, INCOMING_DIRECTORY));

	it('keeps a file whose SHA-256 matches the header on the first response, though the bytes come from the redirect', async function () {
		const result = await download('resolve/good.gguf', 'good.gguf');
		assert.ok((await fs.readFile(result.path)).equals(body));
		assert.deepEqual(result.verifiedAgainst, ['server']);
		assert.equal(result.sha256, sha256);
		assert.match(result.verification, new RegExp(`SHA-256 ${sha256} matches the server's \\(X-Linked-ETag\\)`));
		assert.ok(
			hub.requests.some((request) => request.path === 'resolve/good.gguf' && request.method === 'HEAD'),
			'the checksum was asked for',
		);
		assert.ok(
			!cdn.requests.some((request) => request.method === 'HEAD'),
			'the redirect to the other host was not followed for the checksum',
		);
	});

	it('checks against the catalog too when it has a value: both must match', async function () {
		const result = await download('resolve/good.gguf', 'both.gguf', { sha256: sha256.toUpperCase() });
		assert.deepEqual(result.verifiedAgainst, ['catalog', 'server']);
		assert.match(result.verification, /matches the catalog's and the server's/);
	});

	it('refuses a file whose bytes do not match the published SHA-256, with a clear message, and keeps nothing of it', async function () {
		await fs.writeFile(path.join(modelsDirectory, 'previous.gguf'), body);
		await assert.rejects(
			download('resolve/wrong.gguf', 'wrong.gguf'),
			/wrong\.gguf does not match the SHA-256 the server publishes in X-Linked-ETag \(got [0-9a-f]{12}…, expected abababababab…\).*not kept/,
		);
		await assert.rejects(
			download('resolve/altered.gguf', 'altered.gguf'),
			/altered\.gguf does not match the SHA-256 the server publishes/,
		);
		assert.deepEqual(await kept(), ['previous.gguf'], 'the model that was there stays; nothing new is kept');
		assert.ok((await fs.readFile(path.join(modelsDirectory, 'previous.gguf'))).equals(body));
		assert.deepEqual(await incoming(), [], 'the downloaded file was removed');
	});

	it('refuses before downloading when the catalog and the server disagree', async function () {
		const bodyRequests = () => cdn.requests.filter((request) => request.method === 'GET').length;
		const before = bodyRequests();
		await assert.rejects(
			download('resolve/good.gguf', 'disagree.gguf', { sha256: 'cd'.repeat(32) }),
			/catalog's SHA-256 for disagree\.gguf \(cdcdcdcdcdcd…\) is not the one the server publishes/,
		);
		assert.equal(bodyRequests(), before, 'no bytes were fetched');
		assert.deepEqual(await kept(), []);
	});

	it('keeps a file the server publishes no checksum for, and says it was not verified', async function () {
		const result = await download('plain.gguf', 'plain.gguf');
		assert.ok((await fs.readFile(result.path)).equals(body));
		assert.deepEqual(result.verifiedAgainst, []);
		assert.match(
			result.verification,
			/plain\.gguf was NOT verified: the catalog has no SHA-256 for it and the server sent no X-Linked-ETag header \(HTTP 200\)\. It passed the GGUF check only/,
		);
		const small = await download('resolve/small-file.gguf', 'small-file.gguf');
		assert.deepEqual(small.verifiedAgainst, []);
		assert.match(small.verification, /NOT verified.*X-Linked-ETag \(1{40}\) is not a SHA-256/);
	});
});

describe('model download: the address asked for the checksum', function () {
	it('is the Hugging Face resolve URL for an hf: URI, the URL itself for a URL, none for a tag', function () {
		assert.equal(
			downloadUrlOf('hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf'),
			'https://huggingface.co/ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/resolve/main/qwen2.5-coder-0.5b-q8_0.gguf',
		);
		assert.equal(
			downloadUrlOf('hf:user/repo/sub dir/model.gguf#dev'),
			'https://huggingface.co/user/repo/resolve/dev/sub%20dir/model.gguf',
		);
		assert.equal(downloadUrlOf('http://127.0.0.1:8080/m.gguf'), 'http://127.0.0.1:8080/m.gguf');
		assert.equal(downloadUrlOf('hf:user/repo:Q4_K_M'), undefined);
	});
});
