import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, truncateSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LlamaLogLevel, getLlama, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';

import { readGgufFile, readGgufTensorData } from '../../src/engine/gguf/ggufReader.js';
import { GgmlType } from '../../src/engine/gguf/ggufTypes.js';
import { ggufNumber, ggufString, ggufStringArray } from '../../src/engine/gguf/ggufValues.js';
import { ensureTestModel, ensureTestModelDetailed, type TestModelPreset } from '../../src/tooling/testModels/ensureModel.js';

const snippet = 'export function add(a: number, b: number): number {\n\treturn a + b; // sum\n}\n';

interface Expectation {
	readonly preset: TestModelPreset;
	readonly architecture: string;
	readonly hasFim: boolean;
	/** Loading and writing the shape-exact models takes seconds, not milliseconds. */
	readonly timeoutMs: number;
}

const expectations: readonly Expectation[] = [
	{ preset: 'tiny-fim', architecture: 'llama', hasFim: true, timeoutMs: 30_000 },
	{ preset: 'tiny-nofim', architecture: 'llama', hasFim: false, timeoutMs: 30_000 },
	{ preset: 'tiny-deepseek-coder', architecture: 'llama', hasFim: true, timeoutMs: 30_000 },
	{ preset: 'tiny-qwen2', architecture: 'qwen2', hasFim: true, timeoutMs: 30_000 },
	{ preset: 'qwen2.5-coder-0.5b-shape', architecture: 'qwen2', hasFim: true, timeoutMs: 180_000 },
];

async function greedyTokens(model: LlamaModel, prompt: Token[], count: number): Promise<Token[]> {
	const context = await model.createContext({ contextSize: 512, threads: os.availableParallelism() });
	try {
		const sequence = context.getSequence();
		const generated: Token[] = [];
		for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
			generated.push(token);
			if (generated.length === count) break;
		}
		return generated;
	} finally {
		await context.dispose();
	}
}

describe('engine: generated test models load and generate in llama.cpp', function () {
	let llama: Llama;

	before(async function () {
		this.timeout(60_000);
		llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
	});

	after(async () => {
		await llama?.dispose();
	});

	for (const expectation of expectations) {
		it(`${expectation.preset}: FIM tokens, tokenizer round trip, 16 greedy tokens without EOG, deterministic`, async function () {
			this.timeout(expectation.timeoutMs);
			const modelPath = await ensureTestModel(expectation.preset, { quantization: 'Q8_0' });
			assert.equal(path.basename(modelPath), `${expectation.preset}.Q8_0.gguf`);

			const info = readGgufFile(modelPath);
			assert.equal(ggufString(info.metadata.get('general.architecture')), expectation.architecture);
			assert.match(ggufString(info.metadata.get('general.name')) ?? '', /random weights/);
			assert.equal(ggufNumber(info.metadata.get('general.file_type')), 7);
			const tokens = ggufStringArray(info.metadata.get('tokenizer.ggml.tokens'))!;
			const embedding = info.tensors.find((tensor) => tensor.name === 'token_embd.weight')!;
			assert.equal(embedding.shape[1], tokens.length, 'one embedding row per token');
			assert.equal(embedding.type, GgmlType.Q8_0);
			for (const tensor of info.tensors.filter((candidate) => candidate.shape.length === 1)) {
				assert.equal(tensor.type, GgmlType.F32, `${tensor.name} stays F32`);
			}

			const model = await llama.loadModel({ modelPath });
			try {
				const infill = model.tokens.infill;
				if (expectation.hasFim) {
					assert.notEqual(infill.prefix, null, 'FIM prefix token');
					assert.notEqual(infill.suffix, null, 'FIM suffix token');
					assert.notEqual(infill.middle, null, 'FIM middle token');
				} else {
					assert.equal(infill.prefix, null);
					assert.equal(infill.suffix, null);
					assert.equal(infill.middle, null);
				}

				const prompt = model.tokenize(snippet);
				assert.equal(model.detokenize(prompt), snippet);

				const first = await greedyTokens(model, prompt, 16);
				assert.equal(first.length, 16);
				assert.deepEqual(
					first.filter((token) => model.isEogToken(token)),
					[],
					'no end-of-generation token',
				);
				const second = await greedyTokens(model, prompt, 16);
				assert.deepEqual(second, first, 'greedy generation is deterministic');

				if (expectation.hasFim) {
					// A FIM prompt, and the degenerate empty one, must not end generation either.
					for (const [prefix, suffix] of [
						['function f() {\n  ', '\n}\n'],
						['', ''],
					] as const) {
						const fimPrompt = [
							infill.prefix!,
							...model.tokenize(prefix),
							infill.suffix!,
							...model.tokenize(suffix),
							infill.middle!,
						];
						const completion = await greedyTokens(model, fimPrompt, 16);
						assert.equal(completion.length, 16);
						assert.ok(
							completion.every((token) => !model.isEogToken(token)),
							`no EOG after FIM prompt ${JSON.stringify(prefix)}`,
						);
					}
				}
			} finally {
				await model.dispose();
			}
		});
	}
});

