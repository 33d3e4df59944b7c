import type { ReplayResult } from '../replay/replayTrace.js';
import { distribution, percentile, type Distribution } from './percentile.js';
import { computeBoundMs, type ModelSpeeds } from './computeBound.js';
import type { RequestRow, RunRow } from './requestRows.js';
import { cancelToComputeStop, shownWithin, type CancelToComputeStop, type ShownWithin } from './cancelAndShown.js';

export interface TraceSummary {
	trace: string;
	keystrokes: number;
	durationMs: number;
	requests: number;
	/** Runs started for requests (prefetches not counted), per key press. */
	modelCallsPerKeystroke: number;
	requestsPerKeystroke: number;
	/** How requests were answered. */
	sources: Record<string, number>;
	/** Keys that typed the next character of the ghost text on screen, and model runs they caused (target 0). */
	typeThrough: { keystrokes: number; modelCalls: number };
	outcomes: { delivered: number; deliveredEmpty: number; cancelled: number; errors: number };
	/** Key press to the result of a request the editor did not drop (cache answers included). */
	latencyMs: Distribution;
	/** The same, only for requests answered by a model run of their own. */
	modelLatencyMs: Distribution;
	/** Of delivered model answers: waiting in the engine's queue. */
	queuedMsOfDelivered: Distribution;
	/** Why delivered model answers stopped; anything but max-tokens means generation was cut short. */
	stopReasons: Record<string, number>;
	runs: { requests: number; prefetches: number; cancelled: number; smallFirstPrompt: number };
	promptTokens: {
		meanPerRun: number | null;
		evaluatedPerRun: number | null;
		newPerRun: number | null;
		reusedPerRun: number | null;
		/** Sum evaluated / sum new over all runs: how many times over the new tokens were computed (target ≤ 1.2). */
		evaluatedToNewRatio: number | null;
		/** Evaluated by runs that were then cancelled: work nobody saw. */
		evaluatedInCancelledRuns: number;
		/** The least a prefix-only KV reuse must evaluate, per run; above it, cancelled runs left the cache short. */
		prefixReuseMinimumPerRun: number | null;
	};
	cacheHits: { exact: number; typeThrough: number };
	cancelLatencyMs: { count: number; p50: number | null; max: number | null };
	/** The editor's cancel to the end of llama.cpp's last batch or token for the cancelled run, over every cancelled run. */
	cancelToComputeStopMs: CancelToComputeStop;
	/** Keystrokes that saw a suggestion on screen within 300 ms (typed through, or delivered that fast). */
	suggestionShown: ShownWithin;
	/** Tokens that came out of a run after its abort (target ≤ 1 per run). */
	tokensAfterAbort: { total: number; max: number };
	cpuSecondsPer100Keystrokes: number;
	computeBound: { count: number; p50Ms: number | null; medianRatio: number | null; p95Ratio: number | null };
	/**
	 * Where a delivered model answer's latency went, medians over the answers whose own run answered
	 * them: before the run started (the adaptive wait, the queue), from its start to its first token
	 * (the generation hold and the prompt's new tokens with the first decode), and the rest of
	 * generation; beside them the median bound.
	 */
	latencyBreakdownMs: {
		count: number;
		beforeRun: number | null;
		toFirstToken: number | null;
		afterFirstToken: number | null;
		bound: number | null;
	};
	/** The completion before the first key, from an empty KV cache (null without a warm-up). */
	coldStart: { latencyMs: number | null; promptTokens: number; evaluatedPromptTokens: number; boundMs: number | null } | null;
	accepts: ReplayResult['accepts'];
	typedShown: ReplayResult['typedShown'];
	eventLagMs: { p50: number | null; max: number | null };
	loadAverage: ReplayResult['loadAverage'];
}

export interface SummaryInput {
	replay: ReplayResult;
	requests: readonly RequestRow[];
	/** Runs after the warm-up's, in the order they ran. */
	runs: readonly RunRow[];
	warmUp?: { request: RequestRow; run?: RunRow };
	speeds: ModelSpeeds;
}

