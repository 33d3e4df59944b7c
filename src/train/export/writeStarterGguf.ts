// Turns the trained starter model's weights (a raw tensor container from
// models/recipe/export_tensors.py) into a GGUF file llama.cpp loads as a llama-architecture
// model: F32, F16 or Q8_0 weights through the project's own GGUF writer and quantizers, and the
// tokenizer metadata of the vocabulary the model was trained with, built by the same code that
// gives the test models theirs (buildTokenizerMetadata).
//
// The tokenizer is StarCoder's with the StarCoder (1) spellings: llama.cpp's vocabulary file is
// StarCoder2's, whose slot 6 is <file_sep>; the training data's document header uses that slot,
// and the exported vocabulary names it <filename>, so the engine (detectFamily.ts) picks the
// StarCoder template in both the PSM and the SPM order, the two orders the model was trained on.

import { LlamaFileType, GgmlType, type GgufValue } from '../../engine/gguf/ggufTypes.js';
import { gguf } from '../../engine/gguf/ggufValues.js';
import { writeGgufFile, type GgufTensorToWrite } from '../../tooling/gguf/ggufWriter.js';
import { dequantizeF16, dequantizeQ8_0, quantizeToF16, quantizeToQ8_0 } from '../../tooling/gguf/quantize.js';
import { buildTokenizerMetadata, type TokenizerMetadata } from '../../tooling/testModels/tokenizerMetadata.js';
import type { FimRole } from '../../tooling/testModels/specialTokens.js';
import type { RawTensorEntry, RawTensors, StarterHyperparameters } from './rawTensors.js';

export type StarterQuantization = 'F32' | 'F16' | 'Q8_0';
export const starterQuantizations: readonly StarterQuantization[] = ['F32', 'F16', 'Q8_0'];

/** The tokenizer variant of tokenizerMetadata.ts the starter model is exported with. */
export const STARTER_TOKENIZER = 'starcoder1' as const;
/** llama.cpp's vocabulary file it comes from (models/vocab/ggml-vocab-<name>.gguf). */
export const STARTER_VOCABULARY = 'starcoder';

export const STARTER_METADATA_PREFIX = 'hearth.starter';

export interface StarterGgufOptions {
	readonly quantization: StarterQuantization;
	/** ggml-vocab-starcoder.gguf */
	readonly vocabularyPath: string;
	/** general.name; default "Hearth Starter <preset>". */
	readonly name?: string;
	/** general.license; default MIT (the project's licence). */
	readonly license?: string;
}

export interface StarterGgufSummary {
	readonly fileSize: number;
	readonly parameterCount: number;
	readonly fimTokenIds: Readonly<Partial<Record<FimRole, number>>>;
}

function fileType(quantization: StarterQuantization): LlamaFileType {
	switch (quantization) {
		case 'F32':
			return LlamaFileType.ALL_F32;
		case 'F16':
			return LlamaFileType.MOSTLY_F16;
		case 'Q8_0':
			return LlamaFileType.MOSTLY_Q8_0;
	}
}

function ggmlType(quantization: StarterQuantization): GgmlType {
	switch (quantization) {
		case 'F32':
			return GgmlType.F32;
		case 'F16':
			return GgmlType.F16;
		case 'Q8_0':
			return GgmlType.Q8_0;
	}
}

function architectureMetadata(h: StarterHyperparameters, vocabSize: number): Array<[string, GgufValue]> {
	return [
		['llama.vocab_size', gguf.u32(vocabSize)],
		['llama.context_length', gguf.u32(h.context)],
		['llama.embedding_length', gguf.u32(h.dim)],
		['llama.block_count', gguf.u32(h.layers)],
		['llama.feed_forward_length', gguf.u32(h.ffn)],
		['llama.attention.head_count', gguf.u32(h.heads)],
		['llama.attention.head_count_kv', gguf.u32(h.kv_heads)],
		['llama.attention.layer_norm_rms_epsilon', gguf.f32(h.rms_eps)],
		['llama.rope.freq_base', gguf.f32(h.rope_base)],
		// Rotary embeddings over the whole head, in GGML's normal (adjacent pairs) layout,
		// which is what the training code implements (models/recipe/model.py).
		['llama.rope.dimension_count', gguf.u32(h.dim / h.heads)],
	];
}

