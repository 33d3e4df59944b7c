// Value and tensor types of the GGUF container format (v2/v3) and the ggml
// tensor types it stores. Numbers are the on-disk codes, so they must never be
// renumbered: see ggml/include/ggml.h and ggml/include/gguf.h in llama.cpp.

export const GGUF_MAGIC = 'GGUF';
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** The version this project writes. The reader also accepts 2 (same layout). */
export const GGUF_WRITE_VERSION = 3;
export const GGUF_SUPPORTED_READ_VERSIONS: readonly number[] = [2, 3];

export enum GgufValueType {
	UINT8 = 0,
	INT8 = 1,
	UINT16 = 2,
	INT16 = 3,
	UINT32 = 4,
	INT32 = 5,
	FLOAT32 = 6,
	BOOL = 7,
	STRING = 8,
	ARRAY = 9,
	UINT64 = 10,
	INT64 = 11,
	FLOAT64 = 12,
}

export type GgufNumberType =
	| GgufValueType.UINT8
	| GgufValueType.INT8
	| GgufValueType.UINT16
	| GgufValueType.INT16
	| GgufValueType.UINT32
	| GgufValueType.INT32
	| GgufValueType.FLOAT32
	| GgufValueType.FLOAT64;

export type GgufBigIntType = GgufValueType.UINT64 | GgufValueType.INT64;

/**
 * Array payloads. Numeric arrays are typed arrays when read (token scores and
 * types of a 150k vocabulary would be slow and large as JS arrays), but any
 * ArrayLike is accepted when writing.
 */
export type GgufArray =
	| { readonly itemType: GgufNumberType; readonly items: ArrayLike<number> }
	| { readonly itemType: GgufBigIntType; readonly items: ArrayLike<bigint> }
	| { readonly itemType: GgufValueType.BOOL; readonly items: ArrayLike<boolean> }
	| { readonly itemType: GgufValueType.STRING; readonly items: ArrayLike<string> }
	| { readonly itemType: GgufValueType.ARRAY; readonly items: ArrayLike<GgufArray> };

/** A metadata value together with its exact GGUF type, so files round-trip losslessly. */
export type GgufValue =
	| { readonly type: GgufNumberType; readonly value: number }
	| { readonly type: GgufBigIntType; readonly value: bigint }
	| { readonly type: GgufValueType.BOOL; readonly value: boolean }
	| { readonly type: GgufValueType.STRING; readonly value: string }
	| { readonly type: GgufValueType.ARRAY; readonly value: GgufArray };

export type GgufMetadata = Map<string, GgufValue>;

/** Byte size of each fixed-size value type; strings and arrays are variable. */
export const GGUF_SCALAR_SIZE: Readonly<Partial<Record<GgufValueType, number>>> = {
	[GgufValueType.UINT8]: 1,
	[GgufValueType.INT8]: 1,
	[GgufValueType.UINT16]: 2,
	[GgufValueType.INT16]: 2,
	[GgufValueType.UINT32]: 4,
	[GgufValueType.INT32]: 4,
	[GgufValueType.FLOAT32]: 4,
	[GgufValueType.BOOL]: 1,
	[GgufValueType.UINT64]: 8,
	[GgufValueType.INT64]: 8,
	[GgufValueType.FLOAT64]: 8,
};

export enum GgmlType {
	F32 = 0,
	F16 = 1,
	Q4_0 = 2,
	Q4_1 = 3,
	// 4 and 5 (Q4_2, Q4_3) were removed from ggml.
	Q5_0 = 6,
	Q5_1 = 7,
	Q8_0 = 8,
	Q8_1 = 9,
	Q2_K = 10,
	Q3_K = 11,
	Q4_K = 12,
	Q5_K = 13,
	Q6_K = 14,
	Q8_K = 15,
	IQ2_XXS = 16,
	IQ2_XS = 17,
	IQ3_XXS = 18,
	IQ1_S = 19,
	IQ4_NL = 20,
	IQ3_S = 21,
	IQ2_S = 22,
	IQ4_XS = 23,
	I8 = 24,
	I16 = 25,
	I32 = 26,
	I64 = 27,
	F64 = 28,
	IQ1_M = 29,
	BF16 = 30,
	// 31-33 and 36-38 were repacked Q4_0/IQ4_NL layouts, removed from GGUF files.
	TQ1_0 = 34,
	TQ2_0 = 35,
	MXFP4 = 39,
	NVFP4 = 40,
	Q1_0 = 41,
	Q2_0 = 42,
}

export interface GgmlTypeTraits {
	/** Elements per block; ne0 of a tensor must be a multiple of it. */
	readonly blockSize: number;
	/** Bytes per block. */
	readonly typeSize: number;
}

