import type { RequestRecord } from '../replay/replayTrace.js';
import { boundRatio, computeBoundMs, type ModelSpeeds } from './computeBound.js';
import { commonPrefixLength, newTokenCount } from './tokenDiff.js';

export type RequestOutcome =
	/** Answered and not dropped by the editor: ghost text (possibly empty) reached the screen. */
	| 'delivered'
	/** Dropped by the editor (newer key press or cursor move) before it settled. */
	| 'cancelled'
	| 'error';

/** One request, flattened for the report: what the engine said, what the probe saw, and the bound. */
export interface RequestRow {
	index: number;
	eventIndex: number;
	eventKind: string;
	issuedAtMs: number;
	/** Key press to settled promise. */
	latencyMs: number | null;
	outcome: RequestOutcome;
	stopReason: string | null;
	textLength: number;
	cacheHit: string | null;
	/** The request got into a model run (not answered from the cache, not dropped while queued). */
	modelRun: boolean;
	promptTokens: number;
	reusedPromptTokens: number;
	/** The engine's own count; 0 when it was cancelled during prompt evaluation. */
	engineEvaluatedPromptTokens: number;
	/** What really went through llama.cpp, partial chunks of a cancelled run included. */
	evaluatedPromptTokens: number;
	/** Tokens of this prompt that were not in the previous run's prompt (edit-script insertions). */
	newPromptTokens: number | null;
	/** The least an engine that only keeps the common prefix must evaluate after the previous prompt. */
	prefixReuseMinimum: number | null;
	generatedTokens: number;
	tokensAfterAbort: number;
	queuedMs: number;
	promptMs: number;
	/** Abort call to settled promise, for requests the editor dropped. */
	cancelLatencyMs: number | null;
	boundMs: number | null;
	boundRatio: number | null;
}

/**
 * `warmUp` is the run before the first key (if any): its prompt is what the first request's new
 * tokens are counted against.
 */
export function requestRows(records: readonly RequestRecord[], speeds: ModelSpeeds, warmUp?: RequestRecord): RequestRow[] {
	let previousPrompt: readonly number[] | undefined = warmUp?.run?.promptTokens;
	return records.map((record) => {
		const stats = record.result?.stats;
		const settled = record.settledAt;
		const outcome: RequestOutcome =
			record.error !== undefined ? 'error' : record.abortedAt !== undefined || record.result?.stopReason === 'cancelled' ? 'cancelled' : 'delivered';
		const latencyMs = settled === undefined ? null : settled - record.issuedAt;

		let newPromptTokens: number | null = null;
		let prefixReuseMinimum: number | null = null;
		if (record.run) {
			const prompt = record.run.promptTokens;
			// The first run of a trace starts from an empty KV cache: all of its prompt is new.
			newPromptTokens = previousPrompt ? newTokenCount(previousPrompt, prompt) : prompt.length;
			prefixReuseMinimum = prompt.length - (previousPrompt ? commonPrefixLength(previousPrompt, prompt) : 0);
			previousPrompt = prompt;
		}

		let boundMs: number | null = null;
		let ratio: number | null = null;
		if (outcome === 'delivered' && record.run && stats && latencyMs !== null) {
			boundMs = computeBoundMs(newPromptTokens!, stats.generatedTokens, speeds);
			ratio = boundRatio(latencyMs, boundMs) ?? null;
		}

		return {
			index: record.index,
			eventIndex: record.eventIndex,
			eventKind: record.eventKind,
			issuedAtMs: round(record.issuedAt),
			latencyMs: latencyMs === null ? null : round(latencyMs),
			outcome,
			stopReason: record.result?.stopReason ?? null,
			textLength: record.result?.textLength ?? 0,
			cacheHit: stats?.cacheHit ?? null,
			modelRun: record.run !== undefined,
			promptTokens: stats?.promptTokens ?? 0,
			reusedPromptTokens: stats?.reusedPromptTokens ?? 0,
			engineEvaluatedPromptTokens: stats?.evaluatedPromptTokens ?? 0,
			evaluatedPromptTokens: record.run?.evaluatedPromptTokens ?? 0,
			newPromptTokens,
			prefixReuseMinimum,
			generatedTokens: stats?.generatedTokens ?? 0,
			tokensAfterAbort: stats?.tokensAfterAbort ?? 0,
			queuedMs: round(stats?.queuedMs ?? 0),
			promptMs: round(stats?.promptMs ?? 0),
			cancelLatencyMs: record.abortedAt !== undefined && settled !== undefined ? round(settled - record.abortedAt) : null,
			boundMs: boundMs === null ? null : round(boundMs),
			boundRatio: ratio === null ? null : Math.round(ratio * 100) / 100,
		};
	});
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}
