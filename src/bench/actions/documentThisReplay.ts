/**
 * Does the local model's confidence mean anything? Document This is run on documented functions of
 * the quality replay's held-out files (their real comment taken away), each answer scored against
 * the real comment's summary (word-overlap F1), and the answer's confidence (mean and minimum token
 * log-probability) is checked for how well it separates good answers from bad: ROC AUC, and the
 * threshold that separates best (Youden's J), with the share of answers it flags as unsure.
 */

import { writeDocComment } from '../../engine/actions/writeDocComment.js';
import type { CompletionBackend } from '../../engine/runtime/completionBackend.js';
import type { QualityFile } from '../quality/qualityFixtures.js';
import { documentedFunctions, summaryF1, summaryOf, type DocumentedFunction } from './documentedFunctions.js';

/** An answer whose summary overlaps the real one at least this much (word F1) counts as good. */
export const GOOD_SUMMARY_F1 = 0.3;
/** Context above the function given to the model, in characters. */
const BEFORE_CHARS = 2_000;

export interface DocumentThisSample {
	language: string;
	reference: string;
	generated: string;
	f1: number;
	good: boolean;
	meanLogProb: number | null;
	minLogProb: number | null;
	ms: number;
}

export interface ConfidenceSeparation {
	/** P(a good answer's confidence > a bad one's), ties counted half; null without both kinds. */
	auc: number | null;
	/** Mean log-probability below which an answer is flagged unsure (best Youden's J); null without data. */
	threshold: number | null;
	/** Of all answers, the share the threshold flags. */
	flaggedShare: number | null;
	/** Of bad answers, the share flagged; of good answers, the share flagged. */
	badFlagged: number | null;
	goodFlagged: number | null;
}

export interface DocumentThisReport {
	definitions: Record<string, string>;
	tasks: number;
	good: number;
	meanF1: number;
	byMean: ConfidenceSeparation;
	byMin: ConfidenceSeparation;
	samples: DocumentThisSample[];
}

export function pickTasks(files: readonly QualityFile[], perLanguage: number): DocumentedFunction[] {
	const byLanguage = new Map<string, DocumentedFunction[]>();
	for (const file of files) {
		const list = byLanguage.get(file.language) ?? [];
		list.push(...documentedFunctions(file.text, file.language));
		byLanguage.set(file.language, list);
	}
	// Spread over each language's files rather than the first file's functions.
	return [...byLanguage.values()].flatMap((list) => {
		const step = Math.max(1, Math.floor(list.length / perLanguage));
		return list.filter((_, index) => index % step === 0).slice(0, perLanguage);
	});
}

export async function replayDocumentThis(
	engine: CompletionBackend,
	tasks: readonly DocumentedFunction[],
	onSample?: (sample: DocumentThisSample, index: number) => void,
): Promise<DocumentThisReport> {
	const samples: DocumentThisSample[] = [];
	for (const task of tasks) {
		const startedAt = performance.now();
		const outcome = await writeDocComment(engine, {
			kind: 'explain',
			code: task.code,
			languageId: task.language,
			before: task.before.slice(-BEFORE_CHARS),
		});
		const generated = summaryOf(outcome.comment);
		const f1 = summaryF1(generated, task.reference);
		const sample: DocumentThisSample = {
			language: task.language,
			reference: task.reference,
			generated,
			f1,
			good: f1 >= GOOD_SUMMARY_F1,
			meanLogProb: outcome.confidence?.meanLogProb ?? null,
			minLogProb: outcome.confidence?.minLogProb ?? null,
			ms: performance.now() - startedAt,
		};
		samples.push(sample);
		onSample?.(sample, samples.length - 1);
	}
	return {
		definitions: {
			task: 'a documented function from the quality replay held-out files, its doc comment removed; Document This writes one (the 2,000 characters above the function as context)',
			f1: "word-overlap F1 between the generated comment's summary (first paragraph, tags removed) and the real comment's",
			good: `f1 >= ${GOOD_SUMMARY_F1}`,
			auc: "ROC AUC of the confidence (mean or minimum token log-probability) as a score for 'good': 0.5 is chance, 1 separates perfectly",
			threshold:
				"the confidence below which an answer is flagged unsure, chosen to maximise Youden's J (share of bad answers flagged - share of good answers flagged)",
		},
		tasks: samples.length,
		good: samples.filter((sample) => sample.good).length,
		meanF1: samples.length ? samples.reduce((sum, sample) => sum + sample.f1, 0) / samples.length : 0,
		byMean: separation(samples.map((sample) => ({ score: sample.meanLogProb, good: sample.good }))),
		byMin: separation(samples.map((sample) => ({ score: sample.minLogProb, good: sample.good }))),
		samples,
	};
}

/** How well a score separates good from bad answers: AUC, and the best threshold for flagging. */
export function separation(points: readonly { score: number | null; good: boolean }[]): ConfidenceSeparation {
	const scored = points.filter(
		(point): point is { score: number; good: boolean } => point.score !== null && Number.isFinite(point.score),
	);
	const good = scored.filter((point) => point.good).map((point) => point.score);
	const bad = scored.filter((point) => !point.good).map((point) => point.score);
	if (good.length === 0 || bad.length === 0) {
		return { auc: null, threshold: null, flaggedShare: null, badFlagged: null, goodFlagged: null };
	}
	let wins = 0;
	for (const g of good) {
		for (const b of bad) {
			wins += g > b ? 1 : g === b ? 0.5 : 0;
		}
	}
	const auc = wins / (good.length * bad.length);
	// Candidate thresholds: between consecutive distinct scores; flagged = score < threshold.
	const distinct = [...new Set(scored.map((point) => point.score))].sort((a, b) => a - b);
	let best = { j: -Infinity, threshold: distinct[0]! };
	for (let index = 1; index < distinct.length; index++) {
		const threshold = (distinct[index - 1]! + distinct[index]!) / 2;
		const j = share(bad, threshold) - share(good, threshold);
		if (j > best.j) {
			best = { j, threshold };
		}
	}
	return {
		auc,
		threshold: best.threshold,
		flaggedShare: share(
			scored.map((point) => point.score),
			best.threshold,
		),
		badFlagged: share(bad, best.threshold),
		goodFlagged: share(good, best.threshold),
	};
}

function share(scores: readonly number[], threshold: number): number {
	return scores.length ? scores.filter((score) => score < threshold).length / scores.length : 0;
}
