/**
 * The confidence gate's threshold, chosen from one replay without the gate: for each candidate
 * threshold, the suggestions whose confidence is below it would not have been shown (saving nothing,
 * wrong no more). The rule picks the threshold: wrong suggestions shown at most half of the
 * ungated count, characters saved at least 90 % of it; among those, the one that keeps the most
 * characters saved (the lowest such threshold).
 */
import { round } from './qualityMetrics.js';

export interface GatedPoint {
	shown: boolean;
	wrong: boolean;
	charsSaved: number;
	/** Natural-log token probability figure the gate compares (mean or minimum); undefined: never held back. */
	confidence?: number;
}

export interface SweepRow {
	threshold: number;
	/** exp(threshold) × 100: for the `min` sweep, hearth.inlineCompletion.minConfidence (every token's least probability, in percent); for `mean`, a geometric-mean probability. */
	percent: number;
	shown: number;
	wrong: number;
	charsSaved: number;
	/** wrong ÷ ungated wrong, chars saved ÷ ungated chars saved */
	wrongRatio: number;
	charsSavedRatio: number;
}

export interface SweepResult {
	ungated: { shown: number; wrong: number; charsSaved: number };
	rows: SweepRow[];
	/** The threshold the rule picks, or null when none halves the wrong ones within the 10 % loss. */
	chosen: SweepRow | null;
	rule: string;
}

export const SWEEP_RULE = 'the lowest threshold with wrong shown ≤ 0.5 × ungated and characters saved ≥ 0.9 × ungated';

export function sweepThresholds(points: readonly GatedPoint[]): SweepResult {
	const shownPoints = points.filter((point) => point.shown);
	const ungated = {
		shown: shownPoints.length,
		wrong: shownPoints.filter((point) => point.wrong).length,
		charsSaved: shownPoints.reduce((sum, point) => sum + point.charsSaved, 0),
	};
	// Each distinct confidence is a threshold that holds back exactly the points below it.
	const thresholds = [...new Set(shownPoints.flatMap((point) => (point.confidence === undefined ? [] : [point.confidence])))].sort(
		(a, b) => a - b,
	);
	const rows = thresholds.map((threshold) => {
		const kept = shownPoints.filter((point) => point.confidence === undefined || point.confidence >= threshold);
		const wrong = kept.filter((point) => point.wrong).length;
		const charsSaved = kept.reduce((sum, point) => sum + point.charsSaved, 0);
		return {
			threshold: round(threshold, 4),
			percent: round(100 * Math.exp(threshold), 2),
			shown: kept.length,
			wrong,
			charsSaved,
			wrongRatio: ungated.wrong === 0 ? 1 : round(wrong / ungated.wrong, 3),
			charsSavedRatio: ungated.charsSaved === 0 ? 1 : round(charsSaved / ungated.charsSaved, 3),
		};
	});
	const chosen = rows.find((row) => row.wrong <= 0.5 * ungated.wrong && row.charsSaved >= 0.9 * ungated.charsSaved) ?? null;
	return { ungated, rows, chosen, rule: SWEEP_RULE };
}
