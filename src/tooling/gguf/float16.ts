// IEEE half-precision conversion with the exact rounding ggml uses
// (ggml_compute_fp32_to_fp16 in ggml-impl.h: round to nearest, ties to even,
// NaN -> 0x7E00), so files written here match what llama.cpp's own tools emit
// bit for bit.

const scratch = new ArrayBuffer(4);
const scratchFloat = new Float32Array(scratch);
const scratchBits = new Uint32Array(scratch);

function floatFromBits(bits: number): number {
	scratchBits[0] = bits >>> 0;
	return scratchFloat[0]!;
}

function bitsFromFloat(value: number): number {
	scratchFloat[0] = value;
	return scratchBits[0]!;
}

const SCALE_TO_INF = 2 ** 112;
const SCALE_TO_ZERO = 2 ** -110;

/** f32 (the value is first rounded to f32, as a C float would be) to f16 bits. */
export function float32ToFloat16Bits(value: number): number {
	const f = Math.fround(value);
	// Multiplying into and back out of the f32 overflow range makes the FPU do
	// the mantissa rounding for us; every step must be an f32 operation.
	let base = Math.fround(Math.fround(Math.abs(f) * SCALE_TO_INF) * SCALE_TO_ZERO);

	const w = bitsFromFloat(f);
	const shl1W = (w * 2) >>> 0;
	const sign = w & 0x80000000;
	let bias = (shl1W & 0xff000000) >>> 0;
	if (bias < 0x71000000) {
		bias = 0x71000000;
	}

	base = Math.fround(floatFromBits((bias >>> 1) + 0x07800000) + base);
	const bits = bitsFromFloat(base);
	const expBits = (bits >>> 13) & 0x00007c00;
	const mantissaBits = bits & 0x00000fff;
	const nonSign = expBits + mantissaBits;
	return ((sign >>> 16) | (shl1W > 0xff000000 ? 0x7e00 : nonSign)) & 0xffff;
}

/** f16 bits to the exact value they represent. */
export function float16BitsToFloat32(bits: number): number {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >>> 10) & 0x1f;
	const mantissa = bits & 0x3ff;
	if (exponent === 0) {
		return sign * mantissa * 2 ** -24;
	}
	if (exponent === 0x1f) {
		return mantissa === 0 ? sign * Infinity : NaN;
	}
	return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