export function summarizeTrace({ replay, requests: rows, runs, warmUp, speeds }: SummaryInput): TraceSummary {
	const keystrokes = Math.max(1, replay.events);
	const delivered = rows.filter((row) => row.outcome === 'delivered');
	const deliveredModel = delivered.filter((row) => row.source === 'model');
	const cancelled = rows.filter((row) => row.outcome === 'cancelled');
	const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
	const mean = (values: readonly number[]) => (values.length === 0 ? null : round(sum(values) / values.length));
	const ratio = (numerator: number, denominator: number) => (denominator > 0 ? Math.round((numerator / denominator) * 100) / 100 : null);
	const present = (values: readonly (number | null)[]) => values.filter((value): value is number => value !== null);
	const count = (values: readonly string[]) =>
		values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

	const requestRuns = runs.filter((run) => run.kind === 'request');
	const runsById = new Map(runs.map((run) => [run.id, run]));
	const typedThrough = rows.filter((row) => row.typedThroughSuggestion);
	const ratios = present(deliveredModel.map((row) => row.boundRatio));
	const cpuSeconds = (replay.cpuMicros.user + replay.cpuMicros.system) / 1e6;
	const cancelLatencies = present(cancelled.map((row) => row.cancelLatencyMs));

	return {
		trace: replay.trace,
		keystrokes: replay.events,
		durationMs: round(replay.durationMs),
		requests: rows.length,
		modelCallsPerKeystroke: round2(requestRuns.length / keystrokes),
		requestsPerKeystroke: round2(rows.length / keystrokes),
		sources: count(rows.map((row) => row.source ?? 'none')),
		typeThrough: {
			keystrokes: typedThrough.length,
			modelCalls: typedThrough.filter((row) => row.source === 'model' && row.runId !== null && runsById.has(row.runId)).length,
		},
		outcomes: {
			delivered: delivered.length,
			deliveredEmpty: delivered.filter((row) => row.textLength === 0).length,
			cancelled: cancelled.length,
			errors: rows.filter((row) => row.outcome === 'error').length,
		},
		latencyMs: distribution(present(delivered.map((row) => row.latencyMs))),
		modelLatencyMs: distribution(present(deliveredModel.map((row) => row.latencyMs))),
		queuedMsOfDelivered: distribution(deliveredModel.map((row) => row.queuedMs)),
		stopReasons: count(deliveredModel.map((row) => row.stopReason ?? 'unknown')),
		runs: {
			requests: requestRuns.length,
			prefetches: runs.length - requestRuns.length,
			cancelled: runs.filter((run) => run.stopReason === 'cancelled').length,
			smallFirstPrompt: runs.filter((run) => run.smallFirstPrompt).length,
		},
		promptTokens: {
			meanPerRun: mean(runs.map((run) => run.promptTokens)),
			evaluatedPerRun: mean(runs.map((run) => run.evaluatedPromptTokens)),
			newPerRun: mean(runs.map((run) => run.newPromptTokens)),
			reusedPerRun: mean(runs.map((run) => run.reusedPromptTokens)),
			evaluatedToNewRatio: ratio(sum(runs.map((run) => run.evaluatedPromptTokens)), sum(runs.map((run) => run.newPromptTokens))),
			evaluatedInCancelledRuns: sum(runs.filter((run) => run.stopReason === 'cancelled').map((run) => run.evaluatedPromptTokens)),
			prefixReuseMinimumPerRun: mean(runs.map((run) => run.prefixReuseMinimum)),
		},
		cacheHits: {
			exact: rows.filter((row) => row.cacheHit === 'exact').length,
			typeThrough: rows.filter((row) => row.cacheHit === 'type-through').length,
		},
		cancelLatencyMs: {
			count: cancelLatencies.length,
			p50: roundOrNull(percentile(cancelLatencies, 50)),
			max: cancelLatencies.length === 0 ? null : round(Math.max(...cancelLatencies)),
		},
		cancelToComputeStopMs: cancelToComputeStop(rows, runs),
		suggestionShown: shownWithin(
			rows.map((row) => ({
				typedThroughSuggestion: row.typedThroughSuggestion,
				delivered: row.outcome === 'delivered',
				textLength: row.textLength,
				latencyMs: row.latencyMs,
			})),
		),
		tokensAfterAbort: {
			total: sum(runs.map((run) => run.tokensAfterAbort)),
			max: Math.max(0, ...runs.map((run) => run.tokensAfterAbort)),
		},
		cpuSecondsPer100Keystrokes: round2((cpuSeconds / keystrokes) * 100),
		computeBound: {
			count: ratios.length,
			p50Ms: roundOrNull(percentile(present(deliveredModel.map((row) => row.boundMs)), 50)),
			medianRatio: roundOrNull(percentile(ratios, 50), 100),
			p95Ratio: roundOrNull(percentile(ratios, 95), 100),
		},
		latencyBreakdownMs: latencyBreakdown(deliveredModel, runsById),
		coldStart: warmUp
			? {
					latencyMs: warmUp.request.latencyMs,
					promptTokens: warmUp.run?.promptTokens ?? 0,
					evaluatedPromptTokens: warmUp.run?.evaluatedPromptTokens ?? 0,
					boundMs: warmUp.run
						? round(computeBoundMs(warmUp.run.newPromptTokens, warmUp.run.generatedTokens, speeds, warmUp.run.promptTokens))
						: null,
				}
			: null,
		accepts: { ...replay.accepts, waitedMs: round(replay.accepts.waitedMs) },
		typedShown: { ...replay.typedShown, waitedMs: round(replay.typedShown.waitedMs) },
		eventLagMs: {
			p50: roundOrNull(percentile(replay.eventLagMs, 50)),
			max: replay.eventLagMs.length === 0 ? null : round(Math.max(...replay.eventLagMs)),
		},
		loadAverage: replay.loadAverage,
	};
}

