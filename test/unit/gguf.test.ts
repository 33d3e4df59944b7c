import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { float16BitsToFloat32, float32ToFloat16Bits } from '../../src/tooling/gguf/float16.js';
import { GgufFormatError, type GgufFormatErrorReason } from '../../src/engine/gguf/ggufFormatError.js';
import { parseGguf, readGgufFile, readGgufTensorData } from '../../src/engine/gguf/ggufReader.js';
import { GgmlType, GgufValueType, ggmlTensorByteSize, type GgufValue } from '../../src/engine/gguf/ggufTypes.js';
import { gguf } from '../../src/engine/gguf/ggufValues.js';
import { encodeGgufHeader, writeGgufFile, type GgufTensorToWrite } from '../../src/tooling/gguf/ggufWriter.js';
import { dequantizeQ8_0, quantizeToF16, quantizeToQ8_0 } from '../../src/tooling/gguf/quantize.js';

/** Metadata with every value type, including arrays of each and an array of arrays. */
function everyValueType(): Array<[string, GgufValue]> {
	return [
		['t.u8', gguf.u8(255)],
		['t.i8', gguf.i8(-128)],
		['t.u16', gguf.u16(65535)],
		['t.i16', gguf.i16(-32768)],
		['t.u32', gguf.u32(4294967295)],
		['t.i32', gguf.i32(-2147483648)],
		['t.f32', gguf.f32(0.5)],
		['t.f64', gguf.f64(Math.PI)],
		['t.u64', gguf.u64(18446744073709551615n)],
		['t.i64', gguf.i64(-9223372036854775808n)],
		['t.bool.true', gguf.bool(true)],
		['t.bool.false', gguf.bool(false)],
		['t.string', gguf.str('héllo <｜fim▁begin｜> 🚀')],
		['t.string.empty', gguf.str('')],
		['t.array.strings', gguf.strings(['a', '', 'Ġhello', '<|endoftext|>', '日本語'])],
		['t.array.u8', gguf.array({ itemType: GgufValueType.UINT8, items: [0, 1, 255] })],
		['t.array.i8', gguf.array({ itemType: GgufValueType.INT8, items: [-128, 0, 127] })],
		['t.array.u16', gguf.array({ itemType: GgufValueType.UINT16, items: [0, 65535] })],
		['t.array.i16', gguf.array({ itemType: GgufValueType.INT16, items: [-32768, 32767] })],
		['t.array.u32', gguf.array({ itemType: GgufValueType.UINT32, items: [0, 4294967295] })],
		['t.array.i32', gguf.i32s([-1, 0, 1, 3])],
		['t.array.f32', gguf.f32s([0.25, -1.5, Math.fround(1e-3)])],
		['t.array.f64', gguf.array({ itemType: GgufValueType.FLOAT64, items: [Math.E, -0] })],
		['t.array.u64', gguf.array({ itemType: GgufValueType.UINT64, items: [0n, 18446744073709551615n] })],
		['t.array.i64', gguf.array({ itemType: GgufValueType.INT64, items: [-9223372036854775808n, 7n] })],
		['t.array.bool', gguf.array({ itemType: GgufValueType.BOOL, items: [true, false, true] })],
		['t.array.empty', gguf.strings([])],
		[
			't.array.nested',
			gguf.array({
				itemType: GgufValueType.ARRAY,
				items: [
					{ itemType: GgufValueType.STRING, items: ['x', 'y'] },
					{ itemType: GgufValueType.INT32, items: [7] },
				],
			}),
		],
	];
}

/** Plain JS form of a value, so typed arrays compare equal to the arrays written. */
function plain(value: unknown): unknown {
	if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>);
	if (Array.isArray(value)) return value.map(plain);
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
	}
	return value;
}

function f32Bytes(values: number[]): Uint8Array {
	return new Uint8Array(new Float32Array(values).buffer);
}

function patternBytes(length: number, salt: number): Uint8Array {
	return Uint8Array.from({ length }, (_, i) => (i * 31 + salt) & 0xff);
}

