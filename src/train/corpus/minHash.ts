/**
 * Near-duplicate detection with MinHash over token shingles, and a locality-sensitive index that
 * finds earlier files whose estimated Jaccard similarity reaches a threshold.
 *
 * Vendored copies of a library, the same file at two versions, or a template filled in twice
 * differ in a few lines; hashing whole files misses them. The Jaccard similarity of the sets of
 * 5-token shingles of two files is estimated by the share of equal minimum hashes under 64
 * independent hash functions. The index splits each signature into 16 bands of 4 rows: two files
 * become candidates when any band is equal (very likely above 0.8 similarity, unlikely below 0.3),
 * and candidates are then checked on the whole signature.
 */
import { fnv1a32, mix32 } from './stableHash.js';

export const SIGNATURE_LENGTH = 64;
const BANDS = 16;
const ROWS_PER_BAND = SIGNATURE_LENGTH / BANDS;
const SHINGLE_SIZE = 5;

// One salt per hash function, fixed so signatures are comparable across runs.
const SALTS = Array.from({ length: SIGNATURE_LENGTH }, (_, index) => mix32(0x9e3779b9 + index * 0x632be5ab));

/** Words and single punctuation characters: formatting changes (indentation, line breaks) do not matter. */
export function codeTokens(text: string): string[] {
	return text.match(/[A-Za-z_$][\w$]*|\d[\w.]*|[^\s\w]/g) ?? [];
}

/** Hashes of the distinct `SHINGLE_SIZE`-token windows; a file shorter than one window is one shingle. */
export function shingleHashes(text: string): Uint32Array {
	const tokenHashes = codeTokens(text).map((token) => fnv1a32(token));
	const shingles = new Set<number>();
	const windows = Math.max(1, tokenHashes.length - SHINGLE_SIZE + 1);
	for (let start = 0; start < windows; start++) {
		let hash = 0x811c9dc5;
		for (let offset = 0; offset < SHINGLE_SIZE && start + offset < tokenHashes.length; offset++) {
			hash = mix32(hash ^ tokenHashes[start + offset]!);
		}
		shingles.add(hash);
	}
	return Uint32Array.from(shingles);
}

export function minHashSignature(text: string): Uint32Array {
	const signature = new Uint32Array(SIGNATURE_LENGTH).fill(0xffffffff);
	for (const shingle of shingleHashes(text)) {
		for (let index = 0; index < SIGNATURE_LENGTH; index++) {
			const hashed = mix32(shingle ^ SALTS[index]!);
			if (hashed < signature[index]!) signature[index] = hashed;
		}
	}
	return signature;
}

export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
	let equal = 0;
	for (let index = 0; index < SIGNATURE_LENGTH; index++) if (a[index] === b[index]) equal++;
	return equal / SIGNATURE_LENGTH;
}

/** Remembers signatures of kept files; `findNearDuplicate` answers which kept file a new one repeats. */
export class NearDuplicateIndex<Key> {
	private readonly buckets = new Map<string, number[]>();
	private readonly entries: { key: Key; signature: Uint32Array }[] = [];

	constructor(private readonly threshold = 0.85) {}

	/** The key of a kept file at least `threshold` similar, or undefined. */
	findNearDuplicate(signature: Uint32Array): { key: Key; similarity: number } | undefined {
		const checked = new Set<number>();
		for (const bandKey of bandKeys(signature)) {
			for (const entryIndex of this.buckets.get(bandKey) ?? []) {
				if (checked.has(entryIndex)) continue;
				checked.add(entryIndex);
				const entry = this.entries[entryIndex]!;
				const similarity = estimatedJaccard(signature, entry.signature);
				if (similarity >= this.threshold) return { key: entry.key, similarity };
			}
		}
		return undefined;
	}

	add(key: Key, signature: Uint32Array): void {
		const entryIndex = this.entries.push({ key, signature }) - 1;
		for (const bandKey of bandKeys(signature)) {
			const bucket = this.buckets.get(bandKey);
			if (bucket) bucket.push(entryIndex);
			else this.buckets.set(bandKey, [entryIndex]);
		}
	}

	get size(): number {
		return this.entries.length;
	}
}

function bandKeys(signature: Uint32Array): string[] {
	const keys: string[] = [];
	for (let band = 0; band < BANDS; band++) {
		const rows = signature.subarray(band * ROWS_PER_BAND, (band + 1) * ROWS_PER_BAND);
		keys.push(`${band}:${Array.prototype.join.call(rows, ',')}`);
	}
	return keys;
}
