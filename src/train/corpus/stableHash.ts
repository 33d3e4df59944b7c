/** Small deterministic hashes: the same input gives the same number on every machine and run. */

/** FNV-1a over the UTF-16 code units of a string, 32 bits. */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
	let hash = seed >>> 0;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

/** Murmur3's finaliser: spreads every input bit over the whole word. */
export function mix32(value: number): number {
	let hash = value >>> 0;
	hash ^= hash >>> 16;
	hash = Math.imul(hash, 0x85ebca6b);
	hash ^= hash >>> 13;
	hash = Math.imul(hash, 0xc2b2ae35);
	hash ^= hash >>> 16;
	return hash >>> 0;
}

/** A number in [0, 1) from a string, for deterministic sampling and ordering. */
export function unitInterval(text: string): number {
	return mix32(fnv1a32(text)) / 0x1_0000_0000;
}