const sampleTensors: GgufTensorToWrite[] = [
	{ name: 'norm.weight', shape: [5], type: GgmlType.F32, data: f32Bytes([1, 2, 3, 4, 5]) },
	{
		name: 'matrix.f16',
		shape: [3, 2],
		type: GgmlType.F16,
		// Produced in uneven chunks to exercise streaming.
		data: function* () {
			const bytes = patternBytes(12, 1);
			yield bytes.subarray(0, 5);
			yield bytes.subarray(5);
		},
	},
	{ name: 'matrix.q8_0', shape: [64, 3], type: GgmlType.Q8_0, data: patternBytes(2 * 3 * 34, 2) },
	{
		name: 'cube.f32',
		shape: [2, 3, 4],
		type: GgmlType.F32,
		data: async function* () {
			yield patternBytes(96, 3);
		},
	},
];

describe('GGUF writer and reader', () => {
	let directory: string;

	before(() => {
		directory = mkdtempSync(path.join(os.tmpdir(), 'hearth-gguf-test-'));
	});

	after(() => {
		rmSync(directory, { recursive: true, force: true });
	});

	it('round-trips every metadata value type and the tensor infos', async () => {
		const file = path.join(directory, 'round-trip.gguf');
		const metadata = everyValueType();
		const { fileSize } = await writeGgufFile(file, metadata, sampleTensors);

		const info = readGgufFile(file);
		assert.equal(info.version, 3);
		assert.equal(info.fileSize, fileSize);
		assert.equal(info.alignment, 32);
		assert.deepEqual(
			[...info.metadata.keys()],
			metadata.map(([key]) => key),
		);
		for (const [key, value] of metadata) {
			assert.deepEqual(plain(info.metadata.get(key)), plain(value), key);
		}

		assert.deepEqual(
			info.tensors.map(({ name, shape, type }) => ({ name, shape, type })),
			sampleTensors.map(({ name, shape, type }) => ({ name, shape, type })),
		);
		assert.equal(info.dataOffset % 32, 0);
		let expectedOffset = 0;
		for (const tensor of info.tensors) {
			assert.equal(tensor.offset, expectedOffset, tensor.name);
			assert.equal(tensor.fileOffset, info.dataOffset + tensor.offset);
			assert.equal(tensor.byteSize, ggmlTensorByteSize(tensor.type, tensor.shape));
			expectedOffset += Math.ceil(tensor.byteSize / 32) * 32;
		}
		assert.deepEqual([...readGgufTensorData(file, info.tensors[0]!)], [...f32Bytes([1, 2, 3, 4, 5])]);
		assert.deepEqual([...readGgufTensorData(file, info.tensors[1]!)], [...patternBytes(12, 1)]);
		assert.deepEqual([...readGgufTensorData(file, info.tensors[2]!)], [...patternBytes(204, 2)]);
		assert.deepEqual([...readGgufTensorData(file, info.tensors[3]!)], [...patternBytes(96, 3)]);

		// parseGguf on the bytes agrees with the file reader.
		const parsed = parseGguf(readFileSync(file));
		assert.deepEqual(plain([...parsed.metadata]), plain([...info.metadata]));
		assert.deepEqual(parsed.tensors, info.tensors);
	});

	it('starts with the GGUF v3 header layout', () => {
		const header = encodeGgufHeader([['k', gguf.u8(7)]], [{ name: 't', shape: [4], type: GgmlType.F32 }]);
		const expected = Buffer.concat([
			Buffer.from('GGUF', 'latin1'),
			Buffer.from([3, 0, 0, 0]), // version
			Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), // tensor count
			Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), // metadata count
			Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), // key length
			Buffer.from('k'),
			Buffer.from([0, 0, 0, 0]), // UINT8
			Buffer.from([7]),
			Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), // name length
			Buffer.from('t'),
			Buffer.from([1, 0, 0, 0]), // dimensions
			Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), // ne0
			Buffer.from([0, 0, 0, 0]), // F32
			Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), // offset
		]);
		assert.deepEqual(header.bytes.subarray(0, expected.length), expected);
		assert.equal(header.bytes.length, 96, 'padded to the 32-byte alignment');
		assert.ok(header.bytes.subarray(expected.length).every((byte) => byte === 0));
	});

	it('round-trips a header larger than the encoder buffer (vocabulary-sized arrays)', () => {
		const tokens = Array.from({ length: 30000 }, (_, i) => `token-${i}-é`);
		const types = Int32Array.from({ length: 30000 }, (_, i) => i % 7);
		const scores = Float32Array.from({ length: 30000 }, (_, i) => -i / 4);
		const header = encodeGgufHeader(
			[
				['general.architecture', gguf.str('llama')],
				['tokenizer.ggml.tokens', gguf.strings(tokens)],
				['tokenizer.ggml.token_type', gguf.i32s(types)],
				['tokenizer.ggml.scores', gguf.f32s(scores)],
				['general.name', gguf.str('after the arrays')],
			],
			[],
		);
		const info = parseGguf(header.bytes);
		assert.deepEqual(
			plain(info.metadata.get('tokenizer.ggml.tokens')?.value),
			plain({ itemType: GgufValueType.STRING, items: tokens }),
		);
		assert.deepEqual(
			plain(info.metadata.get('tokenizer.ggml.token_type')?.value),
			plain({ itemType: GgufValueType.INT32, items: types }),
		);
		assert.deepEqual(
			plain(info.metadata.get('tokenizer.ggml.scores')?.value),
			plain({ itemType: GgufValueType.FLOAT32, items: scores }),
		);
		assert.equal(info.metadata.get('general.name')?.value, 'after the arrays');
	});

	it('honours a non-default alignment and writes general.alignment for it', async () => {
		const file = path.join(directory, 'aligned.gguf');
		await writeGgufFile(file, [['general.name', gguf.str('x')]], sampleTensors, { alignment: 64 });
		const info = readGgufFile(file);
		assert.equal(info.alignment, 64);
		assert.deepEqual(info.metadata.get('general.alignment'), gguf.u32(64));
		assert.equal(info.dataOffset % 64, 0);
		for (const tensor of info.tensors) assert.equal(tensor.offset % 64, 0);
		assert.deepEqual([...readGgufTensorData(file, info.tensors[3]!)], [...patternBytes(96, 3)]);
	});

	it('reads GGUF v2, which has the same layout', () => {
		const bytes = Buffer.from(encodeGgufHeader([['k', gguf.str('v')]], []).bytes);
		bytes.writeUInt32LE(2, 4);
		const info = parseGguf(bytes);
		assert.equal(info.version, 2);
		assert.equal(info.metadata.get('k')?.value, 'v');
	});

	it('refuses tensor data of the wrong size, duplicate names and impossible shapes', async () => {
		const file = path.join(directory, 'bad.gguf');
		await assert.rejects(
			writeGgufFile(file, [], [{ name: 'w', shape: [4], type: GgmlType.F32, data: new Uint8Array(12) }]),
			/needs 16 bytes, got 12/,
		);
		await assert.rejects(
			writeGgufFile(
				file,
				[],
				[
					{ name: 'w', shape: [4], type: GgmlType.F32, data: new Uint8Array(16) },
					{ name: 'w', shape: [4], type: GgmlType.F32, data: new Uint8Array(16) },
				],
			),
			/duplicate tensor name/,
		);
		await assert.rejects(
			writeGgufFile(file, [], [{ name: 'w', shape: [48, 2], type: GgmlType.Q8_0, data: new Uint8Array(0) }]),
			/multiple of 32/,
		);
	});
});