/** F32 values of any stored tensor. */
function floatsOf(raw: RawTensors, entry: RawTensorEntry): Float32Array {
	switch (entry.dtype) {
		case 'f32':
			return raw.floatsOf(entry);
		case 'f16':
			return dequantizeF16(raw.bytesOf(entry));
		case 'q8_0':
			return dequantizeQ8_0(raw.bytesOf(entry));
	}
}

/** The bytes of one tensor in the file's type: stored bytes when they already are that type. */
function tensorBytes(raw: RawTensors, entry: RawTensorEntry, type: GgmlType): Uint8Array {
	if (type === GgmlType.Q8_0) {
		return entry.dtype === 'q8_0' ? raw.bytesOf(entry) : quantizeToQ8_0(floatsOf(raw, entry));
	}
	if (type === GgmlType.F16) {
		return entry.dtype === 'f16' ? raw.bytesOf(entry) : quantizeToF16(floatsOf(raw, entry));
	}
	const values = floatsOf(raw, entry);
	return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export function starterTokenizer(vocabularyPath: string, vocabSize: number): TokenizerMetadata {
	return buildTokenizerMetadata(vocabularyPath, STARTER_TOKENIZER, vocabSize);
}

export async function writeStarterGguf(raw: RawTensors, filePath: string, options: StarterGgufOptions): Promise<StarterGgufSummary> {
	const { hyperparameters: h, training, preset } = raw.index;
	const tokenizer = starterTokenizer(options.vocabularyPath, h.vocab_size);
	if (tokenizer.vocabSize !== h.vocab_size) {
		throw new Error(`the vocabulary has ${tokenizer.vocabSize} tokens, the model ${h.vocab_size} embedding rows`);
	}
	const eval_ = training.last_eval;
	const description =
		`Hearth's starter code model (${preset}): a ${h.layers}-layer llama-architecture decoder trained from scratch ` +
		`on permissively licensed code with fill-in-the-middle in both PSM and SPM order; ` +
		`${training.tokens_seen.toLocaleString('en-US')} training tokens. See models/README.md.`;
	const metadata: Array<readonly [string, GgufValue]> = [
		['general.architecture', gguf.str('llama')],
		['general.name', gguf.str(options.name ?? `Hearth Starter ${preset}`)],
		['general.description', gguf.str(description)],
		['general.license', gguf.str(options.license ?? 'MIT')],
		['general.file_type', gguf.u32(fileType(options.quantization))],
		...(options.quantization === 'Q8_0' ? [['general.quantization_version', gguf.u32(2)] as const] : []),
		[`${STARTER_METADATA_PREFIX}.preset`, gguf.str(preset)],
		[`${STARTER_METADATA_PREFIX}.steps`, gguf.u32(training.step)],
		[`${STARTER_METADATA_PREFIX}.tokens_seen`, gguf.u64(BigInt(training.tokens_seen))],
		[`${STARTER_METADATA_PREFIX}.train_seconds`, gguf.f32(training.train_seconds)],
		[`${STARTER_METADATA_PREFIX}.seed`, gguf.u32(training.seed)],
		...(eval_ ? [[`${STARTER_METADATA_PREFIX}.heldout_loss`, gguf.f32(eval_.heldout_loss)] as const] : []),
		...architectureMetadata(h, tokenizer.vocabSize),
		...tokenizer.entries,
	];

	const matrixType = ggmlType(options.quantization);
	const tensors: GgufTensorToWrite[] = raw.index.tensors.map((entry) => {
		// llama.cpp keeps 1-D tensors (the norm weights) in F32 in every file type.
		const type = entry.shape.length === 1 ? GgmlType.F32 : matrixType;
		return { name: entry.name, shape: entry.shape, type, data: () => [tensorBytes(raw, entry, type)] };
	});
	const { fileSize } = await writeGgufFile(filePath, metadata, tensors);
	const parameterCount = raw.index.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
	return { fileSize, parameterCount, fimTokenIds: tokenizer.fimTokenIds };
}
