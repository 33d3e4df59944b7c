/**
 * mulberry32: a tiny deterministic generator, so that regenerating the traces gives byte-identical
 * files (Math.random cannot be seeded).
 */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = state;
		mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
		mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
	};
}

/** A uniformly drawn whole number of milliseconds in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
	return Math.round(min + random() * (max - min));
}
