import type { TraceSummary } from '../metrics/summarizeTrace.js';
import type { ServerTraceSummary } from './summarizeServerReplay.js';

/** The numbers both sides of the race have, defined the same way. */
export interface RaceSide {
	/** Key press to a delivered answer (cache answers included), over the calls the editor kept. */
	latencyP50Ms: number | null;
	latencyP95Ms: number | null;
	latencyMeanMs: number | null;
	delivered: number;
	/** First key to the last answer, the trailing background work included. */
	durationMs: number;
	/** Prompt tokens that went through llama.cpp during the trace. */
	promptTokensEvaluated: number;
	/** CPU of the process that ran the model (Hearth's worker, or llama-server) over the trace. */
	cpuSeconds: number | null;
	peakRssMiB: number | null;
	/** The completion before the first key, from an empty KV cache. */
	coldStartMs: number | null;
	/** p95 of the editor's cancel to the end of llama.cpp's computing for the cancelled request, and how many. */
	cancelToComputeStopP95Ms: number | null;
	cancelledComputations: number;
	/** Share of keystrokes with a suggestion on screen within 300 ms (higher is better). */
	suggestionShownShare: number | null;
}

export type RaceMetric = keyof RaceSide;

export interface RaceComparison {
	trace: string;
	hearth: RaceSide;
	llamaServer: RaceSide;
	/** Hearth ÷ llama-server; below 1 Hearth needed less. */
	ratios: Record<RaceMetric, number | null>;
	/**
	 * Issue #4: Hearth should need at most a third of llama-server's time. A latency or CPU verdict
	 * needs at least MIN_RACE_ANSWERS delivered answers on each side; with fewer it is null, never met
	 * (a side that answered a few times was not doing the trace's work: see raceTargets).
	 */
	target: {
		ratioAtMost: number;
		minAnswers: number;
		latencyP50: boolean | null;
		latencyP95: boolean | null;
		cpuSeconds: boolean | null;
	};
}

export const RACE_TARGET_RATIO = 1 / 3;
/** Answers each side must deliver before its latency percentiles count for the target. */
export const MIN_RACE_ANSWERS = 30;

export function hearthSide(summary: TraceSummary, peakRssMiB: number | null): RaceSide {
	const runs = summary.runs.requests + summary.runs.prefetches;
	return {
		latencyP50Ms: summary.latencyMs.p50,
		latencyP95Ms: summary.latencyMs.p95,
		latencyMeanMs: summary.latencyMs.mean,
		delivered: summary.latencyMs.count,
		durationMs: summary.durationMs,
		// The summary keeps a mean per run; times the runs gives the trace's total back.
		promptTokensEvaluated: Math.round((summary.promptTokens.evaluatedPerRun ?? 0) * runs),
		cpuSeconds: round2((summary.cpuSecondsPer100Keystrokes * summary.keystrokes) / 100),
		peakRssMiB,
		coldStartMs: summary.coldStart?.latencyMs ?? null,
		cancelToComputeStopP95Ms: summary.cancelToComputeStopMs.all.p95,
		cancelledComputations: summary.cancelToComputeStopMs.all.count,
		suggestionShownShare: summary.suggestionShown.share,
	};
}

export function serverSide(summary: ServerTraceSummary, peakRssMiB: number | null): RaceSide {
	return {
		latencyP50Ms: summary.latencyMs.p50,
		latencyP95Ms: summary.latencyMs.p95,
		latencyMeanMs: summary.latencyMs.mean,
		delivered: summary.latencyMs.count,
		durationMs: summary.durationMs,
		promptTokensEvaluated: summary.promptTokens.evaluated,
		cpuSeconds: summary.cpuSeconds,
		peakRssMiB,
		coldStartMs: summary.coldStart?.latencyMs ?? null,
		cancelToComputeStopP95Ms: summary.cancelToComputeStopMs.p95,
		cancelledComputations: summary.cancelToComputeStopMs.count,
		suggestionShownShare: summary.suggestionShown.share,
	};
}

export function compareRace(trace: string, hearth: RaceSide, llamaServer: RaceSide): RaceComparison {
	const ratio = (metric: RaceMetric): number | null => {
		const ours = hearth[metric];
		const theirs = llamaServer[metric];
		return ours === null || theirs === null || theirs === 0 ? null : Math.round((ours / theirs) * 1000) / 1000;
	};
	const ratios = Object.fromEntries((Object.keys(hearth) as RaceMetric[]).map((metric) => [metric, ratio(metric)])) as Record<
		RaceMetric,
		number | null
	>;
	const enoughAnswers = hearth.delivered >= MIN_RACE_ANSWERS && llamaServer.delivered >= MIN_RACE_ANSWERS;
	const met = (value: number | null) => (!enoughAnswers || value === null ? null : value <= RACE_TARGET_RATIO);
	return {
		trace,
		hearth,
		llamaServer,
		ratios,
		target: {
			ratioAtMost: Math.round(RACE_TARGET_RATIO * 1000) / 1000,
			minAnswers: MIN_RACE_ANSWERS,
			latencyP50: met(ratios.latencyP50Ms),
			latencyP95: met(ratios.latencyP95Ms),
			cpuSeconds: met(ratios.cpuSeconds),
		},
	};
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