describe('GGUF reader errors', () => {
	let directory: string;
	let validFile: Buffer;

	before(async () => {
		directory = mkdtempSync(path.join(os.tmpdir(), 'hearth-gguf-errors-'));
		const file = path.join(directory, 'valid.gguf');
		await writeGgufFile(file, everyValueType(), sampleTensors);
		validFile = readFileSync(file);
	});

	after(() => {
		rmSync(directory, { recursive: true, force: true });
	});

	function readBytes(bytes: Uint8Array): () => unknown {
		const file = path.join(directory, 'candidate.gguf');
		writeFileSync(file, bytes);
		return () => readGgufFile(file);
	}

	function formatError(reason: GgufFormatErrorReason, message: RegExp): (error: unknown) => boolean {
		return (error) => {
			assert.ok(error instanceof GgufFormatError, `expected GgufFormatError, got ${String(error)}`);
			assert.equal(error.reason, reason);
			assert.match(error.message, message);
			return true;
		};
	}

	it('rejects a file that is not GGUF', () => {
		assert.throws(readBytes(Buffer.from('PK\x03\x04 this is a zip file')), formatError('bad-magic', /not a GGUF file/));
		assert.throws(readBytes(Buffer.from('ggufxxxxxxxxxxxxxxxxxxxxxxxx')), formatError('bad-magic', /676775/));
	});

	it('rejects an empty file', () => {
		assert.throws(readBytes(new Uint8Array(0)), formatError('truncated', /empty/));
		assert.throws(() => parseGguf(new Uint8Array(0)), formatError('truncated', /empty/));
	});

	it('rejects unsupported versions', () => {
		for (const version of [1, 4, 0x03000000]) {
			const bytes = Buffer.from(validFile);
			bytes.writeUInt32LE(version, 4);
			assert.throws(readBytes(bytes), formatError('unsupported-version', new RegExp(`version ${version}`)));
		}
	});

	it('rejects files cut short anywhere: magic, header, metadata, tensor infos or data', () => {
		const info = parseGguf(validFile);
		const lastTensor = info.tensors[info.tensors.length - 1]!;
		const cuts: Array<[number, RegExp]> = [
			[2, /only 2 bytes/],
			[6, /version/],
			[20, /metadata count/],
			[30, /key of metadata entry 0/],
			[40, /metadata "t\.u8"/],
			[200, /metadata|value type/],
			[info.dataOffset - 40, /tensor/],
			[info.dataOffset + 1, /tensor data needs/],
			[lastTensor.fileOffset + lastTensor.byteSize - 1, /tensor data needs/],
		];
		for (const [length, message] of cuts) {
			assert.throws(readBytes(validFile.subarray(0, length)), formatError('truncated', message), `cut at ${length}`);
		}
		// The complete file reads, and exactly-declared data (no trailing padding) is enough.
		assert.doesNotThrow(readBytes(validFile.subarray(0, lastTensor.fileOffset + lastTensor.byteSize)));
	});

	it('rejects a corrupt string length without allocating it', () => {
		const bytes = Buffer.from(validFile);
		bytes.writeBigUInt64LE(1n << 40n, 24); // length of the first key
		assert.throws(readBytes(bytes), formatError('truncated', /length|key/));
	});

	it('rejects unknown tensor types', () => {
		const header = Buffer.from(encodeGgufHeader([], [{ name: 't', shape: [4], type: GgmlType.F32 }]).bytes);
		// name length (8) + name (1) + dims (4) + ne0 (8) after the 24-byte preamble.
		header.writeUInt32LE(99, 24 + 8 + 1 + 4 + 8);
		assert.throws(() => parseGguf(Buffer.concat([header, Buffer.alloc(16)])), formatError('corrupt', /unknown ggml type 99/));
	});
});

