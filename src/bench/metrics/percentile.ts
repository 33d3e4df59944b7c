/**
 * The p-th percentile (0-100) by linear interpolation between closest ranks, as numpy's default
 * does; undefined for no samples, so that "nothing was measured" never reads as 0 ms.
 */
export function percentile(samples: readonly number[], p: number): number | undefined {
	if (samples.length === 0) {
		return undefined;
	}
	if (!(p >= 0 && p <= 100)) {
		throw new RangeError(`percentile must be within 0-100, got ${p}`);
	}
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = (p / 100) * (sorted.length - 1);
	const below = Math.floor(rank);
	const above = Math.ceil(rank);
	return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

export interface Distribution {
	count: number;
	p50: number | null;
	p95: number | null;
	p99: number | null;
	max: number | null;
	mean: number | null;
}

/** The summary every latency in the report gets; values rounded to 0.1 for a readable JSON. */
export function distribution(samples: readonly number[]): Distribution {
	const round = (value: number | undefined) => (value === undefined ? null : Math.round(value * 10) / 10);
	return {
		count: samples.length,
		p50: round(percentile(samples, 50)),
		p95: round(percentile(samples, 95)),
		p99: round(percentile(samples, 99)),
		max: round(samples.length === 0 ? undefined : Math.max(...samples)),
		mean: round(samples.length === 0 ? undefined : samples.reduce((sum, value) => sum + value, 0) / samples.length),
	};
}
