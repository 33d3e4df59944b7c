import type { ReplayResult } from '../replay/replayTrace.js';
import { distribution, percentile, type Distribution } from './percentile.js';
import type { RequestRow } from './requestRows.js';

export interface TraceSummary {
	trace: string;
	keystrokes: number;
	durationMs: number;
	requests: number;
	/** Requests that got into a model run, per key press. */
	modelCallsPerKeystroke: number;
	requestsPerKeystroke: number;
	outcomes: { delivered: number; deliveredEmpty: number; cancelled: number; cancelledWhileQueued: number; errors: number };
	/** Key press to the result of a request the editor did not drop (cache answers included). */
	latencyMs: Distribution;
	/** The same, only for requests answered by the model. */
	modelLatencyMs: Distribution;
	/** Of delivered model answers: waiting in the engine's queue behind cancelled runs. */
	queuedMsOfDelivered: Distribution;
	/** Why delivered model answers stopped; anything but max-tokens means generation was cut short. */
	stopReasons: Record<string, number>;
	promptTokens: {
		meanPerModelCall: number | null;
		evaluatedPerModelCall: number | null;
		newPerModelCall: number | null;
		reusedPerModelCall: number | null;
		/** Sum evaluated / sum new over all runs: how many times over the new tokens were computed. */
		evaluatedToNewRatio: number | null;
		/** Evaluated by runs that were then cancelled: work nobody saw. */
		evaluatedInCancelledRuns: number;
		/** Runs whose answer was delivered, which evaluated their whole prompt. */
		delivered: {
			evaluatedPerRun: number | null;
			newPerRun: number | null;
			/** The least a prefix-only KV reuse must evaluate after the previous prompt; above it, cancelled runs left the cache short. */
			prefixReuseMinimumPerRun: number | null;
		};
	};
	cacheHits: { exact: number; typeThrough: number };
	cancelLatencyMs: {
		/** Every dropped request: abort to settled. */
		all: { count: number; p50: number | null; max: number | null };
		/** Dropped while the model was working on it (the engine's own stopping time). */
		running: { count: number; p50: number | null; max: number | null };
	};
	tokensAfterAbort: { total: number; max: number };
	cpuSecondsPer100Keystrokes: number;
	computeBound: { count: number; p50Ms: number | null; medianRatio: number | null; p95Ratio: number | null };
	/** The completion before the first key, from an empty KV cache (null without a warm-up). */
	coldStart: { latencyMs: number | null; promptTokens: number; evaluatedPromptTokens: number; boundMs: number | null; boundRatio: number | null } | null;
	accepts: ReplayResult['accepts'];
	eventLagMs: { p50: number | null; max: number | null };
	loadAverage: ReplayResult['loadAverage'];
}

