/**
 * How one suggestion at one cursor point is scored against what the person types next, and how the
 * scores add up. Trailing whitespace of a suggestion is ignored (accepting a trailing line break
 * costs nothing to see), everything else counts character by character.
 */
import { distribution, type Distribution } from '../metrics/percentile.js';

export interface PointScore {
	/** A suggestion with something besides whitespace appeared. */
	shown: boolean;
	/** Its first line (from its first non-blank character) is the truth's first line exactly. */
	firstLineRight: boolean;
	/** The whole suggestion is a prefix of the truth. */
	wholePrefix: boolean;
	/** Shown, first line right and a prefix of the truth: the "precise" suggestion. */
	precise: boolean;
	/** Shown and not a prefix of the truth: accepting it whole leaves something to delete. */
	wrong: boolean;
	/** Characters the person does not type: the whole suggestion when right, else whole words up to the first wrong one. */
	charsSaved: number;
	truthChars: number;
}

/** The suggestion scored against the truth (the text that follows the cursor in the real file). */
export function scoreSuggestion(suggestion: string, truth: string): PointScore {
	const text = suggestion.trimEnd();
	const shown = text.trim() !== '';
	const wholePrefix = shown && truth.startsWith(text);
	const firstLineRight = shown && firstLine(text).trimEnd() === firstLine(truth).trimEnd();
	return {
		shown,
		firstLineRight,
		wholePrefix,
		precise: firstLineRight && wholePrefix,
		wrong: shown && !wholePrefix,
		charsSaved: !shown ? 0 : wholePrefix ? text.length : acceptedByWords(text, commonPrefixLength(text, truth)),
		truthChars: truth.length,
	};
}

/** Leading blank lines and indentation, then the line up to its line break. */
export function firstLine(text: string): string {
	const start = text.search(/\S/);
	if (start === -1) {
		return text;
	}
	const end = text.indexOf('\n', start);
	return end === -1 ? text : text.slice(0, end);
}

export function commonPrefixLength(a: string, b: string): number {
	let length = 0;
	while (length < a.length && length < b.length && a[length] === b[length]) {
		length++;
	}
	return length;
}

/**
 * Where accept-word (VS Code's "Accept Next Word Of Inline Suggestion") stops, step by step: each
 * step takes the whitespace before it and one run of word characters or of other non-space
 * characters. The answer is the furthest stop within the first `limit` characters.
 */
export function acceptedByWords(text: string, limit: number): number {
	const step = /\s*(?:[\p{L}\p{N}_$]+|[^\s\p{L}\p{N}_$]+)/uy;
	let accepted = 0;
	step.lastIndex = 0;
	while (step.lastIndex < text.length) {
		const match = step.exec(text);
		if (!match) {
			break;
		}
		if (step.lastIndex > limit) {
			break;
		}
		accepted = step.lastIndex;
	}
	return accepted;
}

/** One point as a side answered it: the score, and what it cost. */
export interface PointOutcome extends PointScore {
	latencyMs: number;
	generatedTokens: number;
}

export interface QualitySummary {
	points: number;
	shown: number;
	/** shown ÷ points */
	shownRate: number;
	precise: number;
	/** precise ÷ shown (null when nothing was shown) */
	precision: number | null;
	wrong: number;
	wrongPer100Points: number;
	charsSaved: number;
	truthChars: number;
	/** charsSaved ÷ truthChars */
	charsSavedRate: number;
	latencyMs: Distribution;
	generatedTokensPerPoint: number;
}

export function summarizeOutcomes(outcomes: readonly PointOutcome[]): QualitySummary {
	const count = (test: (outcome: PointOutcome) => boolean) => outcomes.filter(test).length;
	const sum = (value: (outcome: PointOutcome) => number) => outcomes.reduce((total, outcome) => total + value(outcome), 0);
	const shown = count((outcome) => outcome.shown);
	const precise = count((outcome) => outcome.precise);
	const wrong = count((outcome) => outcome.wrong);
	const charsSaved = sum((outcome) => outcome.charsSaved);
	const truthChars = sum((outcome) => outcome.truthChars);
	const points = outcomes.length;
	return {
		points,
		shown,
		shownRate: ratio(shown, points),
		precise,
		precision: shown === 0 ? null : ratio(precise, shown),
		wrong,
		wrongPer100Points: points === 0 ? 0 : round((100 * wrong) / points, 1),
		charsSaved,
		truthChars,
		charsSavedRate: ratio(charsSaved, truthChars),
		latencyMs: distribution(outcomes.map((outcome) => outcome.latencyMs)),
		generatedTokensPerPoint: points === 0 ? 0 : round(sum((outcome) => outcome.generatedTokens) / points, 1),
	};
}

function ratio(part: number, whole: number): number {
	return whole === 0 ? 0 : round(part / whole, 4);
}

export function round(value: number, digits: number): number {
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}
