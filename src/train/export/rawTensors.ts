// Reads the plain weight container models/recipe/export_tensors.py writes from a training
// checkpoint: tensors.json (hyperparameters, training summary, and per tensor its GGUF name, GGUF
// shape, dtype and byte offset) and tensors.bin.NNN (the bytes, back to back, cut into parts so
// each can travel through a size-limited transfer; tensors.json lists each part's size and sha256,
// checked here, so a part damaged or swapped on the way is named rather than silently joined).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const RAW_TENSORS_FORMAT = 'hearth-raw-tensors/1';
export const RAW_TENSORS_INDEX = 'tensors.json';

export type RawTensorDtype = 'f32' | 'f16' | 'q8_0';

export interface StarterHyperparameters {
	readonly vocab_size: number;
	readonly dim: number;
	readonly layers: number;
	readonly heads: number;
	readonly kv_heads: number;
	readonly ffn: number;
	readonly context: number;
	readonly rope_base: number;
	readonly rms_eps: number;
}

export interface TrainingSummary {
	readonly step: number;
	readonly max_steps: number;
	readonly tokens_seen: number;
	readonly train_seconds: number;
	readonly seed: number;
	readonly fim: { readonly rate: number; readonly spm_rate: number; readonly line_rate: number };
	readonly last_eval: { readonly step: number; readonly heldout_loss: number; readonly heldout_middle_loss: number | null } | null;
}

export interface RawTensorEntry {
	readonly name: string;
	/** GGUF order: the contiguous dimension first ([in, out] for a weight matrix). */
	readonly shape: readonly number[];
	readonly dtype: RawTensorDtype;
	readonly offset: number;
	readonly bytes: number;
}

export interface RawTensorIndex {
	readonly format: string;
	readonly preset: string;
	readonly hyperparameters: StarterHyperparameters;
	readonly training: TrainingSummary;
	readonly parts: readonly string[];
	/** Each part's size and sha256 (export_tensors.py writes them; older containers lack them). */
	readonly part_bytes?: readonly number[];
	readonly part_sha256?: readonly string[];
	readonly total_bytes: number;
	readonly tensors: readonly RawTensorEntry[];
}

export interface RawTensors {
	readonly index: RawTensorIndex;
	/** The bytes of one tensor, exactly as stored. */
	bytesOf(entry: RawTensorEntry): Uint8Array;
	/** Float values of an f32 tensor. */
	floatsOf(entry: RawTensorEntry): Float32Array;
}

/** The names and shapes llama.cpp's llama architecture expects with tied embeddings (no output.weight). */
export function expectedStarterTensors(h: StarterHyperparameters): Array<{ name: string; shape: number[] }> {
	const kv = (h.dim / h.heads) * h.kv_heads;
	const tensors = [{ name: 'token_embd.weight', shape: [h.dim, h.vocab_size] }];
	for (let block = 0; block < h.layers; block++) {
		const p = `blk.${block}`;
		tensors.push(
			{ name: `${p}.attn_norm.weight`, shape: [h.dim] },
			{ name: `${p}.attn_q.weight`, shape: [h.dim, h.dim] },
			{ name: `${p}.attn_k.weight`, shape: [h.dim, kv] },
			{ name: `${p}.attn_v.weight`, shape: [h.dim, kv] },
			{ name: `${p}.attn_output.weight`, shape: [h.dim, h.dim] },
			{ name: `${p}.ffn_norm.weight`, shape: [h.dim] },
			{ name: `${p}.ffn_gate.weight`, shape: [h.dim, h.ffn] },
			{ name: `${p}.ffn_up.weight`, shape: [h.dim, h.ffn] },
			{ name: `${p}.ffn_down.weight`, shape: [h.ffn, h.dim] },
		);
	}
	tensors.push({ name: 'output_norm.weight', shape: [h.dim] });
	return tensors;
}

/** Checks each part against the size and sha256 tensors.json lists, naming the part that differs. */
function verifyParts(directory: string, index: RawTensorIndex, parts: readonly Buffer[]): void {
	parts.forEach((bytes, i) => {
		const name = index.parts[i]!;
		const size = index.part_bytes?.[i];
		if (size !== undefined && bytes.length !== size) {
			throw new Error(`${directory}/${name}: ${bytes.length} bytes, tensors.json says ${size} (truncated or not the part it names)`);
		}
		const expected = index.part_sha256?.[i];
		if (expected !== undefined) {
			const actual = createHash('sha256').update(bytes).digest('hex');
			if (actual !== expected)
				throw new Error(`${directory}/${name}: sha256 ${actual}, tensors.json says ${expected} (damaged in transfer?)`);
		}
	});
}

export async function readRawTensors(directory: string): Promise<RawTensors> {
	const index = JSON.parse(await readFile(path.join(directory, RAW_TENSORS_INDEX), 'utf8')) as RawTensorIndex;
	if (index.format !== RAW_TENSORS_FORMAT) {
		throw new Error(`${directory}/${RAW_TENSORS_INDEX}: format ${JSON.stringify(index.format)}, expected ${RAW_TENSORS_FORMAT}`);
	}
	const partBytes = await Promise.all(index.parts.map((part) => readFile(path.join(directory, part))));
	verifyParts(directory, index, partBytes);
	const blob = Buffer.concat(partBytes);
	if (blob.length !== index.total_bytes) {
		throw new Error(
			`${directory}: the parts hold ${blob.length} bytes, tensors.json says ${index.total_bytes} (a part is missing or truncated)`,
		);
	}

	const expected = expectedStarterTensors(index.hyperparameters);
	const names = index.tensors.map((t) => t.name);
	if (JSON.stringify(names) !== JSON.stringify(expected.map((t) => t.name))) {
		throw new Error(`${directory}: tensors ${names.join(', ')} are not the llama layout for these hyperparameters`);
	}
	index.tensors.forEach((tensor, i) => {
		if (JSON.stringify(tensor.shape) !== JSON.stringify(expected[i]!.shape)) {
			throw new Error(`${tensor.name}: shape ${tensor.shape.join('x')}, expected ${expected[i]!.shape.join('x')}`);
		}
		if (tensor.offset + tensor.bytes > blob.length) throw new Error(`${tensor.name} lies past the end of the data`);
	});

	const bytesOf = (entry: RawTensorEntry): Uint8Array => new Uint8Array(blob.buffer, blob.byteOffset + entry.offset, entry.bytes);
	return {
		index,
		bytesOf,
		floatsOf(entry) {
			if (entry.dtype !== 'f32') throw new Error(`${entry.name} is stored as ${entry.dtype}, not f32`);
			// Copy: the offset inside the concatenated buffer need not be 4-byte aligned.
			const bytes = bytesOf(entry);
			const out = new Float32Array(bytes.length / 4);
			new Uint8Array(out.buffer).set(bytes);
			return out;
		},
	};
}
