// F32 -> F16 and F32 -> Q8_0 conversion, reproducing ggml's reference
// quantizer (quantize_row_q8_0_ref in ggml-quants.c) step for step in f32
// arithmetic, so a tensor quantized here is byte-identical to one quantized by
// llama-quantize.

import { float16BitsToFloat32, float32ToFloat16Bits } from './float16.js';

export const Q8_0_BLOCK_SIZE = 32;
/** One f16 scale followed by 32 int8 quants. */
export const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_SIZE;

/** Little-endian f16 bytes of each value. */
export function quantizeToF16(values: ArrayLike<number>): Uint8Array {
	const out = new Uint8Array(values.length * 2);
	const view = new DataView(out.buffer);
	for (let i = 0; i < values.length; i++) {
		view.setUint16(i * 2, float32ToFloat16Bits(values[i]!), true);
	}
	return out;
}

// C's roundf: halfway cases go away from zero (Math.round would send -2.5 to -2).
function roundHalfAwayFromZero(value: number): number {
	return value < 0 ? -Math.floor(-value + 0.5) : Math.floor(value + 0.5);
}

/**
 * Q8_0 blocks of `values` (length must be a multiple of 32): per block,
 * d = max|x| / 127 stored as f16, then each quant is roundf(x * (1/d)) using
 * the unrounded f32 d, exactly as ggml does.
 */
export function quantizeToQ8_0(values: ArrayLike<number>): Uint8Array {
	if (values.length % Q8_0_BLOCK_SIZE !== 0) {
		throw new RangeError(`Q8_0 needs a multiple of ${Q8_0_BLOCK_SIZE} values, got ${values.length}`);
	}
	const blocks = values.length / Q8_0_BLOCK_SIZE;
	const out = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
	const view = new DataView(out.buffer);
	const quants = new Int8Array(out.buffer);
	for (let block = 0; block < blocks; block++) {
		const start = block * Q8_0_BLOCK_SIZE;
		let absMax = 0;
		for (let j = 0; j < Q8_0_BLOCK_SIZE; j++) {
			absMax = Math.max(absMax, Math.abs(Math.fround(values[start + j]!)));
		}
		const d = Math.fround(absMax / 127);
		const inverseD = d !== 0 ? Math.fround(1 / d) : 0;
		const blockOffset = block * Q8_0_BLOCK_BYTES;
		view.setUint16(blockOffset, float32ToFloat16Bits(d), true);
		for (let j = 0; j < Q8_0_BLOCK_SIZE; j++) {
			const scaled = Math.fround(Math.fround(values[start + j]!) * inverseD);
			quants[blockOffset + 2 + j] = roundHalfAwayFromZero(scaled);
		}
	}
	return out;
}

/** Values a Q8_0 buffer decodes to (d * q), for checks and debugging. */
export function dequantizeQ8_0(bytes: Uint8Array): Float32Array {
	if (bytes.length % Q8_0_BLOCK_BYTES !== 0) {
		throw new RangeError(`Q8_0 data must be whole ${Q8_0_BLOCK_BYTES}-byte blocks, got ${bytes.length} bytes`);
	}
	const blocks = bytes.length / Q8_0_BLOCK_BYTES;
	const out = new Float32Array(blocks * Q8_0_BLOCK_SIZE);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (let block = 0; block < blocks; block++) {
		const blockOffset = block * Q8_0_BLOCK_BYTES;
		const d = float16BitsToFloat32(view.getUint16(blockOffset, true));
		for (let j = 0; j < Q8_0_BLOCK_SIZE; j++) {
			out[block * Q8_0_BLOCK_SIZE + j] = d * view.getInt8(blockOffset + 2 + j);
		}
	}
	return out;
}

/** Values little-endian f16 bytes decode to. */
export function dequantizeF16(bytes: Uint8Array): Float32Array {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const out = new Float32Array(bytes.length / 2);
	for (let i = 0; i < out.length; i++) {
		out[i] = float16BitsToFloat32(view.getUint16(i * 2, true));
	}
	return out;
}
