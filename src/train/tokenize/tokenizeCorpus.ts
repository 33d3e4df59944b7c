/**
 * Turns corpus.jsonl.gz into token shards: each file tokenized as documents (documentTokens.ts),
 * train and held-out files into their own shards, the held-out files' text into
 * heldout-files.jsonl for the fill-in-the-middle evaluation, and manifest.json last, so a reader
 * that finds a manifest finds every shard it names.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { readCorpusRecords } from '../corpus/corpusRecord.js';
import { DEFAULT_MAX_DOCUMENT_TOKENS, tokenizeDocuments, type DocumentTokenizer } from './documentTokens.js';
import {
	HELDOUT_FILES_NAME,
	MANIFEST_FILE_NAME,
	SHARD_FORMAT,
	type LanguageCounts,
	type ShardManifest,
	type SplitEntry,
} from './shardFormat.js';
import { DEFAULT_SHARD_TOKENS, ShardWriter } from './shardWriter.js';

export interface TokenizeCorpusOptions {
	readonly corpusFile: string;
	readonly outDirectory: string;
	readonly tokenizer: DocumentTokenizer & { readonly specialTokenTexts: ShardManifest['specialTokenTexts'] };
	readonly vocabularyName: string;
	readonly vocabSize: number;
	readonly maxDocumentTokens?: number;
	readonly maxShardTokens?: number;
	readonly log?: (line: string) => void;
}

/** One held-out file, as heldout-files.jsonl lists it. */
export interface HeldoutFile {
	readonly path: string;
	readonly language: string;
	readonly origin: string;
	readonly licence: string;
	/** Index of the file's first document in the held-out split (shards in order), and how many it became. */
	readonly firstDocument: number;
	readonly documents: number;
	readonly text: string;
}

/**
 * What the editor sends a model whose GGUF keeps this vocabulary's names (src/engine/fim/templates.ts):
 * with `<file_sep>` the engine picks the StarCoder2 template, prefix-suffix-middle only, the
 * separator before `<fim_prefix>`. A GGUF that renames id 6 to `<filename>` (as the starter model's
 * export does) gets StarCoder's template instead, both orders, with the header inside the prefix.
 */
function promptLayoutFor(headerToken: string): string {
	const starCoder =
		'with <filename>: PSM <fim_prefix><filename>path\\nprefix<fim_suffix>suffix<fim_middle>middle, SPM <fim_prefix><fim_suffix>suffix<fim_middle><filename>path\\nprefix middle';
	return headerToken === '<file_sep>'
		? `with <file_sep>: PSM only <file_sep><fim_prefix>path\\nprefix<fim_suffix>suffix<fim_middle>middle, other files before it as <file_sep>path\\ncode; ${starCoder} (same token id)`
		: starCoder;
}

class SplitTally {
	documents = 0;
	tokenCount = 0;
	files = 0;
	readonly byLanguage: Record<string, LanguageCounts> = {};

	add(language: string, documents: number, tokens: number): void {
		this.files++;
		this.documents += documents;
		this.tokenCount += tokens;
		const counts = (this.byLanguage[language] ??= { files: 0, documents: 0, tokenCount: 0 });
		counts.files++;
		counts.documents += documents;
		counts.tokenCount += tokens;
	}
}

export async function tokenizeCorpus(options: TokenizeCorpusOptions): Promise<ShardManifest> {
	const maxDocumentTokens = options.maxDocumentTokens ?? DEFAULT_MAX_DOCUMENT_TOKENS;
	await mkdir(options.outDirectory, { recursive: true });
	// A half-written set must never look complete: the old manifest goes first, the new one comes last.
	await rm(path.join(options.outDirectory, MANIFEST_FILE_NAME), { force: true });
	const writers = {
		train: new ShardWriter(options.outDirectory, 'train', options.maxShardTokens ?? DEFAULT_SHARD_TOKENS),
		heldout: new ShardWriter(options.outDirectory, 'heldout', options.maxShardTokens ?? DEFAULT_SHARD_TOKENS),
	};
	const tallies = { train: new SplitTally(), heldout: new SplitTally() };
	const heldoutFiles = createWriteStream(path.join(options.outDirectory, HELDOUT_FILES_NAME));
	const recordsHash = createHash('sha1');
	let files = 0;
	for await (const record of readCorpusRecords(options.corpusFile)) {
		recordsHash.update(record.sha1);
		const documents = tokenizeDocuments(options.tokenizer, record.path, record.text, maxDocumentTokens);
		for (const document of documents) await writers[record.split].add(document);
		tallies[record.split].add(
			record.language,
			documents.length,
			documents.reduce((sum, document) => sum + document.tokens.length, 0),
		);
		if (record.split === 'heldout') {
			const firstDocument = tallies.heldout.documents - documents.length;
			const line: HeldoutFile = {
				path: record.path,
				language: record.language,
				origin: record.origin,
				licence: record.licence,
				firstDocument,
				documents: documents.length,
				text: record.text,
			};
			if (!heldoutFiles.write(JSON.stringify(line) + '\n')) await once(heldoutFiles, 'drain');
		}
		if (++files % 2000 === 0) options.log?.(`${files} files, ${tallies.train.tokenCount + tallies.heldout.tokenCount} tokens`);
	}
	heldoutFiles.end();
	await once(heldoutFiles, 'finish');
	const split = async (name: 'train' | 'heldout'): Promise<SplitEntry> => {
		const tally = tallies[name];
		return {
			shards: await writers[name].finish(),
			documents: tally.documents,
			tokenCount: tally.tokenCount,
			files: tally.files,
			byLanguage: tally.byLanguage,
		};
	};
	const manifest: ShardManifest = {
		format: SHARD_FORMAT,
		vocabulary: options.vocabularyName,
		vocabSize: options.vocabSize,
		specialTokens: options.tokenizer.specialTokens,
		specialTokenTexts: options.tokenizer.specialTokenTexts,
		documentLayout: `${options.tokenizer.specialTokenTexts.filename}path\\ncode${options.tokenizer.specialTokenTexts.endoftext}`,
		promptLayout: promptLayoutFor(options.tokenizer.specialTokenTexts.filename),
		maxDocumentTokens,
		splits: { train: await split('train'), heldout: await split('heldout') },
		heldoutFiles: HELDOUT_FILES_NAME,
		corpus: { file: path.basename(options.corpusFile), sha1OfRecords: recordsHash.digest('hex') },
		createdAt: new Date().toISOString(),
	};
	await writeFile(path.join(options.outDirectory, MANIFEST_FILE_NAME), JSON.stringify(manifest, null, '\t') + '\n');
	return manifest;
}
