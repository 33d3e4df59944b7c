import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GgufValueType } from '../../src/engine/gguf/ggufTypes.js';
import { writeCorruptedModel } from '../../src/tooling/testModels/corruptedModel.js';
import { writeModelWithMetadata, writeTruncatedModel } from '../helpers/brokenModels.js';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { checkServerAfterFault, faultSettings, settledLoadAfter, SOURCE, tinyModel } from './lspProbe.js';
import { SupervisedServer } from './supervisedServer.js';

/**
 * Fault matrix, model files: the user (or a workspace, or a bad disk) points the running server at a
 * broken model. The server must say why, keep completing with the model it had, leave the file alone
 * and never edit a document.
 */
describe('fault matrix: model files', function () {
	let server: SupervisedServer;
	let goodModel: string;
	let directory: string;
	const URI = 'file:///workspace/model-faults.ts';

	before(async function () {
		goodModel = await tinyModel();
		directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-fault-models-'));
		server = await SupervisedServer.start({ settings: faultSettings(goodModel), defaultModelPath: '/nonexistent/default.gguf' });
		await server.client.waitForStatus((status) => status.state === 'ready');
		await server.open(URI, 'typescript', SOURCE);
	});

	after(async function () {
		await server?.stop();
		await fs.rm(directory, { recursive: true, force: true });
	});

	afterEach(async function () {
		// Back to the good model when a case left another one loaded, pass or fail, so that it does not spill into the next case.
		const loaded = (await server.client.modelInfo().catch(() => null))?.path;
		if (loaded !== goodModel) {
			const from = server.client.statuses.length;
			await server.client.changeSettings(faultSettings(goodModel));
			await settledLoadAfter(server.client, from);
		}
	});

	const sha256 = async (file: string) =>
		createHash('sha256')
			.update(await fs.readFile(file))
			.digest('hex');

	/**
	 * Points the server at `file` (made by `make`) and checks: the load ends with a status (refused:
	 * the previous model kept, the reason shown; or loaded, when the file is in fact usable), the file
	 * is unchanged on disk, and the server answers the next completion.
	 */
	async function switchTo(checks: FaultChecks, file: string, options: { mayLoad?: boolean; contextSize?: number } = {}): Promise<void> {
		const before = await sha256(file).catch(() => undefined);
		const modelBefore = (await server.client.modelInfo())?.path;
		const from = server.client.statuses.length;
		await server.client.changeSettings(faultSettings(file, options.contextSize ? { contextSize: options.contextSize } : {}));
		const settled = await settledLoadAfter(server.client, from);
		const info = await server.client.modelInfo();
		const loadedIt = info?.path === file;
		checks.note(loadedIt ? 'loaded' : `refused: ${settled.message}`);
		if (loadedIt) {
			checks.survived(options.mayLoad === true, `the broken model ${path.basename(file)} was loaded as if it were fine`);
		} else {
			checks.dataKept(info?.path === modelBefore, `the previous model is still loaded (was ${modelBefore}, now ${info?.path})`);
			checks.survived(
				typeof settled.message === 'string' && settled.message.length > 0,
				`the status says why the model was refused: ${JSON.stringify(settled)}`,
			);
		}
		checks.dataKept(
			(await sha256(file).catch(() => undefined)) === before,
			`${path.basename(file)} was changed or removed by the server`,
		);
		checks.dataKept(server.documents.get(URI)?.text === SOURCE, 'the open document is unchanged');
		await checkServerAfterFault(checks, server, loadedIt ? file : modelBefore);
	}

	faultCase('model files', 'missing file', async (checks) => {
		const missing = path.join(directory, 'missing.gguf');
		await switchTo(checks, missing);
		checks.dataKept(
			!(await fs.stat(missing).then(
				() => true,
				() => false,
			)),
			'nothing was created at the missing path',
		);
	});

	faultCase('model files', 'empty file (0 bytes)', async (checks) => {
		const file = path.join(directory, 'empty.gguf');
		await fs.writeFile(file, '');
		await switchTo(checks, file);
	});

	faultCase('model files', 'truncated file (60 % of a good model)', async (checks) => {
		const file = path.join(directory, 'truncated.gguf');
		await writeTruncatedModel(goodModel, file, 0.6);
		await switchTo(checks, file);
	});

	faultCase('model files', 'not a GGUF file (an HTML error page)', async (checks) => {
		const file = path.join(directory, 'html.gguf');
		await fs.writeFile(file, '<!doctype html><title>502 Bad Gateway</title>\n'.repeat(2000));
		await switchTo(checks, file);
	});

	faultCase('model files', 'wrong architecture (general.architecture unknown to llama.cpp)', async (checks) => {
		const file = path.join(directory, 'wrong-arch.gguf');
		await writeModelWithMetadata(goodModel, file, (metadata) =>
			metadata.set('general.architecture', { type: GgufValueType.STRING, value: 'hearth-no-such-arch' }),
		);
		await switchTo(checks, file);
	});

	faultCase('model files', 'huge context claim (context_length 2^31-1, setting 131072)', async (checks) => {
		const file = path.join(directory, 'huge-context.gguf');
		await writeModelWithMetadata(goodModel, file, (metadata, architecture) =>
			metadata.set(`${architecture}.context_length`, { type: GgufValueType.UINT32, value: 2 ** 31 - 1 }),
		);
		// The tiny model's KV cache for 131072 tokens fits in memory: loading it is a correct outcome.
		await switchTo(checks, file, { mayLoad: true, contextSize: 131_072 });
	});

	faultCase('model files', 'corrupted weights (NaN in the output norm)', async (checks) => {
		const file = path.join(directory, 'nan-weights.gguf');
		await writeCorruptedModel(goodModel, file, 'nan');
		await switchTo(checks, file);
	});

	faultCase('model files', 'corrupted weights (random bytes in every layer)', async (checks) => {
		const file = path.join(directory, 'garbage-weights.gguf');
		await writeCorruptedModel(goodModel, file, 'garbage');
		await switchTo(checks, file);
	});

	faultCase('model files', 'a directory instead of a file', async (checks) => {
		const file = path.join(directory, 'folder.gguf');
		await fs.mkdir(file);
		await switchTo(checks, file);
		checks.dataKept((await fs.readdir(file)).length === 0, 'the folder was left as it was');
	});

	faultCase('model files', 'unreadable file (mode 000)', async (checks) => {
		const file = path.join(directory, 'unreadable.gguf');
		await fs.copyFile(goodModel, file);
		await fs.chmod(file, 0o000);
		// Root reads any file whatever its mode: then loading it is right, elsewhere refusing it is.
		await switchTo(checks, file, { mayLoad: process.getuid?.() === 0 });
		const mode = (await fs.stat(file)).mode & 0o777;
		checks.dataKept(mode === 0, `the file's mode was changed to ${mode.toString(8)}`);
	});

	faultCase('model files', 'model file deleted while loaded (then a switch to a missing file)', async (checks) => {
		const file = path.join(directory, 'deleted-later.gguf');
		await fs.copyFile(goodModel, file);
		const from = server.client.statuses.length;
		await server.client.changeSettings(faultSettings(file));
		const settled = await settledLoadAfter(server.client, from);
		checks.survived(settled.state === 'ready' && settled.model?.path === file, `the copy loads: ${JSON.stringify(settled)}`);
		await fs.rm(file);
		// The mapping of the deleted file stays valid: completions go on, and a failed switch keeps it.
		await checkServerAfterFault(checks, server, file);
		const from2 = server.client.statuses.length;
		await server.client.changeSettings(faultSettings(path.join(directory, 'still-missing.gguf')));
		await settledLoadAfter(server.client, from2);
		await checkServerAfterFault(checks, server, file);
	});
});
