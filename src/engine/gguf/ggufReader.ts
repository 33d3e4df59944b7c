// Parses the header, metadata and tensor infos of a GGUF v2/v3 file and
// checks that the tensor data it declares is really there. Tensor data itself
// is never read: a 1.6 GB model costs one small read per megabyte of header.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { GgufFormatError } from './ggufFormatError.js';
import {
	GGUF_DEFAULT_ALIGNMENT,
	GGUF_MAGIC,
	GGUF_SCALAR_SIZE,
	GGUF_SUPPORTED_READ_VERSIONS,
	GgmlType,
	GgufValueType,
	isNumberItemType,
	alignOffset,
	ggmlTensorByteSize,
	isKnownGgmlType,
	type GgufArray,
	type GgufMetadata,
	type GgufValue,
} from './ggufTypes.js';

export interface GgufTensorInfo {
	readonly name: string;
	/** ggml order: ne0 (the contiguous dimension) first. */
	readonly shape: readonly number[];
	readonly type: GgmlType;
	/** Offset of the data relative to the start of the data section. */
	readonly offset: number;
	/** Absolute offset of the data in the file. */
	readonly fileOffset: number;
	readonly byteSize: number;
}

export interface GgufFileInfo {
	readonly version: number;
	readonly metadata: GgufMetadata;
	readonly tensors: readonly GgufTensorInfo[];
	readonly alignment: number;
	/** Absolute offset where the tensor data section starts. */
	readonly dataOffset: number;
	/** Bytes the file must have to hold every tensor's data. */
	readonly requiredFileSize: number;
	readonly fileSize: number;
}

/** Random access to bytes; returns fewer bytes than asked for only at end of input. */
interface ByteSource {
	readonly size: number;
	read(position: number, length: number): Buffer;
}

const READ_CHUNK_BYTES = 1 << 20;

class BufferSource implements ByteSource {
	constructor(private readonly bytes: Buffer) {}

	get size(): number {
		return this.bytes.length;
	}

	read(position: number, length: number): Buffer {
		return this.bytes.subarray(position, Math.min(this.bytes.length, position + length));
	}
}

class FileSource implements ByteSource {
	readonly size: number;

	constructor(private readonly fd: number) {
		this.size = fstatSync(fd).size;
	}

	read(position: number, length: number): Buffer {
		const available = Math.max(0, Math.min(length, this.size - position));
		const buffer = Buffer.allocUnsafe(available);
		let filled = 0;
		while (filled < available) {
			const read = readSync(this.fd, buffer, filled, available - filled, position + filled);
			if (read === 0) break;
			filled += read;
		}
		return buffer.subarray(0, filled);
	}
}

/** Sequential little-endian reads over a ByteSource, through a sliding window. */
class Cursor {
	private window: Buffer = Buffer.alloc(0);
	private windowStart = 0;
	position = 0;

	constructor(
		private readonly source: ByteSource,
		private readonly filePath: string | undefined,
	) {}

	get remaining(): number {
		return this.source.size - this.position;
	}

	/** Makes `length` bytes at the cursor available, or throws 'truncated' naming `what`. */
	private take(length: number, what: string): { buffer: Buffer; at: number } {
		const relative = this.position - this.windowStart;
		if (relative < 0 || relative + length > this.window.length) {
			this.window = this.source.read(this.position, Math.max(length, READ_CHUNK_BYTES));
			this.windowStart = this.position;
			if (this.window.length < length) {
				throw this.truncated(what, length);
			}
		}
		const at = this.position - this.windowStart;
		this.position += length;
		return { buffer: this.window, at };
	}

	truncated(what: string, needed: number): GgufFormatError {
		return new GgufFormatError(
			'truncated',
			`truncated file: ${what} needs ${needed} bytes at offset ${this.position} but the file is ${this.source.size} bytes long`,
			this.filePath,
		);
	}

