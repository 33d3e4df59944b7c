import { percentile } from '../metrics/percentile.js';

export interface PairedRuns<T> {
	warmUp: { a: T; b: T };
	/** One pair per round, the two runs next to each other in time. */
	pairs: { a: T; b: T }[];
}

/**
 * Runs two variants of one measurement in alternating pairs (a b, b a, a b, ...) after one warm-up
 * run of each, so that a change in machine load during the measurement falls on both alike: on a
 * shared machine, a ratio taken within each pair is far steadier than one taken between separate runs.
 */
export async function runPairs<T>(rounds: number, a: () => Promise<T>, b: () => Promise<T>): Promise<PairedRuns<T>> {
	const warmUp = { a: await a(), b: await b() };
	const pairs: { a: T; b: T }[] = [];
	for (let round = 0; round < rounds; round++) {
		if (round % 2 === 0) {
			const first = await a();
			pairs.push({ a: first, b: await b() });
		} else {
			const first = await b();
			pairs.push({ a: await a(), b: first });
		}
	}
	return { warmUp, pairs };
}

/** The median of the ratios b ÷ a within each pair. */
export function medianPairRatio<T>(runs: PairedRuns<T>, speed: (run: T) => number): number {
	const ratios = runs.pairs.map((pair) => (speed(pair.a) > 0 ? speed(pair.b) / speed(pair.a) : 0));
	return round(percentile(ratios, 50) ?? 0, 2);
}

export function median(values: number[]): number {
	return percentile(values, 50) ?? 0;
}

export function round(value: number, digits: number): number {
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}
