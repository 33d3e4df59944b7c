import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * Reads a zip file (a VSIX is one) with Node alone, so the VSIX smoke test and the VSIX contents test
 * need no unzip tool on any platform: the entries from the central directory, and their contents
 * (stored or deflated, the two methods vsce writes). No zip64: a VSIX stays far below 4 GiB.
 */
export interface ZipEntry {
	name: string;
	/** Size once unpacked, in bytes. */
	size: number;
	compressedSize: number;
	method: number;
	localHeaderOffset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

export function zipEntries(zip: Buffer): ZipEntry[] {
	// The end record is the last 22 bytes, unless a comment (at most 64 KiB) follows it.
	let end = zip.length - 22;
	while (end >= Math.max(0, zip.length - 22 - 0xffff) && zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) {
		end--;
	}
	if (end < 0 || zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) {
		throw new Error('not a zip file (no end of central directory record)');
	}
	const count = zip.readUInt16LE(end + 10);
	let offset = zip.readUInt32LE(end + 16);
	const entries: ZipEntry[] = [];
	for (let index = 0; index < count; index++) {
		if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_ENTRY) {
			throw new Error(`broken zip file: central directory entry ${index} at ${offset}`);
		}
		const nameLength = zip.readUInt16LE(offset + 28);
		entries.push({
			name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
			method: zip.readUInt16LE(offset + 10),
			compressedSize: zip.readUInt32LE(offset + 20),
			size: zip.readUInt32LE(offset + 24),
			localHeaderOffset: zip.readUInt32LE(offset + 42),
		});
		offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
	}
	return entries;
}

export function zipEntryContent(zip: Buffer, entry: ZipEntry): Buffer {
	const header = entry.localHeaderOffset;
	if (zip.readUInt32LE(header) !== LOCAL_HEADER) {
		throw new Error(`broken zip file: no local header for ${entry.name}`);
	}
	const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
	const data = zip.subarray(start, start + entry.compressedSize);
	if (entry.method === 0) {
		return data;
	}
	if (entry.method === 8) {
		return zlib.inflateRawSync(data);
	}
	throw new Error(`${entry.name}: unsupported zip compression method ${entry.method}`);
}

/** Unpacks every file of the zip file at `file` under `into`; refuses a name that leads out of it. */
export function unzipFile(file: string, into: string): void {
	const zip = fs.readFileSync(file);
	const root = path.resolve(into);
	for (const entry of zipEntries(zip)) {
		if (entry.name.endsWith('/')) {
			continue;
		}
		const target = path.resolve(root, entry.name);
		if (!target.startsWith(root + path.sep)) {
			throw new Error(`${file}: entry ${entry.name} leads outside the folder it is unpacked into`);
		}
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.writeFileSync(target, zipEntryContent(zip, entry));
	}
}
