/**
 * The speed targets (issues #4 and #21), each checked on what the run measured. A target with no
 * data is `met: null`, never met; one whose sample is too small to judge is null as well, with the
 * count beside it, so that a verdict always rests on measurements that could have failed it.
 */

import type { ModelRace } from '../race/raceModel.js';
import { MIN_RACE_ANSWERS, RACE_TARGET_RATIO, type RaceComparison } from '../race/compareRace.js';
import type { TraceSummary } from './summarizeTrace.js';

export interface TargetCheck {
	target: string;
	measured: number | null;
	/** How many samples the measurement rests on (runs, answers, keystrokes, cancelled runs). */
	count: number;
	met: boolean | null;
	/** Why `met` is null although something was measured. */
	note?: string;
}

export type Targets = Record<string, TargetCheck>;

export const EVALUATED_TO_NEW_AT_MOST = 1.2;
export const LATENCY_TO_BOUND_AT_MOST = 1.25;
export const CANCEL_TO_COMPUTE_STOP_P95_AT_MOST_MS = 50;
export const COLD_START_RATIO_AT_MOST = 1;
export const PEAK_RSS_RATIO_AT_MOST = 1;

function check(
	target: string,
	measured: number | null | undefined,
	count: number,
	meets: (value: number) => boolean,
	minCount = 1,
): TargetCheck {
	if (measured === null || measured === undefined || count === 0) {
		return { target, measured: measured ?? null, count, met: null };
	}
	if (count < minCount) {
		return { target, measured, count, met: null, note: `${count} samples, fewer than the ${minCount} the target needs` };
	}
	return { target, measured, count, met: meets(measured) };
}

/** Hearth's own targets, over every trace the model replayed. */
export function hearthTargets(all: TraceSummary): Targets {
	const runs = all.runs.requests + all.runs.prefetches;
	return {
		evaluatedToNew: check(
			`prompt tokens evaluated ≤ ${EVALUATED_TO_NEW_AT_MOST} × new (all traces, every run)`,
			all.promptTokens.evaluatedToNewRatio,
			runs,
			(value) => value <= EVALUATED_TO_NEW_AT_MOST,
		),
		latencyToBound: check(
			`median latency ≤ ${LATENCY_TO_BOUND_AT_MOST} × compute bound (all traces, delivered model answers)`,
			all.computeBound.medianRatio,
			all.computeBound.count,
			(value) => value <= LATENCY_TO_BOUND_AT_MOST,
		),
		typeThroughModelCalls: check(
			'0 model calls while typing through a suggestion (all traces; count: type-through keystrokes)',
			all.typeThrough.modelCalls,
			all.typeThrough.keystrokes,
			(value) => value === 0,
		),
		cancelToComputeStopP95: check(
			`editor cancel → llama.cpp stops computing for the request, p95 ≤ ${CANCEL_TO_COMPUTE_STOP_P95_AT_MOST_MS} ms (all traces, every cancelled run)`,
			all.cancelToComputeStopMs.all.p95,
			all.cancelToComputeStopMs.all.count,
			(value) => value <= CANCEL_TO_COMPUTE_STOP_P95_AT_MOST_MS,
		),
	};
}

/**
 * The race's targets against llama-server as llama.vscode's users run it, on `onTraces` (the traces
 * made for the race) where raced, otherwise over every raced trace: the worst trace's ratio counts.
 * Latency and CPU are judged on the traces where each side delivered at least MIN_RACE_ANSWERS
 * answers (the "with ≥ 30 answers a side"), with the smallest such sample as their count; when
 * no trace has that many, they are null, with the largest sample there was. A p50 of three answers
 * says nothing, and neither does the CPU of a side that answered three times: a llama-server that
 * cannot keep up with the typing computes all the time for answers nobody sees, so its CPU is the
 * machine's size, not the work of the trace (the paused trace on a 1.5B model: one answer in 192 s,
 * 2 cores busy throughout). Every trace's ratios stay in the comparison, judged or not.
 */
export function raceTargets(raced: readonly RaceComparison[], onTraces: readonly string[] = []): Targets {
	const designated = raced.filter((entry) => onTraces.includes(entry.trace));
	const comparison = designated.length > 0 ? designated : raced;
	const worst = (entries: readonly RaceComparison[], ratio: (entry: RaceComparison) => number | null): number | null => {
		const values = entries.map(ratio);
		return values.length === 0 || values.some((value) => value === null) ? null : Math.max(...(values as number[]));
	};
	const answers = (entry: RaceComparison) => Math.min(entry.hearth.delivered, entry.llamaServer.delivered);
	const judged = comparison.filter((entry) => answers(entry) >= MIN_RACE_ANSWERS);
	const judgedEntries = judged.length > 0 ? judged : comparison;
	const judgedCount = judged.length > 0 ? Math.min(...judged.map(answers)) : Math.max(0, ...comparison.map(answers));
	const traces = comparison.length;
	const ratio = Math.round(RACE_TARGET_RATIO * 100) / 100;
	return {
		raceLatencyP50: check(
			`latency p50 ≤ ${ratio} × llama-server's, on the raced traces with ≥ ${MIN_RACE_ANSWERS} answers a side (count: the fewer side's answers)`,
			worst(judgedEntries, (entry) => entry.ratios.latencyP50Ms),
			judgedCount,
			(value) => value <= RACE_TARGET_RATIO,
			MIN_RACE_ANSWERS,
		),
		raceCpu: check(
			`CPU seconds ≤ ${ratio} × llama-server's, on the raced traces with ≥ ${MIN_RACE_ANSWERS} answers a side (count: the fewer side's answers)`,
			worst(judgedEntries, (entry) => entry.ratios.cpuSeconds),
			judgedCount,
			(value) => value <= RACE_TARGET_RATIO,
			MIN_RACE_ANSWERS,
		),
		coldStart: check(
			`cold first completion ≤ ${COLD_START_RATIO_AT_MOST} × llama-server's (count: raced traces)`,
			worst(comparison, (entry) => entry.ratios.coldStartMs),
			traces,
			(value) => value <= COLD_START_RATIO_AT_MOST,
		),
		peakRss: check(
			`peak RSS ≤ ${PEAK_RSS_RATIO_AT_MOST} × llama-server's at llama.vscode's context size (count: raced traces)`,
			worst(comparison, (entry) => entry.ratios.peakRssMiB),
			traces,
			(value) => value <= PEAK_RSS_RATIO_AT_MOST,
		),
	};
}

/** Every target of a model: Hearth's own, then the race's (on `raceTraces` where raced) when there was one. */
export function checkTargets(all: TraceSummary, race?: ModelRace | { error: string }, raceTraces: readonly string[] = []): Targets {
	return { ...hearthTargets(all), ...(race && !('error' in race) ? raceTargets(race.comparison, raceTraces) : {}) };
}
