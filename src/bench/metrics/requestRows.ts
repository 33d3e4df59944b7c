import type { AnswerSource } from '../../engine/scheduling/completionScheduler.js';
import type { RequestRecord, RunRecord } from '../replay/replayTrace.js';
import { boundRatio, computeBoundMs, type ModelSpeeds } from './computeBound.js';
import { commonPrefixLength, newTokenCount } from './tokenDiff.js';

export type RequestOutcome =
	/** Answered and not dropped by the editor: ghost text (possibly empty) reached the screen. */
	| 'delivered'
	/** Dropped by the editor (newer key press or cursor move) before it settled. */
	| 'cancelled'
	| 'error';

/** One model run, with its prompt compared against the run before it (whose KV state it found). */
export interface RunRow {
	id: number;
	kind: RunRecord['kind'];
	stopReason: string;
	/** Answered from the small first prompt of a cold document (compared with the previous such run). */
	smallFirstPrompt: boolean;
	promptTokens: number;
	reusedPromptTokens: number;
	/** What really went through llama.cpp, partial chunks of a cancelled run included. */
	evaluatedPromptTokens: number;
	/** Tokens of this prompt that were not in the previous run's prompt (edit-script insertions). */
	newPromptTokens: number;
	/** The least an engine that only keeps the common prefix must evaluate after the previous prompt. */
	prefixReuseMinimum: number;
	generatedTokens: number;
	tokensAfterAbort: number;
	/** When the engine saw the abort, and when llama.cpp last computed for the run (ms on the replay's clock). */
	engineAbortedAtMs: number | null;
	computeEndedAtMs: number | null;
	/** From the run's start in the pipeline (after the wait before it) to its first generated token, and to its end. */
	firstTokenMs: number | null;
	totalMs: number;
}

/** One request, flattened for the report: how it was answered, its run, and the bound. */
export interface RequestRow {
	index: number;
	eventIndex: number;
	eventKind: string;
	issuedAtMs: number;
	/** Key press to settled promise. */
	latencyMs: number | null;
	outcome: RequestOutcome;
	source: AnswerSource | null;
	typedThroughSuggestion: boolean;
	stopReason: string | null;
	textLength: number;
	cacheHit: string | null;
	/** The run that answered it (its own or the one it joined), when it reached the model. */
	runId: number | null;
	queuedMs: number;
	/** When the editor dropped it (ms on the replay's clock); null if it did not. */
	abortedAtMs: number | null;
	/** Abort call to settled promise, for requests the editor dropped. */
	cancelLatencyMs: number | null;
	boundMs: number | null;
	boundRatio: number | null;
}

/**
 * Runs in the order they ran, each compared with the previous run whose KV state it found: a run on
 * the small first prompt of a cold document with the previous such run (they share a sequence beside
 * the document's own), any other run with the previous other run. The first is compared with
 * `previousPrompt`, or counted all new.
 */
export function runRows(runs: readonly RunRecord[], previousPrompt?: readonly number[]): RunRow[] {
	const previousOf: { whole?: readonly number[]; small?: readonly number[] } = { whole: previousPrompt };
	return runs.map((run) => {
		const lane = run.smallFirstPrompt === true ? 'small' : 'whole';
		const previous = previousOf[lane];
		const prompt = run.promptTokens;
		const row: RunRow = {
			id: run.id,
			kind: run.kind,
			stopReason: run.stopReason,
			smallFirstPrompt: run.smallFirstPrompt === true,
			promptTokens: prompt.length,
			reusedPromptTokens: run.reusedPromptTokens,
			evaluatedPromptTokens: run.evaluatedPromptTokens,
			newPromptTokens: previous ? newTokenCount(previous, prompt) : prompt.length,
			prefixReuseMinimum: prompt.length - (previous ? commonPrefixLength(previous, prompt) : 0),
			generatedTokens: run.generatedTokens,
			tokensAfterAbort: run.tokensAfterAbort,
			engineAbortedAtMs: run.engineAbortedAt === undefined ? null : round(run.engineAbortedAt),
			computeEndedAtMs: run.computeEndedAt === undefined ? null : round(run.computeEndedAt),
			firstTokenMs: run.firstTokenMs === undefined ? null : round(run.firstTokenMs),
			totalMs: round(run.totalMs),
		};
		previousOf[lane] = prompt;
		return row;
	});
}

export function requestRows(records: readonly RequestRecord[], runs: ReadonlyMap<number, RunRow>, speeds: ModelSpeeds): RequestRow[] {
	return records.map((record) => {
		const stats = record.result?.stats;
		const settled = record.settledAt;
		const outcome: RequestOutcome =
			record.error !== undefined
				? 'error'
				: record.abortedAt !== undefined || record.result?.stopReason === 'cancelled'
					? 'cancelled'
					: 'delivered';
		const latencyMs = settled === undefined ? null : settled - record.issuedAt;
		const run = record.runId === undefined ? undefined : runs.get(record.runId);

		// The bound of an answer from the model: its run's new prompt tokens and generated tokens.
		let boundMs: number | null = null;
		let ratio: number | null = null;
		if (outcome === 'delivered' && record.source === 'model' && run && latencyMs !== null) {
			boundMs = computeBoundMs(run.newPromptTokens, run.generatedTokens, speeds, run.promptTokens);
			ratio = boundRatio(latencyMs, boundMs) ?? null;
		}

		return {
			index: record.index,
			eventIndex: record.eventIndex,
			eventKind: record.eventKind,
			issuedAtMs: round(record.issuedAt),
			latencyMs: latencyMs === null ? null : round(latencyMs),
			outcome,
			source: record.source ?? null,
			typedThroughSuggestion: record.typedThroughSuggestion === true,
			stopReason: record.result?.stopReason ?? null,
			textLength: record.result?.textLength ?? 0,
			cacheHit: stats?.cacheHit ?? null,
			runId: run?.id ?? null,
			queuedMs: round(stats?.queuedMs ?? 0),
			abortedAtMs: record.abortedAt === undefined ? null : round(record.abortedAt),
			cancelLatencyMs: record.abortedAt !== undefined && settled !== undefined ? round(settled - record.abortedAt) : null,
			boundMs: boundMs === null ? null : round(boundMs),
			boundRatio: ratio === null ? null : Math.round(ratio * 100) / 100,
		};
	});
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}
