import type { CompletionReport } from '../shared/protocol.js';

/**
 * The figures behind the status bar tooltip's live readout: how fast the model answers lately and
 * how often it is not asked at all. Pure logic with no `vscode` import, so it is unit-tested
 * without an editor.
 *
 * Speeds and latencies come only from model runs that finished: a cancelled run's time says when
 * the user typed on, not how fast the model is. Speeds count prefetches too (the model works as fast
 * for them), latencies only runs someone waited for. Counts cover every report, because the share of
 * requests that never reach the model is what the cache, the prefetch and the debounce are for.
 */
export class CompletionReadout {
	/** The most recent finished model runs (prefetches included), oldest first. */
	private runs: CompletionReport[] = [];
	/** What became of the most recent requests, oldest first. */
	private outcomes: Outcome[] = [];

	constructor(
		readonly runWindow = 20,
		readonly outcomeWindow = 100,
	) {}

	record(report: CompletionReport): void {
		const outcome = outcomeOf(report);
		pushBounded(this.outcomes, outcome, this.outcomeWindow);
		if (outcome === 'model' || outcome === 'prefetch') {
			pushBounded(this.runs, report, this.runWindow);
		}
	}

	/** Figures from another model would mislead, so a model switch starts afresh. */
	reset(): void {
		this.runs = [];
		this.outcomes = [];
	}

	summary(): ReadoutSummary {
		const runs = this.runs;
		// A prefetch ran while nobody waited, and its first one stops after one token.
		const answered = runs.filter((run) => run.source !== 'prefetch');
		const latencies = answered.map((run) => run.totalMs);
		const generating = runs.filter((run) => run.generatedTokens >= 2 && run.totalMs - run.promptMs > 0);
		// A handful of prompt tokens is evaluated in about the time of one decode step; their speed
		// would say more about overhead than about prompt evaluation.
		const evaluating = runs.filter((run) => run.evaluatedPromptTokens >= 8 && run.promptMs > 0);
		const count = (outcome: Outcome) => this.outcomes.filter((o) => o === outcome).length;
		return {
			last: answered.at(-1),
			answeredRuns: answered.length,
			medianMs: percentile(latencies, 50),
			p90Ms: percentile(latencies, 90),
			// Totals over totals, so a long run weighs as much as it took rather than as one sample.
			generationTokensPerSecond: ratio(
				sum(generating, (run) => run.generatedTokens),
				sum(generating, (run) => run.totalMs - run.promptMs) / 1000,
			),
			promptTokensPerSecond: ratio(
				sum(evaluating, (run) => run.evaluatedPromptTokens),
				sum(evaluating, (run) => run.promptMs) / 1000,
			),
			reusedPromptShare: ratio(
				sum(runs, (run) => run.reusedPromptTokens),
				sum(runs, (run) => run.promptTokens),
			),
			requests: this.outcomes.length,
			fromModel: count('model'),
			fromCache: count('cache'),
			joinedRunning: count('joined'),
			prefetched: count('prefetch'),
			cancelledWhileRunning: count('cancelled'),
			droppedBeforeStarting: count('dropped'),
		};
	}

	/** One line for the short tooltip: the latest run, or what there is instead. */
	headline(): string {
		return this.lines()[0]!;
	}

	/** Lines for the status menu's details; never NaN or Infinity, a figure without data is left out. */
	lines(): string[] {
		const s = this.summary();
		if (s.requests === 0) {
			return ['No completions yet.'];
		}
		const lines: string[] = [];
		if (s.last) {
			const parts = [formatMs(s.last.totalMs), plural(s.last.generatedTokens, 'token')];
			const speed = generationSpeed(s.last);
			if (speed !== undefined) {
				parts.push(`${formatRate(speed)} tok/s`);
			}
			lines.push(`Last: ${parts.join(' · ')}`);
		} else {
			lines.push('No model runs yet.');
		}
		// With one run the median and p90 would only repeat the line above.
		if (s.answeredRuns >= 2 && s.medianMs !== undefined && s.p90Ms !== undefined) {
			lines.push(`Median (last ${s.answeredRuns} runs): ${formatMs(s.medianMs)}, p90 ${formatMs(s.p90Ms)}`);
		}
		if (s.generationTokensPerSecond !== undefined) {
			lines.push(`Generation: ${formatRate(s.generationTokensPerSecond)} tok/s`);
		}
		const prompt: string[] = [];
		if (s.reusedPromptShare !== undefined) {
			prompt.push(`${Math.round(s.reusedPromptShare * 100)} % reused from cache`);
		}
		if (s.promptTokensPerSecond !== undefined) {
			prompt.push(`${formatRate(s.promptTokensPerSecond)} tok/s`);
		}
		if (prompt.length > 0) {
			lines.push(`Prompt: ${prompt.join(', ')}`);
		}
		// The rarer outcomes only when they happened, to keep the line short.
		const answers = [`${s.fromModel} from the model`, `${s.fromCache} from cache`];
		if (s.joinedRunning > 0) {
			answers.push(`${s.joinedRunning} from a running answer`);
		}
		if (s.prefetched > 0) {
			answers.push(`${s.prefetched} prefetched`);
		}
		if (s.cancelledWhileRunning > 0) {
			answers.push(`${s.cancelledWhileRunning} cancelled while running`);
		}
		answers.push(`${s.droppedBeforeStarting} dropped before starting`);
		lines.push(`Answers (last ${s.requests}): ${answers.join(', ')}`);
		return lines;
	}
}