export function summarizeTrace(replay: ReplayResult, rows: readonly RequestRow[], warmUp?: RequestRow): TraceSummary {
	const keystrokes = Math.max(1, replay.events);
	const delivered = rows.filter((row) => row.outcome === 'delivered');
	const deliveredModel = delivered.filter((row) => row.modelRun);
	const modelRuns = rows.filter((row) => row.modelRun);
	const cancelled = rows.filter((row) => row.outcome === 'cancelled');
	const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
	const mean = (values: readonly number[]) => (values.length === 0 ? null : round(sum(values) / values.length));
	const ratio = (numerator: number, denominator: number) => (denominator > 0 ? Math.round((numerator / denominator) * 100) / 100 : null);
	const shortDistribution = (values: readonly number[]) => ({ count: values.length, p50: roundOrNull(percentile(values, 50)), max: values.length === 0 ? null : round(Math.max(...values)) });
	const present = (values: readonly (number | null)[]) => values.filter((value): value is number => value !== null);

	const evaluated = modelRuns.map((row) => row.evaluatedPromptTokens);
	const newTokens = present(modelRuns.map((row) => row.newPromptTokens));
	const stopReasons: Record<string, number> = {};
	for (const row of deliveredModel) {
		stopReasons[row.stopReason ?? 'unknown'] = (stopReasons[row.stopReason ?? 'unknown'] ?? 0) + 1;
	}
	const ratios = present(deliveredModel.map((row) => row.boundRatio));
	const cpuSeconds = (replay.cpuMicros.user + replay.cpuMicros.system) / 1e6;

	return {
		trace: replay.trace,
		keystrokes: replay.events,
		durationMs: round(replay.durationMs),
		requests: rows.length,
		modelCallsPerKeystroke: round2(modelRuns.length / keystrokes),
		requestsPerKeystroke: round2(rows.length / keystrokes),
		outcomes: {
			delivered: delivered.length,
			deliveredEmpty: delivered.filter((row) => row.textLength === 0).length,
			cancelled: cancelled.length,
			cancelledWhileQueued: cancelled.filter((row) => !row.modelRun).length,
			errors: rows.filter((row) => row.outcome === 'error').length,
		},
		latencyMs: distribution(present(delivered.map((row) => row.latencyMs))),
		modelLatencyMs: distribution(present(deliveredModel.map((row) => row.latencyMs))),
		queuedMsOfDelivered: distribution(deliveredModel.map((row) => row.queuedMs)),
		stopReasons,
		promptTokens: {
			meanPerModelCall: mean(modelRuns.map((row) => row.promptTokens)),
			evaluatedPerModelCall: mean(evaluated),
			newPerModelCall: mean(newTokens),
			reusedPerModelCall: mean(modelRuns.map((row) => row.reusedPromptTokens)),
			evaluatedToNewRatio: ratio(sum(evaluated), sum(newTokens)),
			evaluatedInCancelledRuns: sum(modelRuns.filter((row) => row.outcome === 'cancelled').map((row) => row.evaluatedPromptTokens)),
			delivered: {
				evaluatedPerRun: mean(deliveredModel.map((row) => row.evaluatedPromptTokens)),
				newPerRun: mean(present(deliveredModel.map((row) => row.newPromptTokens))),
				prefixReuseMinimumPerRun: mean(present(deliveredModel.map((row) => row.prefixReuseMinimum))),
			},
		},
		cacheHits: {
			exact: rows.filter((row) => row.cacheHit === 'exact').length,
			typeThrough: rows.filter((row) => row.cacheHit === 'type-through').length,
		},
		cancelLatencyMs: {
			all: shortDistribution(present(cancelled.map((row) => row.cancelLatencyMs))),
			running: shortDistribution(present(cancelled.filter((row) => row.modelRun).map((row) => row.cancelLatencyMs))),
		},
		tokensAfterAbort: { total: sum(rows.map((row) => row.tokensAfterAbort)), max: Math.max(0, ...rows.map((row) => row.tokensAfterAbort)) },
		cpuSecondsPer100Keystrokes: round2((cpuSeconds / keystrokes) * 100),
		computeBound: {
			count: ratios.length,
			p50Ms: roundOrNull(percentile(present(deliveredModel.map((row) => row.boundMs)), 50)),
			medianRatio: roundOrNull(percentile(ratios, 50), 100),
			p95Ratio: roundOrNull(percentile(ratios, 95), 100),
		},
		coldStart: warmUp
			? { latencyMs: warmUp.latencyMs, promptTokens: warmUp.promptTokens, evaluatedPromptTokens: warmUp.evaluatedPromptTokens, boundMs: warmUp.boundMs, boundRatio: warmUp.boundRatio }
			: null,
		accepts: { ...replay.accepts, waitedMs: round(replay.accepts.waitedMs) },
		eventLagMs: { p50: roundOrNull(percentile(replay.eventLagMs, 50)), max: replay.eventLagMs.length === 0 ? null : round(Math.max(...replay.eventLagMs)) },
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
		eventLagMs: replays.flatMap((replay) => replay.eventLagMs),
		accepts: {
			count: replays.reduce((total, replay) => total + replay.accepts.count, 0),
			missed: replays.reduce((total, replay) => total + replay.accepts.missed, 0),
			waitedMs: replays.reduce((total, replay) => total + replay.accepts.waitedMs, 0),
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