	u8(what: string): number {
		const { buffer, at } = this.take(1, what);
		return buffer.readUInt8(at);
	}
	i8(what: string): number {
		const { buffer, at } = this.take(1, what);
		return buffer.readInt8(at);
	}
	u16(what: string): number {
		const { buffer, at } = this.take(2, what);
		return buffer.readUInt16LE(at);
	}
	i16(what: string): number {
		const { buffer, at } = this.take(2, what);
		return buffer.readInt16LE(at);
	}
	u32(what: string): number {
		const { buffer, at } = this.take(4, what);
		return buffer.readUInt32LE(at);
	}
	i32(what: string): number {
		const { buffer, at } = this.take(4, what);
		return buffer.readInt32LE(at);
	}
	f32(what: string): number {
		const { buffer, at } = this.take(4, what);
		return buffer.readFloatLE(at);
	}
	f64(what: string): number {
		const { buffer, at } = this.take(8, what);
		return buffer.readDoubleLE(at);
	}
	u64(what: string): bigint {
		const { buffer, at } = this.take(8, what);
		return buffer.readBigUInt64LE(at);
	}
	i64(what: string): bigint {
		const { buffer, at } = this.take(8, what);
		return buffer.readBigInt64LE(at);
	}

	/** A u64 that is used as a count or size, so it must fit a JS number. */
	size(what: string): number {
		const value = this.u64(what);
		if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
			throw new GgufFormatError('corrupt', `${what} is ${value}, which cannot be a real size`, this.filePath);
		}
		return Number(value);
	}

	bytes(length: number, what: string): Buffer {
		if (length > this.remaining) {
			throw this.truncated(what, length);
		}
		const { buffer, at } = this.take(length, what);
		return buffer.subarray(at, at + length);
	}

	string(what: string): string {
		const length = this.size(`length of ${what}`);
		return this.bytes(length, what).toString('utf8');
	}
}

function readScalar(cursor: Cursor, type: GgufValueType, what: string): GgufValue {
	switch (type) {
		case GgufValueType.UINT8:
			return { type, value: cursor.u8(what) };
		case GgufValueType.INT8:
			return { type, value: cursor.i8(what) };
		case GgufValueType.UINT16:
			return { type, value: cursor.u16(what) };
		case GgufValueType.INT16:
			return { type, value: cursor.i16(what) };
		case GgufValueType.UINT32:
			return { type, value: cursor.u32(what) };
		case GgufValueType.INT32:
			return { type, value: cursor.i32(what) };
		case GgufValueType.FLOAT32:
			return { type, value: cursor.f32(what) };
		case GgufValueType.FLOAT64:
			return { type, value: cursor.f64(what) };
		case GgufValueType.UINT64:
			return { type, value: cursor.u64(what) };
		case GgufValueType.INT64:
			return { type, value: cursor.i64(what) };
		case GgufValueType.BOOL:
			return { type, value: cursor.u8(what) !== 0 };
		case GgufValueType.STRING:
			return { type, value: cursor.string(what) };
		case GgufValueType.ARRAY:
			return { type, value: readArray(cursor, what) };
		default:
			throw new GgufFormatError('corrupt', `${what} has unknown value type ${type as number}`);
	}
}

function numericArray(cursor: Cursor, itemType: GgufValueType, count: number, what: string): ArrayLike<number> | ArrayLike<bigint> {
	const itemSize = GGUF_SCALAR_SIZE[itemType]!;
	const raw = cursor.bytes(count * itemSize, what);
	// Copy into a fresh, aligned buffer: typed arrays cannot view odd offsets.
	const copy = new Uint8Array(raw).buffer;
	switch (itemType) {
		case GgufValueType.UINT8:
			return new Uint8Array(copy);
		case GgufValueType.INT8:
			return new Int8Array(copy);
		case GgufValueType.UINT16:
			return new Uint16Array(copy);
		case GgufValueType.INT16:
			return new Int16Array(copy);
		case GgufValueType.UINT32:
			return new Uint32Array(copy);
		case GgufValueType.INT32:
			return new Int32Array(copy);
		case GgufValueType.FLOAT32:
			return new Float32Array(copy);
		case GgufValueType.FLOAT64:
			return new Float64Array(copy);
		case GgufValueType.UINT64:
			return new BigUint64Array(copy);
		case GgufValueType.INT64:
			return new BigInt64Array(copy);
		default:
			throw new Error(`not a numeric GGUF type: ${itemType}`);
	}
}