describe('F16 conversion', () => {
	it('matches hand-computed half-precision bits', () => {
		const cases: Array<[number, number]> = [
			[0, 0x0000],
			[-0, 0x8000],
			[1, 0x3c00],
			[-2, 0xc000],
			[0.5, 0x3800],
			[0.1, 0x2e66],
			[1 / 3, 0x3555],
			[65504, 0x7bff], // largest finite half
			[65520, 0x7c00], // rounds up to infinity
			[Infinity, 0x7c00],
			[-Infinity, 0xfc00],
			[NaN, 0x7e00],
			[2 ** -24, 0x0001], // smallest subnormal
			[2 ** -26, 0x0000], // below half the smallest subnormal: zero
			[1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01: to even
			[1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: to even
			[2049, 0x6800], // tie between 2048 and 2050: to even (2048)
			[2051, 0x6802], // tie between 2050 and 2052: to even (2052)
		];
		for (const [value, bits] of cases) {
			assert.equal(float32ToFloat16Bits(value), bits, `f16(${value})`);
		}
		const bytes = quantizeToF16([1, -2]);
		assert.deepEqual([...bytes], [0x00, 0x3c, 0x00, 0xc0], 'little-endian');
	});

	it('decodes half-precision bits exactly', () => {
		assert.equal(float16BitsToFloat32(0x3c00), 1);
		assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
		assert.equal(float16BitsToFloat32(0x7bff), 65504);
		assert.equal(float16BitsToFloat32(0xfc00), -Infinity);
		assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
	});
});

describe('Q8_0 quantisation', () => {
	function block(values: number[]): { scaleBits: number; quants: number[] } {
		const bytes = quantizeToQ8_0(values);
		assert.equal(bytes.length, 34);
		const view = new DataView(bytes.buffer);
		return { scaleBits: view.getUint16(0, true), quants: Array.from(new Int8Array(bytes.buffer, 2, 32)) };
	}

	it('encodes a block of zeros as a zero scale and zero quants', () => {
		assert.deepEqual(block(new Array(32).fill(0)), { scaleBits: 0, quants: new Array(32).fill(0) });
	});

	it('scales by max|x| / 127 and rounds halves away from zero, like roundf', () => {
		// max|x| = 127, so d = 1 exactly and each quant is round(x).
		const values = [127, 2.5, -2.5, 0.5, -0.5, 1.49, -1.51, -126.6, 3.5, -3.5, ...new Array(22).fill(0)];
		const { scaleBits, quants } = block(values);
		assert.equal(scaleBits, 0x3c00);
		assert.deepEqual(quants.slice(0, 10), [127, 3, -3, 1, -1, 1, -2, -127, 4, -4]);
		assert.ok(quants.slice(10).every((q) => q === 0));
	});

	it('stores d as f16 but quantises with the unrounded f32 d, as ggml does', () => {
		// max|x| = 1: d = 1/127 ≈ 0.0078740157, f16 0x2008 (≈ 0.0078125).
		const values = [1, -1, 0.5, 0.25, -0.125, 0.003937, 0.0039371, ...new Array(25).fill(0)];
		const { scaleBits, quants } = block(values);
		assert.equal(scaleBits, 0x2008);
		// 0.5 * 127 = 63.5 -> 64; 0.25 * 127 = 31.75 -> 32; 0.003937 * 127 = 0.49999 -> 0; 0.0039371 * 127 = 0.500012 -> 1.
		assert.deepEqual(quants.slice(0, 7), [127, -127, 64, 32, -16, 0, 1]);
	});

	it('lays out consecutive 34-byte blocks and decodes back close to the input', () => {
		const values = Array.from({ length: 96 }, (_, i) => Math.sin(i) * (i < 32 ? 1 : i < 64 ? 0.01 : 100));
		const bytes = quantizeToQ8_0(values);
		assert.equal(bytes.length, 3 * 34);
		const decoded = dequantizeQ8_0(bytes);
		values.forEach((value, i) => {
			const scale = i < 32 ? 1 : i < 64 ? 0.01 : 100;
			assert.ok(Math.abs(decoded[i]! - value) <= (scale / 127) * 0.51 + scale * 1e-3, `value ${i}`);
		});
		assert.throws(() => quantizeToQ8_0(new Array(31).fill(0)), /multiple of 32/);
	});
});
