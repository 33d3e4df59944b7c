// Writes a preset as a loadable GGUF model: real tokenizer, real layer
// shapes, deterministic random weights.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { GgmlType, LlamaFileType, type GgufValue } from '../../engine/gguf/ggufTypes.js';
import { gguf } from '../../engine/gguf/ggufValues.js';
import { writeGgufFile, type GgufTensorToWrite, type TensorDataProducer } from '../gguf/ggufWriter.js';
import { BIAS_STD, randomF16Matrix, randomF32Vector, randomQ8_0Matrix, tensorSeed } from './randomWeights.js';
import { headDimension, type TestModelShape } from './shapes.js';
import { parameterCount, planTensors, type PlannedTensor } from './tensorLayout.js';
import { buildTokenizerMetadata, vocabularyForTokenizer } from './tokenizerMetadata.js';
import { ensureVocabularyFile } from './vocabularies.js';

export type TestModelQuantization = 'F16' | 'Q8_0';
export const testModelQuantizations: readonly TestModelQuantization[] = ['F16', 'Q8_0'];

/**
 * Bump whenever the bytes this module writes for a given preset change, so
 * ensureTestModel regenerates files made by older code.
 */
export const RANDOM_MODEL_GENERATOR_VERSION = 1;
export const DEFAULT_RANDOM_MODEL_SEED = 0x4ea27;

/** Metadata keys (ignored by llama.cpp) that identify how a file was generated. */
export const FINGERPRINT_KEY = 'hearth.test_model.fingerprint';
export const PRESET_KEY = 'hearth.test_model.preset';

export interface RandomModelOptions {
	readonly quantization: TestModelQuantization;
	readonly seed?: number;
	/** Where vocabulary files are cached (default models/vocab/). */
	readonly vocabularyDirectory?: string;
}

export interface RandomModelSummary {
	readonly fileSize: number;
	readonly parameterCount: number;
	readonly vocabSize: number;
	readonly fingerprint: string;
}

/**
 * Identifies everything that determines the file's bytes: generator version,
 * shape, quantization, seed and the vocabulary file's contents.
 */
export async function randomModelFingerprint(shape: TestModelShape, options: RandomModelOptions): Promise<string> {
	const vocabularyPath = await ensureVocabularyFile(vocabularyForTokenizer(shape.tokenizer), {
		directory: options.vocabularyDirectory,
	});
	const vocabularyHash = createHash('sha256')
		.update(await readFile(vocabularyPath))
		.digest('hex');
	return createHash('sha256')
		.update(
			JSON.stringify({
				generator: RANDOM_MODEL_GENERATOR_VERSION,
				shape,
				quantization: options.quantization,
				seed: options.seed ?? DEFAULT_RANDOM_MODEL_SEED,
				vocabularyHash,
			}),
		)
		.digest('hex')
		.slice(0, 32);
}

function architectureMetadata(shape: TestModelShape, vocabSize: number): Array<[string, GgufValue]> {
	const arch = shape.architecture;
	return [
		[`${arch}.vocab_size`, gguf.u32(vocabSize)],
		[`${arch}.context_length`, gguf.u32(shape.contextLength)],
		[`${arch}.embedding_length`, gguf.u32(shape.embeddingLength)],
		[`${arch}.block_count`, gguf.u32(shape.blockCount)],
		[`${arch}.feed_forward_length`, gguf.u32(shape.feedForwardLength)],
		[`${arch}.attention.head_count`, gguf.u32(shape.headCount)],
		[`${arch}.attention.head_count_kv`, gguf.u32(shape.headCountKv)],
		[`${arch}.attention.layer_norm_rms_epsilon`, gguf.f32(shape.rmsEpsilon)],
		[`${arch}.rope.freq_base`, gguf.f32(shape.ropeFreqBase)],
		[`${arch}.rope.dimension_count`, gguf.u32(headDimension(shape))],
	];
}

function storageType(tensor: PlannedTensor, quantization: TestModelQuantization): GgmlType {
	// llama.cpp keeps 1-D tensors (norms, biases) in F32 in every file type.
	if (tensor.shape.length === 1) return GgmlType.F32;
	return quantization === 'Q8_0' ? GgmlType.Q8_0 : GgmlType.F16;
}

