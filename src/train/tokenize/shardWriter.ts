/**
 * Writes one split's documents into gzip shards of about `maxShardTokens` tokens each (a document
 * never spans two shards), in the format described in shardFormat.ts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { TokenizedDocument } from './documentTokens.js';
import { shardFileNames, type ShardEntry } from './shardFormat.js';

const gzipAsync = promisify(gzip);

// About 6 MB compressed: small enough that a few shards travel to a GPU machine separately.
export const DEFAULT_SHARD_TOKENS = 8_000_000;

export class ShardWriter {
	private readonly shards: ShardEntry[] = [];
	private tokenChunks: Uint16Array[] = [];
	private docTriples: number[] = [];
	private tokensInShard = 0;

	constructor(
		private readonly directory: string,
		private readonly split: string,
		private readonly maxShardTokens = DEFAULT_SHARD_TOKENS,
	) {}

	async add(document: TokenizedDocument): Promise<void> {
		if (this.tokensInShard > 0 && this.tokensInShard + document.tokens.length > this.maxShardTokens) await this.flush();
		for (const token of document.tokens) {
			if (!Number.isInteger(token) || token < 0 || token > 0xffff) throw new Error(`token id ${token} does not fit uint16`);
		}
		this.docTriples.push(this.tokensInShard, document.tokens.length, document.headerTokenCount);
		this.tokenChunks.push(Uint16Array.from(document.tokens));
		this.tokensInShard += document.tokens.length;
	}

	/** Writes what is buffered and returns every shard of the split. */
	async finish(): Promise<ShardEntry[]> {
		if (this.tokensInShard > 0) await this.flush();
		return [...this.shards];
	}

	private async flush(): Promise<void> {
		const names = shardFileNames(this.split, this.shards.length);
		const tokens = Buffer.alloc(this.tokensInShard * 2);
		let offset = 0;
		for (const chunk of this.tokenChunks) {
			for (const token of chunk) offset = tokens.writeUInt16LE(token, offset);
		}
		const docs = Buffer.alloc(this.docTriples.length * 4);
		this.docTriples.forEach((value, index) => docs.writeUInt32LE(value, index * 4));
		await writeFile(path.join(this.directory, names.tokens), await gzipAsync(tokens, { level: 6 }));
		await writeFile(path.join(this.directory, names.docs), await gzipAsync(docs, { level: 6 }));
		this.shards.push({ ...names, documents: this.docTriples.length / 3, tokenCount: this.tokensInShard });
		this.tokenChunks = [];
		this.docTriples = [];
		this.tokensInShard = 0;
	}
}
