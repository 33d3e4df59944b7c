/** A small seeded generator: the same seed picks the same middles on every machine. */
import { seededRandom as mulberry32 } from '../../tooling/seededRandom.js';
import { fnv1a32 } from '../corpus/stableHash.js';

export type Random = () => number;

/** The bench's mulberry32, seeded by a number or by the hash of a string (a file path). */
export function seededRandom(seed: number | string): Random {
	return mulberry32(typeof seed === 'number' ? seed : fnv1a32(seed));
}

/** An integer in [low, high]. */
export function randomInteger(random: Random, low: number, high: number): number {
	return low + Math.floor(random() * (high - low + 1));
}
