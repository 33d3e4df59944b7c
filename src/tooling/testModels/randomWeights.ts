// Deterministic random tensor data, generated directly in its stored format.
// A 1.5B-parameter model needs ~1.6 GB of Q8_0 blocks; producing f32 values
// and quantizing them in JS would take minutes, so quants are written as raw
// random bytes (one xorshift step fills four) and f16 values come from a
// 65536-entry lookup table.

import { Q8_0_BLOCK_BYTES, Q8_0_BLOCK_SIZE } from '../gguf/quantize.js';
import { float32ToFloat16Bits } from '../gguf/float16.js';

/** Standard deviation of weight matrices: small, so logits stay finite and modest. */
export const WEIGHT_STD = 0.02;
/** Standard deviation of q/k/v biases. */
export const BIAS_STD = 0.05;

const CHUNK_BYTES = 8 << 20;

/** A non-zero 32-bit seed per tensor, so tensors are independent of each other's sizes and order. */
export function tensorSeed(baseSeed: number, tensorName: string): number {
	let hash = 0x811c9dc5 ^ baseSeed;
	for (let i = 0; i < tensorName.length; i++) {
		hash = Math.imul(hash ^ tensorName.charCodeAt(i), 0x01000193);
	}
	// splitmix32-style finalizer spreads similar names apart.
	hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
	hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
	hash ^= hash >>> 16;
	return hash === 0 ? 0x9e3779b9 | 0 : hash | 0;
}

/** Fills `words` from xorshift32 state `state`, each word OR-ed with `orMask`; returns the next state. */
function fillRandomWords(words: Int32Array, state: number, orMask: number): number {
	let x = state | 0;
	for (let i = 0; i < words.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		words[i] = x | orMask;
	}
	return x;
}

interface MatrixOptions {
	/** ne0: elements per row. */
	readonly rowLength: number;
	readonly rowCount: number;
	readonly seed: number;
	/** Sorted row indices written as exact zeros. */
	readonly zeroRows?: readonly number[];
}

function zeroRowsInChunk(
	bytes: Uint8Array,
	rowBytes: number,
	firstRow: number,
	rowCount: number,
	zeroRows: readonly number[],
	cursor: { next: number },
): void {
	while (cursor.next < zeroRows.length && zeroRows[cursor.next]! < firstRow + rowCount) {
		const local = zeroRows[cursor.next]! - firstRow;
		if (local >= 0) bytes.fill(0, local * rowBytes, (local + 1) * rowBytes);
		cursor.next++;
	}
}

// Quants are odd bytes (the random word is OR-ed with 0x01 per byte), which is
// uniform over ±1, ±3, ..., ±127: symmetric, never -128 (ggml's SIMD dot
// products assume |q| <= 127), standard deviation sqrt(5461) ≈ 73.9.
const ODD_QUANT_STD = Math.sqrt(5461);
const Q8_0_SCALE_BITS = float32ToFloat16Bits(WEIGHT_STD / ODD_QUANT_STD);

/** Q8_0 blocks with uniform random quants (std WEIGHT_STD), in chunks of whole rows. */
export function* randomQ8_0Matrix(options: MatrixOptions): Generator<Uint8Array> {
	const { rowLength, rowCount, zeroRows = [] } = options;
	if (rowLength % Q8_0_BLOCK_SIZE !== 0) {
		throw new RangeError(`Q8_0 rows must be a multiple of ${Q8_0_BLOCK_SIZE} long, got ${rowLength}`);
	}
	const blocksPerRow = rowLength / Q8_0_BLOCK_SIZE;
	const rowBytes = blocksPerRow * Q8_0_BLOCK_BYTES;
	const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
	let state = options.seed;
	const cursor = { next: 0 };
	for (let firstRow = 0; firstRow < rowCount; firstRow += rowsPerChunk) {
		const rows = Math.min(rowsPerChunk, rowCount - firstRow);
		const byteLength = rows * rowBytes;
		const buffer = new ArrayBuffer(Math.ceil(byteLength / 4) * 4);
		state = fillRandomWords(new Int32Array(buffer), state, 0x01010101);
		// Block starts are at even offsets (34 * i), so the scale is one aligned u16 store.
		const halves = new Uint16Array(buffer);
		const blocks = rows * blocksPerRow;
		const halvesPerBlock = Q8_0_BLOCK_BYTES / 2;
		for (let block = 0; block < blocks; block++) {
			halves[block * halvesPerBlock] = Q8_0_SCALE_BITS;
		}
		const bytes = new Uint8Array(buffer, 0, byteLength);
		zeroRowsInChunk(bytes, rowBytes, firstRow, rows, zeroRows, cursor);
		yield bytes;
	}
}

let f16Table: Uint16Array | undefined;

/** f16 bits of 65536 evenly spaced values spanning a uniform distribution with std WEIGHT_STD. */
function uniformF16Table(): Uint16Array {
	if (f16Table === undefined) {
		const halfWidth = WEIGHT_STD * Math.sqrt(3);
		f16Table = new Uint16Array(65536);
		for (let k = 0; k < 65536; k++) {
			f16Table[k] = float32ToFloat16Bits((((k + 0.5) / 65536) * 2 - 1) * halfWidth);
		}
	}
	return f16Table;
}

/** F16 values, uniform with std WEIGHT_STD, in chunks of whole rows. */
export function* randomF16Matrix(options: MatrixOptions): Generator<Uint8Array> {
	const { rowLength, rowCount, zeroRows = [] } = options;
	const table = uniformF16Table();
	const rowBytes = rowLength * 2;
	const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
	let state = options.seed;
	const cursor = { next: 0 };
	for (let firstRow = 0; firstRow < rowCount; firstRow += rowsPerChunk) {
		const rows = Math.min(rowsPerChunk, rowCount - firstRow);
		const count = rows * rowLength;
		const words = new Int32Array(Math.ceil(count / 2));
		state = fillRandomWords(words, state, 0);
		const values = new Uint16Array(count);
		for (let i = 0; i < count; i += 2) {
			const word = words[i >> 1]!;
			values[i] = table[word & 0xffff]!;
			if (i + 1 < count) values[i + 1] = table[word >>> 16]!;
		}
		const bytes = new Uint8Array(values.buffer);
		zeroRowsInChunk(bytes, rowBytes, firstRow, rows, zeroRows, cursor);
		yield bytes;
	}
}

/** F32 values uniform with the given standard deviation. */
export function randomF32Vector(length: number, seed: number, std: number): Float32Array {
	const words = new Int32Array(length);
	fillRandomWords(words, seed, 0);
	const halfWidth = std * Math.sqrt(3);
	const out = new Float32Array(length);
	for (let i = 0; i < length; i++) {
		out[i] = (((words[i]! >>> 0) / 4294967296) * 2 - 1) * halfWidth;
	}
	return out;
}
