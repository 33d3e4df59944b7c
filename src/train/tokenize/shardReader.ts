/**
 * Reads shards back: the manifest, and the documents of a split as token arrays with their header
 * length. Used by the evaluation's perplexity and by the round-trip tests.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { MANIFEST_FILE_NAME, SHARD_FORMAT, type ShardEntry, type ShardManifest } from './shardFormat.js';

const gunzipAsync = promisify(gunzip);

export interface ShardDocument {
	readonly tokens: Uint16Array;
	readonly headerTokenCount: number;
}

export async function readManifest(directory: string): Promise<ShardManifest> {
	const manifest = JSON.parse(await readFile(path.join(directory, MANIFEST_FILE_NAME), 'utf8')) as ShardManifest;
	if (manifest.format !== SHARD_FORMAT)
		throw new Error(`${directory}/${MANIFEST_FILE_NAME}: format ${String(manifest.format)}, expected ${SHARD_FORMAT}`);
	return manifest;
}

export async function readShardDocuments(directory: string, shard: ShardEntry): Promise<ShardDocument[]> {
	const tokenBytes = await gunzipAsync(await readFile(path.join(directory, shard.tokens)));
	const docBytes = await gunzipAsync(await readFile(path.join(directory, shard.docs)));
	// Copies, because a Buffer's offset in its pool need not be aligned for a Uint16Array view.
	const tokens = new Uint16Array(tokenBytes.length / 2);
	for (let index = 0; index < tokens.length; index++) tokens[index] = tokenBytes.readUInt16LE(index * 2);
	const documents: ShardDocument[] = [];
	for (let offset = 0; offset < docBytes.length; offset += 12) {
		const start = docBytes.readUInt32LE(offset);
		const count = docBytes.readUInt32LE(offset + 4);
		const headerTokenCount = docBytes.readUInt32LE(offset + 8);
		if (start + count > tokens.length) throw new Error(`${shard.docs}: a document points past the end of ${shard.tokens}`);
		documents.push({ tokens: tokens.subarray(start, start + count), headerTokenCount });
	}
	return documents;
}
