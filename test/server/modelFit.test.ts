import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHAT_CONTEXT_SIZE } from '../../src/engine/chat/chatEngine.js';
import { silentLogger } from '../../src/engine/logger.js';
import { DEFAULT_SEQUENCES, loadModel } from '../../src/engine/runtime/loadModel.js';
import { estimateCatalogNeed, freeForRole, ModelLibrary, roleContext, type ModelsInUse } from '../../src/server/models/modelLibrary.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

const GB = 1e9;
const MIB = 1024 ** 2;

/**
 * The memory fit the model switcher shows, for a model taking the completion role or the chat role:
 * the model being replaced comes free, the other role's model stays counted; a catalog entry with its
 * KV bytes per token is judged with the KV cache of the role's context.
 */
describe('model fit for the completion and chat roles', function () {
	it("gives each role its context: completion, the setting's for three documents; chat, 4096 tokens for one", () => {
		assert.deepEqual(roleContext('completion', 2048), { contextSize: 2048, sequences: DEFAULT_SEQUENCES });
		assert.deepEqual(roleContext('chat', 2048), { contextSize: DEFAULT_CHAT_CONTEXT_SIZE, sequences: 1 });
	});

	it('counts the KV cache of the role from kvBytesPerToken, or falls back to the size-based estimate', () => {
		// Qwen2.5-Coder 1.5B: 28 layers × 2 KV heads × 128 × 2 (K and V) × 2 bytes = 28 672 bytes per token.
		const entry = { id: 'qwen', sizeBytes: 1.6 * GB, kvBytesPerToken: 28_672 };
		const completion = estimateCatalogNeed(entry, roleContext('completion', 2048));
		const chat = estimateCatalogNeed(entry, roleContext('chat', 2048));
		assert.equal(completion - chat, 28_672 * (2048 * 3 - 4096), 'the roles differ by their KV caches alone');
		const weightsAndBuffers = completion - 28_672 * 2048 * 3;
		assert.ok(weightsAndBuffers > entry.sizeBytes && weightsAndBuffers < entry.sizeBytes * 1.2 + 300 * MIB, String(weightsAndBuffers));
		const sizeOnly = estimateCatalogNeed({ id: 'old', sizeBytes: 1.6 * GB }, roleContext('chat', 2048));
		assert.equal(sizeOnly, Math.round(1.6 * GB * 1.15 + 300 * MIB), 'no kvBytesPerToken: the existing estimate');
		assert.equal(estimateCatalogNeed({ id: 'zero', sizeBytes: 1.6 * GB, kvBytesPerToken: 0 }, roleContext('chat', 2048)), sizeOnly);
	});

	it('frees the memory of the model the switch replaces, and keeps the other role counted', () => {
		const inUse: ModelsInUse = { completionBytes: 2 * GB, chatBytes: 5 * GB };
		assert.equal(freeForRole(3 * GB, inUse, 'completion'), 5 * GB);
		assert.equal(freeForRole(3 * GB, inUse, 'chat'), 8 * GB);
		assert.equal(
			freeForRole(3 * GB, { completionBytes: 2 * GB, chatBytes: 0 }, 'chat'),
			3 * GB,
			'a shared or server chat model frees nothing',
		);
	});

	it("checks a chat model's load against its chat context, not its small completion context", async function () {
		this.timeout(120_000);
		const modelPath = await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' });
		await assert.rejects(
			loadModel({
				modelPath,
				sequences: 1,
				contextSize: 256,
				memoryCheckContext: { contextSize: DEFAULT_CHAT_CONTEXT_SIZE, sequences: 1 },
				gpu: 'off',
				logger: silentLogger,
				freeMemoryBytes: () => 1,
			}),
			/needs about [\d.]+ GiB with a 4096-token context for 1 document,/,
		);
	});

	it('judges the catalog and the files on disk for the role asked about (the real library, RAM)', async function () {
		this.timeout(120_000);
		const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-fit-'));
		try {
			await fs.copyFile(await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' }), path.join(directory, 'chat.gguf'));
			// A completion model holding far more than any machine has: replacing it frees that much; keeping it frees nothing.
			const huge = 1e15;
			const library = new ModelLibrary({
				modelsDirectory: directory,
				gpu: 'off',
				contextSize: 2048,
				logger: silentLogger,
				inUse: () => ({ completionBytes: huge, chatBytes: 0 }),
			});
			const entry = { id: 'big', sizeBytes: 1e14, kvBytesPerToken: 1000 };
			const asCompletion = await library.inventory([entry], 'completion');
			const asChat = await library.inventory([entry], 'chat');
			assert.equal(asCompletion.memory.where, 'RAM');
			assert.ok(asCompletion.memory.freeBytes > huge);
			assert.ok(asChat.memory.freeBytes < huge);
			assert.equal(asCompletion.catalogFit.big!.fits, true);
			assert.equal(asChat.catalogFit.big!.fits, false);
			assert.match(asChat.catalogFit.big!.summary, /^too big: needs [\d.]+ GB of [\d.]+ GB free RAM$/);
			assert.equal(asCompletion.catalogFit.big!.needBytes - asChat.catalogFit.big!.needBytes, 1000 * (2048 * 3 - 4096));
			const [fileAsCompletion] = asCompletion.downloaded;
			const [fileAsChat] = asChat.downloaded;
			assert.ok(fileAsCompletion && fileAsChat);
			assert.notEqual(fileAsCompletion.fit.needBytes, fileAsChat.fit.needBytes, "GGUF insights with each role's context");
			assert.match(fileAsChat.fit.summary, /^(fits|too big): needs [\d.]+ GB of [\d.]+ GB free RAM$/);
		} finally {
			await fs.rm(directory, { recursive: true, force: true });
		}
	});
});
