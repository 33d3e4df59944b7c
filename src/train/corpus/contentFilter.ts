/**
 * The checks that need a file's content: binary, encoding, the text checks (minified, generated…),
 * then exact and near duplicates of files already kept. The first failing check is the reason the
 * file is counted under.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CandidateFile } from './candidateFile.js';
import { minHashSignature, NearDuplicateIndex } from './minHash.js';
import type { SkipLedger } from './skipLedger.js';
import { decodeUtf8Strictly, looksBinary, reasonToSkipText } from './textChecks.js';

export interface AcceptedText {
	readonly text: string;
	readonly bytes: number;
	readonly sha1: string;
}

export class ContentFilter {
	private readonly exactHashes = new Map<string, string>();
	private readonly nearDuplicates: NearDuplicateIndex<string>;

	constructor(
		private readonly ledger: SkipLedger,
		nearDuplicateThreshold = 0.85,
	) {
		this.nearDuplicates = new NearDuplicateIndex<string>(nearDuplicateThreshold);
	}

	/** The file's normalised text when it passes every check (and is remembered for later duplicates). */
	async check(candidate: CandidateFile): Promise<AcceptedText | undefined> {
		const where = candidate.relativePath;
		let raw: Buffer;
		try {
			raw = await readFile(candidate.absolutePath);
		} catch {
			this.ledger.record('unreadable-file', where, candidate.size);
			return undefined;
		}
		if (looksBinary(raw)) return this.skip('binary', where, raw.length);
		const decoded = decodeUtf8Strictly(raw);
		if (decoded === undefined) return this.skip('not-utf8', where, raw.length);
		// One line-ending convention in the corpus: the model should not spend capacity on "\r".
		const text = decoded.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
		const reason = reasonToSkipText(text, where);
		if (reason !== undefined) return this.skip(reason, where, raw.length);
		const sha1 = createHash('sha1').update(text).digest('hex');
		const original = this.exactHashes.get(sha1);
		if (original !== undefined) return this.skip('exact-duplicate', `${where} = ${original}`, raw.length);
		const signature = minHashSignature(text);
		const near = this.nearDuplicates.findNearDuplicate(signature);
		if (near !== undefined) return this.skip('near-duplicate', `${where} ≈ ${near.key} (${near.similarity.toFixed(2)})`, raw.length);
		this.exactHashes.set(sha1, where);
		this.nearDuplicates.add(where, signature);
		return { text, bytes: Buffer.byteLength(text), sha1 };
	}

	private skip(reason: string, example: string, bytes: number): undefined {
		this.ledger.record(reason, example, bytes);
		return undefined;
	}
}