function readArray(cursor: Cursor, what: string): GgufArray {
	const itemType = cursor.u32(`item type of ${what}`) as GgufValueType;
	const count = cursor.size(`length of ${what}`);
	const minItemSize = GGUF_SCALAR_SIZE[itemType] ?? 8;
	// Checked up front so a corrupt count fails cleanly instead of allocating gigabytes.
	if (count * minItemSize > cursor.remaining) {
		throw cursor.truncated(`${what} (${count} items)`, count * minItemSize);
	}
	switch (itemType) {
		case GgufValueType.STRING: {
			const items = new Array<string>(count);
			for (let i = 0; i < count; i++) items[i] = cursor.string(`${what}[${i}]`);
			return { itemType, items };
		}
		case GgufValueType.BOOL: {
			const bytes = cursor.bytes(count, what);
			return { itemType, items: Array.from(bytes, (byte) => byte !== 0) };
		}
		case GgufValueType.ARRAY: {
			const items = new Array<GgufArray>(count);
			for (let i = 0; i < count; i++) items[i] = readArray(cursor, `${what}[${i}]`);
			return { itemType, items };
		}
		case GgufValueType.UINT64:
		case GgufValueType.INT64:
			return { itemType, items: numericArray(cursor, itemType, count, what) as ArrayLike<bigint> };
		default:
			if (isNumberItemType(itemType)) {
				return { itemType, items: numericArray(cursor, itemType, count, what) as ArrayLike<number> } as GgufArray;
			}
			throw new GgufFormatError('corrupt', `${what} has unknown item type ${itemType as number}`);
	}
}

