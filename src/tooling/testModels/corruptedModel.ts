// Writes a copy of a GGUF model whose header is intact but whose weights are
// broken: what a damaged download, a bad disk or a broken conversion leaves.
// llama.cpp loads such a file without complaint; only computing with it shows
// the damage. For tests of the check that refuses such models.

import { readGgufFile, readGgufTensorData, type GgufTensorInfo } from '../../engine/gguf/ggufReader.js';
import { GgmlType } from '../../engine/gguf/ggufTypes.js';
import { writeGgufFile, type GgufTensorToWrite } from '../gguf/ggufWriter.js';

/**
 * - `nan`: the final norm's weights are NaN, so every logit is NaN.
 * - `infinity`: the final norm's weights are +Infinity, so the logits are infinite or NaN.
 * - `garbage`: every weight matrix in the layers is overwritten with random bytes (any bit
 *   pattern: huge values, f16 scales that are NaN or infinite), the way a corrupted copy looks.
 */
export type WeightCorruption = 'nan' | 'infinity' | 'garbage';
export const weightCorruptions: readonly WeightCorruption[] = ['nan', 'infinity', 'garbage'];

/** The F32 weights of the norm before the output projection, in every llama.cpp architecture. */
const OUTPUT_NORM = 'output_norm.weight';
const GARBAGE_SEED = 0x6a7b;

/**
 * Copies the model at `sourcePath` to `targetPath` with the same metadata and tensor layout
 * (written with the project's GGUF writer), its weights broken as `corruption` says. Returns the
 * names of the tensors it broke. Reads one tensor at a time, so any model size works.
 */
export async function writeCorruptedModel(
	sourcePath: string,
	targetPath: string,
	corruption: WeightCorruption,
): Promise<{ corruptedTensors: string[] }> {
	const source = readGgufFile(sourcePath);
	const corruptedTensors: string[] = [];
	let seed = GARBAGE_SEED;
	const tensors: GgufTensorToWrite[] = source.tensors.map((tensor) => {
		const broken = brokenData(tensor, corruption, seed++);
		if (broken) {
			corruptedTensors.push(tensor.name);
		}
		return {
			name: tensor.name,
			shape: tensor.shape,
			type: tensor.type,
			data: broken ?? (() => [readGgufTensorData(sourcePath, tensor)]),
		};
	});
	if (corruptedTensors.length === 0) {
		throw new Error(
			`${sourcePath} has no tensor that ${corruption} corruption applies to (it needs ${corruption === 'garbage' ? 'blk.* weight matrices' : `an F32 ${OUTPUT_NORM}`})`,
		);
	}
	await writeGgufFile(targetPath, source.metadata, tensors, { alignment: source.alignment });
	return { corruptedTensors };
}

function brokenData(tensor: GgufTensorInfo, corruption: WeightCorruption, seed: number): (() => Uint8Array[]) | undefined {
	if (corruption === 'garbage') {
		const isLayerMatrix = tensor.name.startsWith('blk.') && tensor.shape.length >= 2;
		return isLayerMatrix ? () => [randomBytes(tensor.byteSize, seed)] : undefined;
	}
	if (tensor.name !== OUTPUT_NORM || tensor.type !== GgmlType.F32) {
		return undefined;
	}
	const value = corruption === 'nan' ? Number.NaN : Number.POSITIVE_INFINITY;
	return () => [new Uint8Array(new Float32Array(tensor.byteSize / 4).fill(value).buffer)];
}

/** Deterministic (xorshift32), so a test that uses it fails or passes the same way every run. */
function randomBytes(length: number, seed: number): Uint8Array {
	const words = new Uint32Array(Math.ceil(length / 4));
	let x = seed | 0 || 1;
	for (let i = 0; i < words.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		words[i] = x >>> 0;
	}
	return new Uint8Array(words.buffer, 0, length);
}
