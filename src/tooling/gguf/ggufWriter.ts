// Streaming GGUF v3 writer. The header (metadata + tensor infos) is encoded in
// memory, but tensor data is pulled from each tensor's producer one chunk at a
// time and written straight to disk, so a multi-gigabyte model never has to
// exist in memory as a whole.

import { open, type FileHandle } from 'node:fs/promises';

import {
	GGUF_DEFAULT_ALIGNMENT,
	GGUF_MAGIC,
	GGUF_WRITE_VERSION,
	GgmlType,
	GgufValueType,
	alignOffset,
	ggmlTensorByteSize,
	type GgufArray,
	type GgufValue,
} from '../../engine/gguf/ggufTypes.js';

export type TensorDataProducer = () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface GgufTensorDeclaration {
	readonly name: string;
	/** ggml order: ne0 (the contiguous dimension) first. */
	readonly shape: readonly number[];
	readonly type: GgmlType;
}

export interface GgufTensorToWrite extends GgufTensorDeclaration {
	/**
	 * The tensor's bytes, or a producer of them in order. A producer is only
	 * called when the tensor's turn comes, so its chunks can be generated lazily.
	 */
	readonly data: ArrayBufferView | TensorDataProducer;
}

export interface GgufWriteOptions {
	/** Data alignment; written as `general.alignment` when not the default 32. */
	readonly alignment?: number;
}

export interface EncodedGgufHeader {
	/** Magic, version, counts, metadata and tensor infos, padded to the data section. */
	readonly bytes: Buffer;
	readonly alignment: number;
	/** Offset of each tensor's data relative to the data section, in declaration order. */
	readonly tensorOffsets: readonly number[];
	readonly tensorByteSizes: readonly number[];
}

/** Append-only little-endian byte builder for the header. */
class ByteBuilder {
	private chunks: Buffer[] = [];
	private current = Buffer.allocUnsafe(1 << 16);
	private used = 0;
	length = 0;

	private ensure(bytes: number): void {
		if (this.used + bytes <= this.current.length) return;
		this.chunks.push(this.current.subarray(0, this.used));
		this.current = Buffer.allocUnsafe(Math.max(1 << 16, bytes));
		this.used = 0;
	}

	private advance(bytes: number): number {
		this.ensure(bytes);
		const at = this.used;
		this.used += bytes;
		this.length += bytes;
		return at;
	}

	// `advance` may switch to a fresh buffer, so it must run before `this.current` is read.
	private slot(bytes: number): { buffer: Buffer; at: number } {
		const at = this.advance(bytes);
		return { buffer: this.current, at };
	}

	u8(value: number): void {
		const { buffer, at } = this.slot(1);
		buffer.writeUInt8(value, at);
	}
	i8(value: number): void {
		const { buffer, at } = this.slot(1);
		buffer.writeInt8(value, at);
	}
	u16(value: number): void {
		const { buffer, at } = this.slot(2);
		buffer.writeUInt16LE(value, at);
	}
	i16(value: number): void {
		const { buffer, at } = this.slot(2);
		buffer.writeInt16LE(value, at);
	}
	u32(value: number): void {
		const { buffer, at } = this.slot(4);
		buffer.writeUInt32LE(value, at);
	}
	i32(value: number): void {
		const { buffer, at } = this.slot(4);
		buffer.writeInt32LE(value, at);
	}
	f32(value: number): void {
		const { buffer, at } = this.slot(4);
		buffer.writeFloatLE(value, at);
	}
	f64(value: number): void {
		const { buffer, at } = this.slot(8);
		buffer.writeDoubleLE(value, at);
	}
	u64(value: bigint | number): void {
		const { buffer, at } = this.slot(8);
		buffer.writeBigUInt64LE(BigInt(value), at);
	}
	i64(value: bigint): void {
		const { buffer, at } = this.slot(8);
		buffer.writeBigInt64LE(value, at);
	}

	bytes(bytes: Uint8Array): void {
		const at = this.advance(bytes.length);
		this.current.set(bytes, at);
	}

	string(value: string): void {
		const encoded = Buffer.from(value, 'utf8');
		this.u64(encoded.length);
		this.bytes(encoded);
	}

	zeros(count: number): void {
		const at = this.advance(count);
		this.current.fill(0, at, at + count);
	}

	toBuffer(): Buffer {
		return Buffer.concat([...this.chunks, this.current.subarray(0, this.used)]);
	}
}

function writeScalar(out: ByteBuilder, type: GgufValueType, value: unknown, key: string): void {
	switch (type) {
		case GgufValueType.UINT8:
			return out.u8(value as number);
		case GgufValueType.INT8:
			return out.i8(value as number);
		case GgufValueType.UINT16:
			return out.u16(value as number);
		case GgufValueType.INT16:
			return out.i16(value as number);
		case GgufValueType.UINT32:
			return out.u32(value as number);
		case GgufValueType.INT32:
			return out.i32(value as number);
		case GgufValueType.FLOAT32:
			return out.f32(value as number);
		case GgufValueType.FLOAT64:
			return out.f64(value as number);
		case GgufValueType.UINT64:
			return out.u64(value as bigint);
		case GgufValueType.INT64:
			return out.i64(value as bigint);
		case GgufValueType.BOOL:
			return out.u8(value ? 1 : 0);
		case GgufValueType.STRING:
			return out.string(value as string);
		case GgufValueType.ARRAY:
			return writeArray(out, value as GgufArray, key);
		default:
			throw new TypeError(`metadata "${key}": unknown GGUF value type ${type as number}`);
	}
}

function writeArray(out: ByteBuilder, array: GgufArray, key: string): void {
	out.u32(array.itemType);
	out.u64(array.items.length);
	for (let i = 0; i < array.items.length; i++) {
		writeScalar(out, array.itemType, array.items[i], key);
	}
}

