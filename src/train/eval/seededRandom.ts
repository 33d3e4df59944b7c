/** A small seeded generator (mulberry32): the same seed picks the same middles on every machine. */
import { fnv1a32 } from '../corpus/stableHash.js';

export type Random = () => number;

export function seededRandom(seed: number | string): Random {
	let state = typeof seed === 'number' ? seed >>> 0 : fnv1a32(seed);
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 0x1_0000_0000;
	};
}

/** An integer in [low, high]. */
export function randomInteger(random: Random, low: number, high: number): number {
	return low + Math.floor(random() * (high - low + 1));
}