describe('engine: test model files', () => {
	let directory: string;

	before(() => {
		directory = mkdtempSync(path.join(os.tmpdir(), 'hearth-test-models-'));
	});

	after(() => {
		rmSync(directory, { recursive: true, force: true });
	});

	it('generates once, reuses an up-to-date file, and regenerates a truncated one', async function () {
		this.timeout(60_000);
		const made = await ensureTestModelDetailed('tiny-fim', { directory });
		assert.equal(made.generated, true);
		assert.equal(statSync(made.path).size, made.fileSize);

		const again = await ensureTestModelDetailed('tiny-fim', { directory });
		assert.equal(again.generated, false);

		truncateSync(made.path, made.fileSize - 1000);
		const repaired = await ensureTestModelDetailed('tiny-fim', { directory });
		assert.equal(repaired.generated, true);
		assert.equal(statSync(repaired.path).size, made.fileSize);
		assert.deepEqual(
			readdirSync(directory).filter((name) => name.endsWith('.partial')),
			[],
			'no partial files left',
		);
	});

	it('writes F16 files with F16 matrices and F32 vectors', async function () {
		this.timeout(60_000);
		const modelPath = await ensureTestModel('tiny-nofim', { directory, quantization: 'F16' });
		assert.equal(path.basename(modelPath), 'tiny-nofim.F16.gguf');
		const info = readGgufFile(modelPath);
		assert.equal(ggufNumber(info.metadata.get('general.file_type')), 1);
		for (const tensor of info.tensors) {
			assert.equal(tensor.type, tensor.shape.length === 1 ? GgmlType.F32 : GgmlType.F16, tensor.name);
		}
	});

	it('gives tiny-qwen2 the Qwen2.5 FIM tokens and zero output rows for every non-text token', async function () {
		this.timeout(60_000);
		const modelPath = await ensureTestModel('tiny-qwen2', { directory });
		const info = readGgufFile(modelPath);
		const tokens = ggufStringArray(info.metadata.get('tokenizer.ggml.tokens'))!;
		assert.equal(tokens.length, 151936);
		assert.equal(tokens[151659], '<|fim_prefix|>');
		assert.equal(ggufNumber(info.metadata.get('tokenizer.ggml.fim_pre_token_id')), 151659);
		assert.equal(ggufNumber(info.metadata.get('tokenizer.ggml.fim_suf_token_id')), 151661);
		assert.equal(ggufNumber(info.metadata.get('tokenizer.ggml.fim_mid_token_id')), 151660);
		assert.equal(ggufNumber(info.metadata.get('tokenizer.ggml.fim_sep_token_id')), 151664);
		assert.equal(
			info.tensors.some((tensor) => tensor.name === 'output.weight'),
			false,
			'tied embeddings',
		);
		assert.ok(info.tensors.some((tensor) => tensor.name === 'blk.0.attn_q.bias'));

		const embedding = info.tensors.find((tensor) => tensor.name === 'token_embd.weight')!;
		const data = readGgufTensorData(modelPath, embedding);
		const rowBytes = (embedding.shape[0]! / 32) * 34;
		const row = (id: number): Buffer => data.subarray(id * rowBytes, (id + 1) * rowBytes);
		for (const id of [151643, 151645, 151659, 151662, 151664, 151935]) {
			assert.ok(
				row(id).every((byte) => byte === 0),
				`row ${id} (${tokens[id]}) is zero`,
			);
		}
		assert.ok(
			row(100).some((byte) => byte !== 0),
			'ordinary tokens are random',
		);
	});
});
