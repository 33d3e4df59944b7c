// Short constructors for typed metadata values, so call sites read like the
// key/value listing llama.cpp prints instead of nested object literals.

import { GgufValueType, isNumberItemType, type GgufArray, type GgufValue } from './ggufTypes.js';

export const gguf = {
	u8: (value: number): GgufValue => ({ type: GgufValueType.UINT8, value }),
	i8: (value: number): GgufValue => ({ type: GgufValueType.INT8, value }),
	u16: (value: number): GgufValue => ({ type: GgufValueType.UINT16, value }),
	i16: (value: number): GgufValue => ({ type: GgufValueType.INT16, value }),
	u32: (value: number): GgufValue => ({ type: GgufValueType.UINT32, value }),
	i32: (value: number): GgufValue => ({ type: GgufValueType.INT32, value }),
	f32: (value: number): GgufValue => ({ type: GgufValueType.FLOAT32, value }),
	f64: (value: number): GgufValue => ({ type: GgufValueType.FLOAT64, value }),
	u64: (value: bigint): GgufValue => ({ type: GgufValueType.UINT64, value }),
	i64: (value: bigint): GgufValue => ({ type: GgufValueType.INT64, value }),
	bool: (value: boolean): GgufValue => ({ type: GgufValueType.BOOL, value }),
	str: (value: string): GgufValue => ({ type: GgufValueType.STRING, value }),
	array: (value: GgufArray): GgufValue => ({ type: GgufValueType.ARRAY, value }),
	strings: (items: ArrayLike<string>): GgufValue => ({
		type: GgufValueType.ARRAY,
		value: { itemType: GgufValueType.STRING, items },
	}),
	f32s: (items: ArrayLike<number>): GgufValue => ({
		type: GgufValueType.ARRAY,
		value: { itemType: GgufValueType.FLOAT32, items },
	}),
	i32s: (items: ArrayLike<number>): GgufValue => ({
		type: GgufValueType.ARRAY,
		value: { itemType: GgufValueType.INT32, items },
	}),
};

/** The value as a plain number, or undefined when it is not numeric. */
export function ggufNumber(value: GgufValue | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value.value === 'number') return value.value;
	if (typeof value.value === 'bigint') return Number(value.value);
	return undefined;
}

export function ggufString(value: GgufValue | undefined): string | undefined {
	return value?.type === GgufValueType.STRING ? value.value : undefined;
}

export function ggufStringArray(value: GgufValue | undefined): ArrayLike<string> | undefined {
	return value?.type === GgufValueType.ARRAY && value.value.itemType === GgufValueType.STRING ? value.value.items : undefined;
}

export function ggufNumberArray(value: GgufValue | undefined): ArrayLike<number> | undefined {
	if (value?.type !== GgufValueType.ARRAY) return undefined;
	const array = value.value;
	return isNumberItemType(array.itemType) ? (array.items as ArrayLike<number>) : undefined;
}