/**
 * All traces of a model as one, for the model's overall numbers: one trace gives only a few
 * delivered answers, too few for a p95 of its own. Request rows stay per trace (their new-token
 * counts compare within a trace); only the counters and samples are pooled.
 */
export function combineReplays(name: string, replays: readonly ReplayResult[]): ReplayResult {
	return {
		trace: name,
		events: replays.reduce((total, replay) => total + replay.events, 0),
		requests: replays.flatMap((replay) => replay.requests),
		runs: replays.flatMap((replay) => replay.runs),
		eventLagMs: replays.flatMap((replay) => replay.eventLagMs),
		accepts: {
			count: replays.reduce((total, replay) => total + replay.accepts.count, 0),
			missed: replays.reduce((total, replay) => total + replay.accepts.missed, 0),
			waitedMs: replays.reduce((total, replay) => total + replay.accepts.waitedMs, 0),
		},
		typedShown: {
			count: replays.reduce((total, replay) => total + replay.typedShown.count, 0),
			missed: replays.reduce((total, replay) => total + replay.typedShown.missed, 0),
			waitedMs: replays.reduce((total, replay) => total + replay.typedShown.waitedMs, 0),
		},
		durationMs: replays.reduce((total, replay) => total + replay.durationMs, 0),
		cpuMicros: {
			user: replays.reduce((total, replay) => total + replay.cpuMicros.user, 0),
			system: replays.reduce((total, replay) => total + replay.cpuMicros.system, 0),
		},
		loadAverage: { atStart: replays[0]?.loadAverage.atStart ?? 0, atEnd: replays.at(-1)?.loadAverage.atEnd ?? 0 },
	};
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}

function roundOrNull(value: number | undefined, scale = 10): number | null {
	return value === undefined ? null : Math.round(value * scale) / scale;
}

function latencyBreakdown(
	deliveredModel: readonly RequestRow[],
	runsById: ReadonlyMap<number, RunRow>,
): TraceSummary['latencyBreakdownMs'] {
	const answers = deliveredModel.flatMap((row) => {
		const run = row.runId === null ? undefined : runsById.get(row.runId);
		return run && row.latencyMs !== null && run.firstTokenMs !== null ? [{ row, run, firstTokenMs: run.firstTokenMs }] : [];
	});
	const median = (values: number[]) => roundOrNull(percentile(values, 50));
	return {
		count: answers.length,
		beforeRun: median(answers.map(({ row, run }) => row.latencyMs! - run.totalMs)),
		toFirstToken: median(answers.map(({ firstTokenMs }) => firstTokenMs)),
		afterFirstToken: median(answers.map(({ run, firstTokenMs }) => run.totalMs - firstTokenMs)),
		bound: median(answers.flatMap(({ row }) => (row.boundMs === null ? [] : [row.boundMs]))),
	};
}