export interface ReadoutSummary {
	/** The latest finished model run that answered a request. */
	last: CompletionReport | undefined;
	/** Finished runs in the window that answered a request (not prefetches): the latencies' sample. */
	answeredRuns: number;
	medianMs: number | undefined;
	p90Ms: number | undefined;
	generationTokensPerSecond: number | undefined;
	promptTokensPerSecond: number | undefined;
	/** 0-1: prompt tokens the KV cache already held, of all prompt tokens. */
	reusedPromptShare: number | undefined;
	/** Reports in the outcome window, and what became of them. */
	requests: number;
	fromModel: number;
	fromCache: number;
	/** Answered by a model run already under way for an earlier keystroke; its run is reported on its own. */
	joinedRunning: number;
	prefetched: number;
	cancelledWhileRunning: number;
	droppedBeforeStarting: number;
}

/**
 * model / prefetch: a finished model run for a request / ahead of one; cache: an earlier suggestion
 * answered; joined: a run already under way answered; cancelled: a model run cut short; dropped:
 * the model was never asked.
 */
type Outcome = 'model' | 'prefetch' | 'cache' | 'joined' | 'cancelled' | 'dropped';

function outcomeOf(report: CompletionReport): Outcome {
	// A request replaced while it waited is reported as cancelled too; it cost no model time.
	if (report.source === 'skipped' || report.stopReason === 'superseded-before-start') {
		return 'dropped';
	}
	if (report.source === 'cache' || report.cacheHit) {
		return 'cache';
	}
	// A joined answer carries the stats of a run that is reported by itself; counted here, they would count twice.
	if (report.source === 'joined') {
		return 'joined';
	}
	if (report.cancelled) {
		return 'cancelled';
	}
	return report.source === 'prefetch' ? 'prefetch' : 'model';
}

function generationSpeed(run: CompletionReport): number | undefined {
	return run.generatedTokens >= 2 ? ratio(run.generatedTokens, (run.totalMs - run.promptMs) / 1000) : undefined;
}

function pushBounded<T>(items: T[], item: T, limit: number): void {
	items.push(item);
	if (items.length > limit) {
		items.splice(0, items.length - limit);
	}
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
	return items.reduce((total, item) => total + value(item), 0);
}

/** undefined rather than NaN or Infinity when there is nothing to divide by. */
function ratio(numerator: number, denominator: number): number | undefined {
	const value = numerator / denominator;
	return denominator > 0 && Number.isFinite(value) ? value : undefined;
}

/**
 * Linear interpolation between closest ranks, as the bench's percentile does, so the tooltip and
 * the bench report agree; kept here because the extension host must not depend on the bench.
 */
export function percentile(samples: readonly number[], p: number): number | undefined {
	if (samples.length === 0) {
		return undefined;
	}
	const sorted = [...samples].sort((a, b) => a - b);
	const rank = (p / 100) * (sorted.length - 1);
	const below = Math.floor(rank);
	const above = Math.ceil(rank);
	return sorted[below]! + (sorted[above]! - sorted[below]!) * (rank - below);
}

function formatMs(ms: number): string {
	return `${Math.round(ms)} ms`;
}

/** One decimal below 10 tok/s, where it still matters; whole numbers above. */
function formatRate(perSecond: number): string {
	return perSecond < 10 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