function readHeaderAndChecks(source: ByteSource, filePath: string | undefined): GgufFileInfo {
	const cursor = new Cursor(source, filePath);
	const head = source.read(0, 4).toString('latin1');
	if (head.length < 4 && GGUF_MAGIC.startsWith(head)) {
		// Could be the start of a GGUF file that was cut short, so say so rather than "bad magic".
		throw new GgufFormatError(
			'truncated',
			head.length === 0 ? 'truncated file: the file is empty' : `truncated file: only ${head.length} bytes, not even the GGUF magic`,
			filePath,
		);
	}
	const magic = source.read(0, 4);
	if (magic.length < 4 || head !== GGUF_MAGIC) {
		throw new GgufFormatError('bad-magic', `not a GGUF file: starts with bytes ${magic.toString('hex')} instead of "GGUF"`, filePath);
	}
	cursor.position = 4;
	const version = cursor.u32('version');
	if (!GGUF_SUPPORTED_READ_VERSIONS.includes(version)) {
		// A big-endian file reads as a huge little-endian number whose low 16 bits are zero.
		const detail = (version & 0xffff) === 0 && version !== 0 ? ' (looks like a big-endian file)' : '';
		throw new GgufFormatError(
			'unsupported-version',
			`unsupported GGUF version ${version}${detail}; supported: ${GGUF_SUPPORTED_READ_VERSIONS.join(', ')}`,
			filePath,
		);
	}
	const tensorCount = cursor.size('tensor count');
	const metadataCount = cursor.size('metadata count');

	const metadata: GgufMetadata = new Map();
	for (let i = 0; i < metadataCount; i++) {
		const key = cursor.string(`key of metadata entry ${i}`);
		const type = cursor.u32(`value type of "${key}"`) as GgufValueType;
		try {
			metadata.set(key, readScalar(cursor, type, `metadata "${key}"`));
		} catch (error) {
			throw withPath(error, filePath);
		}
	}

	const alignmentValue = metadata.get('general.alignment');
	let alignment = GGUF_DEFAULT_ALIGNMENT;
	if (alignmentValue !== undefined) {
		if (
			alignmentValue.type !== GgufValueType.UINT32 ||
			alignmentValue.value === 0 ||
			(alignmentValue.value & (alignmentValue.value - 1)) !== 0
		) {
			throw new GgufFormatError('corrupt', 'general.alignment must be a u32 power of two', filePath);
		}
		alignment = alignmentValue.value;
	}

	const declared: Array<Omit<GgufTensorInfo, 'fileOffset'>> = [];
	for (let i = 0; i < tensorCount; i++) {
		const name = cursor.string(`name of tensor ${i}`);
		const dimensionCount = cursor.u32(`dimension count of tensor "${name}"`);
		if (dimensionCount > 4) {
			throw new GgufFormatError('corrupt', `tensor "${name}" has ${dimensionCount} dimensions (ggml allows 4)`, filePath);
		}
		const shape: number[] = [];
		for (let d = 0; d < dimensionCount; d++) {
			shape.push(cursor.size(`dimension ${d} of tensor "${name}"`));
		}
		const type = cursor.u32(`type of tensor "${name}"`);
		const offset = cursor.size(`offset of tensor "${name}"`);
		if (!isKnownGgmlType(type)) {
			throw new GgufFormatError('corrupt', `tensor "${name}" has unknown ggml type ${type}`, filePath);
		}
		if (offset % alignment !== 0) {
			throw new GgufFormatError(
				'corrupt',
				`tensor "${name}" data offset ${offset} is not a multiple of the alignment ${alignment}`,
				filePath,
			);
		}
		let byteSize: number;
		try {
			byteSize = ggmlTensorByteSize(type, shape);
		} catch (error) {
			throw new GgufFormatError('corrupt', `tensor "${name}": ${(error as Error).message}`, filePath);
		}
		declared.push({ name, shape, type, offset, byteSize });
	}

	const dataOffset = alignOffset(cursor.position, alignment);
	const tensors = declared.map((tensor) => ({ ...tensor, fileOffset: dataOffset + tensor.offset }));
	const requiredFileSize = tensors.reduce(
		(end, tensor) => Math.max(end, tensor.fileOffset + tensor.byteSize),
		tensors.length > 0 ? dataOffset : cursor.position,
	);
	if (source.size < requiredFileSize) {
		throw new GgufFormatError(
			'truncated',
			`truncated file: tensor data needs ${requiredFileSize} bytes but the file is ${source.size} bytes long`,
			filePath,
		);
	}
	return { version, metadata, tensors, alignment, dataOffset, requiredFileSize, fileSize: source.size };
}

function withPath(error: unknown, filePath: string | undefined): unknown {
	if (error instanceof GgufFormatError && error.filePath === undefined && filePath !== undefined) {
		return new GgufFormatError(error.reason, error.message, filePath);
	}
	return error;
}

/** Parses a whole GGUF file held in memory. */
export function parseGguf(bytes: Uint8Array): GgufFileInfo {
	return readHeaderAndChecks(new BufferSource(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)), undefined);
}

/**
 * Parses the GGUF file at `filePath`, reading only header, metadata and tensor
 * infos. Throws GgufFormatError when it is not a complete GGUF v2/v3 file.
 */
export function readGgufFile(filePath: string): GgufFileInfo {
	const fd = openSync(filePath, 'r');
	try {
		return readHeaderAndChecks(new FileSource(fd), filePath);
	} finally {
		closeSync(fd);
	}
}

/** Reads one tensor's raw data bytes (for tests and tools; loads it whole). */
export function readGgufTensorData(filePath: string, tensor: GgufTensorInfo): Buffer {
	const fd = openSync(filePath, 'r');
	try {
		const source = new FileSource(fd);
		const bytes = source.read(tensor.fileOffset, tensor.byteSize);
		if (bytes.length !== tensor.byteSize) {
			throw new GgufFormatError('truncated', `truncated file: tensor "${tensor.name}" data is cut short`, filePath);
		}
		return bytes;
	} finally {
		closeSync(fd);
	}
}