function resolveAlignment(metadata: ReadonlyMap<string, GgufValue>, requested: number | undefined): number {
	const declared = metadata.get('general.alignment');
	if (declared !== undefined && declared.type !== GgufValueType.UINT32) {
		throw new TypeError('general.alignment must be a u32');
	}
	const alignment = (declared?.value as number | undefined) ?? requested ?? GGUF_DEFAULT_ALIGNMENT;
	if (requested !== undefined && requested !== alignment) {
		throw new RangeError(`alignment option ${requested} contradicts general.alignment ${alignment}`);
	}
	if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
		throw new RangeError(`alignment must be a power of two, got ${alignment}`);
	}
	return alignment;
}

/** Encodes everything before the tensor data; exported so tests can inspect exact bytes. */
export function encodeGgufHeader(
	metadataEntries: Iterable<readonly [string, GgufValue]>,
	tensors: readonly GgufTensorDeclaration[],
	options: GgufWriteOptions = {},
): EncodedGgufHeader {
	const metadata = new Map<string, GgufValue>(metadataEntries);
	const alignment = resolveAlignment(metadata, options.alignment);
	// Readers assume 32 when the key is absent, so any other alignment must be spelled out.
	if (alignment !== GGUF_DEFAULT_ALIGNMENT && !metadata.has('general.alignment')) {
		metadata.set('general.alignment', { type: GgufValueType.UINT32, value: alignment });
	}

	const names = new Set<string>();
	const tensorOffsets: number[] = [];
	const tensorByteSizes: number[] = [];
	let dataSize = 0;
	for (const tensor of tensors) {
		if (names.has(tensor.name)) throw new Error(`duplicate tensor name "${tensor.name}"`);
		names.add(tensor.name);
		if (tensor.shape.length < 1 || tensor.shape.length > 4) {
			throw new RangeError(`tensor "${tensor.name}" must have 1 to 4 dimensions`);
		}
		const byteSize = ggmlTensorByteSize(tensor.type, tensor.shape);
		tensorOffsets.push(dataSize);
		tensorByteSizes.push(byteSize);
		dataSize = alignOffset(dataSize + byteSize, alignment);
	}

	const out = new ByteBuilder();
	out.bytes(Buffer.from(GGUF_MAGIC, 'latin1'));
	out.u32(GGUF_WRITE_VERSION);
	out.u64(tensors.length);
	out.u64(metadata.size);
	for (const [key, value] of metadata) {
		out.string(key);
		out.u32(value.type);
		writeScalar(out, value.type, value.value, key);
	}
	tensors.forEach((tensor, index) => {
		out.string(tensor.name);
		out.u32(tensor.shape.length);
		for (const dimension of tensor.shape) out.u64(dimension);
		out.u32(tensor.type);
		out.u64(tensorOffsets[index]!);
	});
	out.zeros(alignOffset(out.length, alignment) - out.length);
	return { bytes: out.toBuffer(), alignment, tensorOffsets, tensorByteSizes };
}

/** Collects small chunks into large writes; passes large chunks straight through. */
class SequentialFileWriter {
	private readonly staging = Buffer.allocUnsafe(8 << 20);
	private staged = 0;
	written = 0;

	constructor(private readonly file: FileHandle) {}

	async write(chunk: Uint8Array): Promise<void> {
		if (this.staged + chunk.length > this.staging.length) await this.flush();
		if (chunk.length >= this.staging.length) {
			await writeFully(this.file, chunk);
		} else {
			this.staging.set(chunk, this.staged);
			this.staged += chunk.length;
		}
		this.written += chunk.length;
	}

	async flush(): Promise<void> {
		if (this.staged === 0) return;
		await writeFully(this.file, this.staging.subarray(0, this.staged));
		this.staged = 0;
	}
}

async function writeFully(file: FileHandle, bytes: Uint8Array): Promise<void> {
	let offset = 0;
	while (offset < bytes.length) {
		const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
		offset += bytesWritten;
	}
}

function asBytes(view: ArrayBufferView): Uint8Array {
	return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Writes a GGUF v3 file: metadata entries in the given order, then tensor
 * infos, then each tensor's data (aligned), pulled from its producer in order.
 * Data must be little-endian and exactly the size the type and shape imply.
 */
export async function writeGgufFile(
	filePath: string,
	metadata: Iterable<readonly [string, GgufValue]>,
	tensors: readonly GgufTensorToWrite[],
	options: GgufWriteOptions = {},
): Promise<{ readonly fileSize: number }> {
	const header = encodeGgufHeader(metadata, tensors, options);
	const file = await open(filePath, 'w');
	try {
		const writer = new SequentialFileWriter(file);
		await writer.write(header.bytes);
		const dataStart = header.bytes.length;
		for (let index = 0; index < tensors.length; index++) {
			const tensor = tensors[index]!;
			const expected = header.tensorByteSizes[index]!;
			const before = writer.written;
			if (typeof tensor.data === 'function') {
				for await (const chunk of tensor.data()) {
					await writer.write(asBytes(chunk));
				}
			} else {
				await writer.write(asBytes(tensor.data));
			}
			const produced = writer.written - before;
			if (produced !== expected) {
				throw new RangeError(
					`tensor "${tensor.name}" (${GgmlType[tensor.type]} ${tensor.shape.join('x')}) needs ${expected} bytes, got ${produced}`,
				);
			}
			const padding = alignOffset(writer.written - dataStart, header.alignment) - (writer.written - dataStart);
			if (padding > 0) await writer.write(new Uint8Array(padding));
		}
		await writer.flush();
		return { fileSize: writer.written };
	} finally {
		await file.close();
	}
}
