import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTestModel } from '../../src/engine/testModels/ensureModel.js';
import { downloadModel } from '../../src/server/models/downloadModel.js';
import { ModelFileServer } from '../helpers/modelFileServer.js';

describe('model download: a disk without room', function () {
	it('refuses before downloading, with the numbers, and leaves nothing behind', async function () {
		const body = await fs.readFile(await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }));
		const files = await ModelFileServer.start({ 'model.gguf': { body } });
		const modelsDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-full-disk-'));
		try {
			const attempt = (sizeBytes: number | undefined) =>
				downloadModel({ uri: files.url('model.gguf'), fileName: 'model.gguf', sizeBytes }, { modelsDirectory, freeDiskBytes: async () => 1_000_000 });
			// With the catalog's size the check comes before any request; without it, after the server said.
			await assert.rejects(attempt(body.length), /Not enough disk space for the download: it needs about 0\.01 GB, 0\.00 GB is free/);
			assert.equal(files.requests.length, 0, 'nothing was requested');
			await assert.rejects(attempt(undefined), /Not enough disk space/);
			assert.ok(!files.requests.some((request) => request.range !== undefined), 'no body was fetched');
			assert.deepEqual((await fs.readdir(modelsDirectory)).filter((name) => name.endsWith('.gguf')), []);
			assert.deepEqual(await fs.readdir(path.join(modelsDirectory, '.incoming')), []);
		} finally {
			await files.close();
			await fs.rm(modelsDirectory, { recursive: true, force: true });
		}
	});
});
