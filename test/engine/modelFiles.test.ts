import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '../../src/engine/gguf/ggufValues.js';
import { writeGgufFile } from '../../src/tooling/gguf/ggufWriter.js';
import { silentLogger } from '../../src/engine/logger.js';
import { loadModel, weightsMapped } from '../../src/engine/runtime/loadModel.js';
import { ModelLoadError, type ModelLoadErrorCode } from '../../src/engine/runtime/modelLoadError.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

async function expectLoadError(
	modelPath: string,
	code: ModelLoadErrorCode,
	message: RegExp,
	extra: { freeMemoryBytes?: () => number } = {},
): Promise<void> {
	await assert.rejects(loadModel({ modelPath, gpu: 'off', contextSize: 512, logger: silentLogger, ...extra }), (error: unknown) => {
		assert.ok(error instanceof ModelLoadError, `a ModelLoadError, got ${String(error)}`);
		assert.equal(error.code, code);
		assert.match(error.userMessage, message);
		assert.ok(!error.userMessage.includes('\n'), 'one line');
		return true;
	});
}

describe('engine: bad model files get a clear one-line error, never a crash', function () {
	let directory: string;
	let goodModel: string;

	before(async function () {
		directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-model-files-'));
		goodModel = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
	});

	after(async function () {
		await fs.rm(directory, { recursive: true, force: true });
	});

	it('a missing file', async function () {
		await expectLoadError(path.join(directory, 'missing.gguf'), 'not-found', /Model file not found: .*missing\.gguf/);
	});

	it('a directory', async function () {
		await expectLoadError(directory, 'not-a-file', /not a file/);
	});

	it('a file that is not GGUF', async function () {
		const file = path.join(directory, 'weights.safetensors');
		await fs.writeFile(file, Buffer.from('{"__metadata__": {}}'.padEnd(4096, ' ')));
		await expectLoadError(file, 'not-gguf', /Not a GGUF model file/);
	});

	it('an empty file', async function () {
		const file = path.join(directory, 'empty.gguf');
		await fs.writeFile(file, '');
		await expectLoadError(file, 'truncated', /Model file is empty/);
	});

	it('a file cut inside its header', async function () {
		const file = path.join(directory, 'header-cut.gguf');
		await fs.writeFile(file, (await fs.readFile(goodModel)).subarray(0, 200));
		await expectLoadError(file, 'truncated', /Model file is truncated \(200 bytes/);
	});

	it('a file cut inside its tensor data (an interrupted download)', async function () {
		const file = path.join(directory, 'data-cut.gguf');
		const bytes = await fs.readFile(goodModel);
		await fs.writeFile(file, bytes.subarray(0, Math.floor(bytes.length * 0.9)));
		await expectLoadError(file, 'truncated', /Model file is truncated .*data-cut\.gguf/);
	});

	it('a model too large for the free memory is refused before loading', async function () {
		await expectLoadError(goodModel, 'insufficient-memory', /Not enough free memory .* needs about .* GiB/, {
			freeMemoryBytes: () => 1024,
		});
	});

	it('a GGUF file that is not a language model (no tokenizer)', async function () {
		const file = path.join(directory, 'tensors-only.gguf');
		await writeGgufFile(file, [['general.architecture', gguf.str('llama')]], []);
		await expectLoadError(file, 'not-a-language-model', /GGUF file but not a language model/);
	});

	it('a good file still loads (the checks do not reject valid models)', async function () {
		const loaded = await loadModel({ modelPath: goodModel, gpu: 'off', contextSize: 512, logger: silentLogger });
		await loaded.dispose();
	});

	it("on the CPU the weights are read into memory: no page of the model file stays mapped beside the kernels' copy", async function () {
		if (process.platform !== 'linux') {
			this.skip(); // /proc/self/maps
		}
		assert.equal(weightsMapped(false), false, 'CPU only: read');
		assert.equal(weightsMapped('cuda'), true, 'a GPU: mapped');
		const mapped = async () => (await fs.readFile('/proc/self/maps', 'utf8')).split('\n').filter((line) => line.endsWith(goodModel));
		const loaded = await loadModel({ modelPath: goodModel, gpu: 'off', contextSize: 512, logger: silentLogger });
		try {
			assert.equal(loaded.model.useMmap, false);
			assert.deepEqual(await mapped(), [], 'the model file is not mapped while the model is loaded');
		} finally {
			await loaded.dispose();
		}
		// The same load asked to map the file does map it: the check above can see a mapping.
		const mapping = await loadModel({ modelPath: goodModel, gpu: 'off', contextSize: 512, logger: silentLogger, useMmap: true });
		try {
			assert.ok((await mapped()).length > 0, 'a mapped load shows in /proc/self/maps');
		} finally {
			await mapping.dispose();
		}
	});
});
