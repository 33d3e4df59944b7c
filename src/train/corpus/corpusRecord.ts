/**
 * One line of corpus.jsonl.gz: a source file with where it came from and its licence, so every
 * training document can be traced back to a package and a licence.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { Language } from './languages.js';
import type { Split } from './heldoutSplit.js';

export const CORPUS_FILE_NAME = 'corpus.jsonl.gz';

export interface CorpusRecord {
	/** Header path, as written after `<filename>`. */
	readonly path: string;
	readonly language: Language;
	readonly origin: string;
	readonly licence: string;
	readonly split: Split;
	/** UTF-8 bytes of `text`. */
	readonly bytes: number;
	readonly sha1: string;
	/** The file's text, UTF-8, line endings normalised to "\n". */
	readonly text: string;
}

export async function writeCorpusRecords(file: string, records: Iterable<CorpusRecord>): Promise<void> {
	function* lines(): Generator<string> {
		for (const record of records) yield JSON.stringify(record) + '\n';
	}
	await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(file));
}

export async function* readCorpusRecords(file: string): AsyncGenerator<CorpusRecord> {
	const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
	for await (const line of lines) {
		if (line.trim() !== '') yield JSON.parse(line) as CorpusRecord;
	}
}
