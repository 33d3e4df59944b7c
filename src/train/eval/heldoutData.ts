/**
 * The held-out material the evaluation reads from a shard folder: the held-out files (for FIM
 * tasks) and the held-out token documents with each one's language (for perplexity).
 */
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readManifest, readShardDocuments, type ShardDocument } from '../tokenize/shardReader.js';
import type { HeldoutFile } from '../tokenize/tokenizeCorpus.js';

export async function readHeldoutFiles(directory: string): Promise<HeldoutFile[]> {
	const manifest = await readManifest(directory);
	const file = path.join(directory, manifest.heldoutFiles);
	if (!existsSync(file)) throw new Error(`${file} is missing: run npm run tokenize`);
	const files: HeldoutFile[] = [];
	for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
		if (line.trim() !== '') files.push(JSON.parse(line) as HeldoutFile);
	}
	return files;
}

export interface LabelledDocument extends ShardDocument {
	readonly language: string;
}

/** Held-out documents in shard order, each labelled with its file's language ("unknown" when the file list does not say). */
export async function readHeldoutDocuments(directory: string, files: readonly HeldoutFile[]): Promise<LabelledDocument[]> {
	const manifest = await readManifest(directory);
	const languageOf: string[] = [];
	for (const file of files) {
		for (let index = 0; index < (file.documents ?? 0); index++) languageOf[file.firstDocument + index] = file.language;
	}
	const documents: LabelledDocument[] = [];
	for (const shard of manifest.splits.heldout.shards) {
		for (const document of await readShardDocuments(directory, shard)) {
			documents.push({ ...document, language: languageOf[documents.length] ?? 'unknown' });
		}
	}
	return documents;
}