// Copied from the static_asserts in ggml/src/ggml-common.h. The reader needs
// these to know how many data bytes each tensor declares, which is how a file
// cut short inside the tensor data is detected.
const QK_K = 256;
export const GGML_TYPE_TRAITS: Readonly<Record<GgmlType, GgmlTypeTraits>> = {
	[GgmlType.F32]: { blockSize: 1, typeSize: 4 },
	[GgmlType.F16]: { blockSize: 1, typeSize: 2 },
	[GgmlType.Q4_0]: { blockSize: 32, typeSize: 18 },
	[GgmlType.Q4_1]: { blockSize: 32, typeSize: 20 },
	[GgmlType.Q5_0]: { blockSize: 32, typeSize: 22 },
	[GgmlType.Q5_1]: { blockSize: 32, typeSize: 24 },
	[GgmlType.Q8_0]: { blockSize: 32, typeSize: 34 },
	[GgmlType.Q8_1]: { blockSize: 32, typeSize: 36 },
	[GgmlType.Q2_K]: { blockSize: QK_K, typeSize: 84 },
	[GgmlType.Q3_K]: { blockSize: QK_K, typeSize: 110 },
	[GgmlType.Q4_K]: { blockSize: QK_K, typeSize: 144 },
	[GgmlType.Q5_K]: { blockSize: QK_K, typeSize: 176 },
	[GgmlType.Q6_K]: { blockSize: QK_K, typeSize: 210 },
	[GgmlType.Q8_K]: { blockSize: QK_K, typeSize: 292 },
	[GgmlType.IQ2_XXS]: { blockSize: QK_K, typeSize: 66 },
	[GgmlType.IQ2_XS]: { blockSize: QK_K, typeSize: 74 },
	[GgmlType.IQ3_XXS]: { blockSize: QK_K, typeSize: 98 },
	[GgmlType.IQ1_S]: { blockSize: QK_K, typeSize: 50 },
	[GgmlType.IQ4_NL]: { blockSize: 32, typeSize: 18 },
	[GgmlType.IQ3_S]: { blockSize: QK_K, typeSize: 110 },
	[GgmlType.IQ2_S]: { blockSize: QK_K, typeSize: 82 },
	[GgmlType.IQ4_XS]: { blockSize: QK_K, typeSize: 136 },
	[GgmlType.I8]: { blockSize: 1, typeSize: 1 },
	[GgmlType.I16]: { blockSize: 1, typeSize: 2 },
	[GgmlType.I32]: { blockSize: 1, typeSize: 4 },
	[GgmlType.I64]: { blockSize: 1, typeSize: 8 },
	[GgmlType.F64]: { blockSize: 1, typeSize: 8 },
	[GgmlType.IQ1_M]: { blockSize: QK_K, typeSize: 56 },
	[GgmlType.BF16]: { blockSize: 1, typeSize: 2 },
	[GgmlType.TQ1_0]: { blockSize: QK_K, typeSize: 54 },
	[GgmlType.TQ2_0]: { blockSize: QK_K, typeSize: 66 },
	[GgmlType.MXFP4]: { blockSize: 32, typeSize: 17 },
	[GgmlType.NVFP4]: { blockSize: 64, typeSize: 36 },
	[GgmlType.Q1_0]: { blockSize: 128, typeSize: 18 },
	[GgmlType.Q2_0]: { blockSize: 64, typeSize: 18 },
};

/** Array item types stored as plain numbers (64-bit integers come back as bigint instead). */
export function isNumberItemType(type: GgufValueType): boolean {
	switch (type) {
		case GgufValueType.UINT8:
		case GgufValueType.INT8:
		case GgufValueType.UINT16:
		case GgufValueType.INT16:
		case GgufValueType.UINT32:
		case GgufValueType.INT32:
		case GgufValueType.FLOAT32:
		case GgufValueType.FLOAT64:
			return true;
		default:
			return false;
	}
}

export function isKnownGgmlType(type: number): type is GgmlType {
	return Object.prototype.hasOwnProperty.call(GGML_TYPE_TRAITS, type);
}

/**
 * Bytes a tensor of this type and shape (ne0 first) occupies. Throws when ne0
 * is not a whole number of blocks, because ggml cannot represent such a tensor.
 */
export function ggmlTensorByteSize(type: GgmlType, shape: readonly number[]): number {
	const traits = GGML_TYPE_TRAITS[type];
	if (traits === undefined) {
		throw new RangeError(`unknown ggml type ${type}`);
	}
	const ne0 = shape.length === 0 ? 1 : shape[0]!;
	if (ne0 % traits.blockSize !== 0) {
		throw new RangeError(`ggml type ${GgmlType[type]} needs the first dimension to be a multiple of ${traits.blockSize}, got ${ne0}`);
	}
	let rows = 1;
	for (let i = 1; i < shape.length; i++) {
		rows *= shape[i]!;
	}
	return (ne0 / traits.blockSize) * traits.typeSize * rows;
}

/** `general.file_type` codes (llama_ftype) for the types this project writes. */
export enum LlamaFileType {
	ALL_F32 = 0,
	MOSTLY_F16 = 1,
	MOSTLY_Q8_0 = 7,
}

export function alignOffset(offset: number, alignment: number): number {
	const remainder = offset % alignment;
	return remainder === 0 ? offset : offset + alignment - remainder;
}
