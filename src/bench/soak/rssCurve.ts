/**
 * The soak's memory verdict: the language server's resident set sampled over a long typing replay,
 * summarised as start, end, peak and the least-squares slope over the second half of the run (the
 * first half is warm-up: caches fill, the allocator settles). A leak shows as a slope that does not
 * go to zero; "flat" means the slope is below FLAT_SLOPE_MIB_PER_10_MIN.
 */

/** One sample: seconds since the soak started, resident set in MiB. */
export interface RssSample {
	tS: number;
	rssMiB: number;
}

/**
 * Growth, in MiB per 10 minutes over the second half, below which the curve counts as flat. At about
 * three completion requests a second, 2 MiB per 10 minutes is roughly 1 KiB kept per request: a
 * leak of one prompt's text per request would be several times that; allocator noise averages out
 * of a least-squares fit over hundreds of samples.
 */
export const FLAT_SLOPE_MIB_PER_10_MIN = 2;

/** Fewer samples than this in the second half: too short a run to call. */
export const MIN_FIT_SAMPLES = 10;

export type RssVerdict = 'flat' | 'growing' | 'too-short';

export interface RssSummary {
	samples: number;
	durationS: number;
	startMiB: number;
	endMiB: number;
	peakMiB: number;
	/** Least-squares slope of rss over time, over the samples of the second half (t ≥ half the duration). */
	slopeMiBPer10Min: number | null;
	/** Samples the slope was fitted on. */
	fitSamples: number;
	thresholdMiBPer10Min: number;
	verdict: RssVerdict;
}

/** Slope of y over x by ordinary least squares; null with fewer than two distinct x. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number | null {
	const n = points.length;
	if (n < 2) {
		return null;
	}
	const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
	const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
	let sxy = 0;
	let sxx = 0;
	for (const { x, y } of points) {
		sxy += (x - meanX) * (y - meanY);
		sxx += (x - meanX) ** 2;
	}
	return sxx === 0 ? null : sxy / sxx;
}

export function summarizeRss(curve: readonly RssSample[], thresholdMiBPer10Min = FLAT_SLOPE_MIB_PER_10_MIN): RssSummary {
	if (curve.length === 0) {
		return {
			samples: 0,
			durationS: 0,
			startMiB: 0,
			endMiB: 0,
			peakMiB: 0,
			slopeMiBPer10Min: null,
			fitSamples: 0,
			thresholdMiBPer10Min,
			verdict: 'too-short',
		};
	}
	const first = curve[0]!;
	const last = curve.at(-1)!;
	const half = first.tS + (last.tS - first.tS) / 2;
	const fit = curve.filter((sample) => sample.tS >= half);
	const perSecond = leastSquaresSlope(fit.map((sample) => ({ x: sample.tS, y: sample.rssMiB })));
	const slope = perSecond === null ? null : round2(perSecond * 600);
	const verdict: RssVerdict =
		slope === null || fit.length < MIN_FIT_SAMPLES ? 'too-short' : slope < thresholdMiBPer10Min ? 'flat' : 'growing';
	return {
		samples: curve.length,
		durationS: round2(last.tS - first.tS),
		startMiB: first.rssMiB,
		endMiB: last.rssMiB,
		peakMiB: Math.max(...curve.map((sample) => sample.rssMiB)),
		slopeMiBPer10Min: slope,
		fitSamples: fit.length,
		thresholdMiBPer10Min,
		verdict,
	};
}

/** VmRSS of a /proc/PID/status text (current resident set), in MiB with one decimal; null when absent. */
export function parseRssMiB(status: string): number | null {
	const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
	return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