/**
 * Why rows get zeroed: a random model would otherwise emit end-of-generation
 * tokens (eos, <|endoftext|>, <|im_end|>, <fim_pad>, <|file_sep|>, ...) at
 * random and stop early, and tests and benchmarks need a fixed generated
 * length. A zero row of the output projection gives that token a logit of
 * exactly 0, while ordinary tokens' logits are random with both signs over a
 * vocabulary of tens of thousands, so the greedy maximum is always positive
 * and such tokens are never chosen. The same goes for every other non-text
 * token (FIM markers, <|im_start|>, padding), so generated text is always
 * real text. The output projection is output.weight, or token_embd.weight
 * when embeddings are tied. Under sampling such tokens are merely improbable:
 * far outside any top-k, and about 1e-4 per step at temperature 1 with no
 * top-k/top-p (measured on tiny-fim).
 */
function zeroRowsFor(tensor: PlannedTensor, shape: TestModelShape, unreachable: readonly number[]): readonly number[] {
	const isOutputProjection = tensor.role === 'output' || (tensor.role === 'token-embedding' && shape.tiedEmbeddings);
	return isOutputProjection ? unreachable : [];
}

function tensorData(
	tensor: PlannedTensor,
	type: GgmlType,
	seed: number,
	zeroRows: readonly number[],
): ArrayBufferView | TensorDataProducer {
	switch (tensor.role) {
		case 'norm':
			return new Float32Array(tensor.shape[0]!).fill(1);
		case 'bias':
			return randomF32Vector(tensor.shape[0]!, seed, BIAS_STD);
		default: {
			const options = { rowLength: tensor.shape[0]!, rowCount: tensor.shape[1]!, seed, zeroRows };
			return type === GgmlType.Q8_0 ? () => randomQ8_0Matrix(options) : () => randomF16Matrix(options);
		}
	}
}

export async function writeRandomModel(shape: TestModelShape, filePath: string, options: RandomModelOptions): Promise<RandomModelSummary> {
	const seed = options.seed ?? DEFAULT_RANDOM_MODEL_SEED;
	const vocabularyPath = await ensureVocabularyFile(vocabularyForTokenizer(shape.tokenizer), {
		directory: options.vocabularyDirectory,
	});
	const tokenizer = buildTokenizerMetadata(vocabularyPath, shape.tokenizer, shape.vocabSize);
	const fingerprint = await randomModelFingerprint(shape, options);
	const fileType = options.quantization === 'Q8_0' ? LlamaFileType.MOSTLY_Q8_0 : LlamaFileType.MOSTLY_F16;

	const metadata: Array<readonly [string, GgufValue]> = [
		['general.architecture', gguf.str(shape.architecture)],
		['general.name', gguf.str(shape.generalName)],
		[
			'general.description',
			gguf.str(`${shape.description}. Random weights generated by Hearth for tests; it writes meaningless text.`),
		],
		['general.file_type', gguf.u32(fileType)],
		...(options.quantization === 'Q8_0' ? [['general.quantization_version', gguf.u32(2)] as const] : []),
		[PRESET_KEY, gguf.str(shape.preset)],
		[FINGERPRINT_KEY, gguf.str(fingerprint)],
		...architectureMetadata(shape, tokenizer.vocabSize),
		...tokenizer.entries,
		...(shape.chatTemplate ? [['tokenizer.chat_template', gguf.str(shape.chatTemplate)] as const] : []),
	];

	const planned = planTensors(shape, tokenizer.vocabSize);
	const tensors: GgufTensorToWrite[] = planned.map((tensor) => {
		const type = storageType(tensor, options.quantization);
		return {
			name: tensor.name,
			shape: tensor.shape,
			type,
			data: tensorData(tensor, type, tensorSeed(seed, tensor.name), zeroRowsFor(tensor, shape, tokenizer.unreachableTokenIds)),
		};
	});

	const { fileSize } = await writeGgufFile(filePath, metadata, tensors);
	return { fileSize, parameterCount: parameterCount(planned), vocabSize: tokenizer.vocabSize, fingerprint };
}
