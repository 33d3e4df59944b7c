import os from 'node:os';
import type { CompletionResult, StopReason } from '../../engine/runtime/completionEngine.js';
import type { CompletionMode } from '../../engine/postprocess/index.js';
import type { ContextChunk } from '../../engine/fim/fimTypes.js';
import type { AnswerSource, CompletionScheduler, RunReport } from '../../engine/scheduling/completionScheduler.js';
import { splitAtCursor, type EditorState } from '../traces/editorDocument.js';
import type { Trace, TraceEventKind } from '../traces/traceTypes.js';
import { settledWithin, SimulatedEditor } from './simulatedEditor.js';
import { messageOf } from '../../shared/errorMessage.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';

export interface ReplayOptions {
	maxTokens: number;
	mode: CompletionMode | 'auto';
	/** Replay only the first events (for a quick run). */
	maxEvents?: number;
	/** How long an accept waits for a suggestion to appear before it counts as missed. */
	acceptWaitLimitMs: number;
	/** How long the end of the trace waits for the last request. */
	drainLimitMs: number;
	/**
	 * Ask for one completion at the starting cursor and wait for it before the first key, as when a
	 * file has been open a while: the KV cache holds this file, and the trace measures typing, not a
	 * cold start (which is reported on its own).
	 */
	warmUp: boolean;
	/** The adaptive wait's bounds, as the editor's settings give them. */
	debounce: { minMs: number; maxMs: number };
	prefetch: boolean;
}

/** One model run as it ended (runs of requests, prefetches, and runs whose request left alike). */
export interface RunRecord {
	id: number;
	kind: RunReport['kind'];
	/** The whole prompt, as the engine compared it with the KV cache. */
	promptTokens: readonly number[];
	/** Prompt tokens that went through the model, chunks evaluated before a cancel included. */
	evaluatedPromptTokens: number;
	reusedPromptTokens: number;
	generatedTokens: number;
	tokensAfterAbort: number;
	stopReason: StopReason;
	/** The run answered from the small first prompt of a cold document, in a sequence beside the document's own. */
	smallFirstPrompt?: boolean;
	/** When the engine saw the run's abort, and when llama.cpp last computed for it: ms on the replay's clock. */
	engineAbortedAt?: number;
	computeEndedAt?: number;
	/** The run's own clock: from its start in the pipeline to its first generated token, and to its end (ms). */
	firstTokenMs?: number;
	totalMs: number;
}

/** One inline-completion request, as the simulated editor saw it. Times are ms since the trace started. */
export interface RequestRecord {
	index: number;
	/** Index of the event (key press) that triggered it. */
	eventIndex: number;
	eventKind: TraceEventKind;
	issuedAt: number;
	settledAt?: number;
	/** The editor dropped it (a newer key press, a cursor move) before it settled. */
	abortedAt?: number;
	/** The key typed the next character of the ghost text on screen: the editor kept showing its rest. */
	typedThroughSuggestion?: boolean;
	source?: AnswerSource;
	result?: {
		stopReason: StopReason;
		textLength: number;
		stats: CompletionResult['stats'];
	};
	error?: string;
	/** The run that answered it (its own, or the stream it joined); set once that run has ended. */
	runId?: number;
	run?: RunRecord;
}

export interface ReplayResult {
	trace: string;
	events: number;
	requests: RequestRecord[];
	/** Every model run in the order they ran, prefetches included. */
	runs: RunRecord[];
	/** The completion before the first key (cold KV cache), when options.warmUp is set. */
	warmUp?: RequestRecord;
	/** How late each event was applied against its schedule: event-loop stalls show up here. */
	eventLagMs: number[];
	accepts: { count: number; missed: number; waitedMs: number };
	/** `type-shown` keys (typing the ghost text out): how many, how many found none, how long they waited. */
	typedShown: { count: number; missed: number; waitedMs: number };
	/** Wall time of the whole replay, including the wait for the last request. */
	durationMs: number;
	cpuMicros: { user: number; system: number };
	/** One-minute load average before and after: other work on the machine skews every timing. */
	loadAverage: { atStart: number; atEnd: number };
}

/** Collects the scheduler's run reports; give its `onRunFinished` to the scheduler. */
export class RunLog {
	readonly runs: RunRecord[] = [];

	readonly onRunFinished = (report: RunReport): void => {
		const { result } = report;
		// A run cancelled while it queued never reached the model: it has no prompt.
		if (result.promptTokens === undefined) {
			return;
		}
		this.runs.push({
			id: report.id,
			kind: report.kind,
			promptTokens: result.promptTokens,
			evaluatedPromptTokens: result.stats.evaluatedPromptTokens,
			reusedPromptTokens: result.stats.reusedPromptTokens,
			generatedTokens: result.stats.generatedTokens,
			tokensAfterAbort: result.stats.tokensAfterAbort,
			stopReason: result.stopReason,
			...(result.stats.smallFirstPrompt === true ? { smallFirstPrompt: true } : {}),
			// performance.now() values here; attach() puts them on the replay's clock.
			engineAbortedAt: result.stats.abortedAt,
			computeEndedAt: result.stats.lastComputeEndedAt,
			firstTokenMs: result.stats.firstTokenMs,
			totalMs: result.stats.totalMs,
		});
	};

	/** Runs logged from `start` on, their times made relative to `clockOrigin`, and the requests pointed at theirs. */
	attach(requests: readonly RequestRecord[], start: number, clockOrigin = 0): RunRecord[] {
		const runs = this.runs.slice(start).map((run) => ({
			...run,
			engineAbortedAt: run.engineAbortedAt === undefined ? undefined : run.engineAbortedAt - clockOrigin,
			computeEndedAt: run.computeEndedAt === undefined ? undefined : run.computeEndedAt - clockOrigin,
		}));
		const byId = new Map(runs.map((run) => [run.id, run]));
		for (const request of requests) {
			if (request.runId !== undefined) {
				request.run = byId.get(request.runId);
			}
		}
		return runs;
	}
}

/**
 * Plays a trace in real time against the completion scheduler, the same one the language server
 * uses, like VS Code's inline-completion loop: every edit asks for a completion at the new cursor
 * and cancels the previous request if it is still running; a cursor move cancels without asking;
 * a key that types the next character of the ghost text keeps the rest of it on screen. Waiting
 * for the real timestamps matters: what gets cancelled, and when, is exactly what a person typing
 * at that speed would cause.
 */
export async function replayTrace(
	trace: Trace,
	scheduler: CompletionScheduler,
	runLog: RunLog,
	options: ReplayOptions,
	/** Extra context for every request, as the language server adds it (the race gives llama-server the same). */
	contextChunks: readonly ContextChunk[] = [],
): Promise<ReplayResult> {
	const firstRun = runLog.runs.length;
	const documentKey = `bench:${trace.name}`;
	const ask = (prefix: string, suffix: string, signal?: AbortSignal) =>
		scheduler.request({
			documentKey,
			prefix,
			suffix,
			filePath: trace.filePath,
			maxTokens: options.maxTokens,
			mode: options.mode,
			// The prompt budget users have (the setting's default), as the language server passes it.
			contextBudget: DEFAULT_SETTINGS.inlineCompletion.contextBudget,
			signal,
			debounce: options.debounce,
			prefetch: options.prefetch,
			...(contextChunks.length > 0 ? { contextChunks } : {}),
			// The rule for random weights: a fixed length per request, so runs compare.
			fixedLength: true,
		});
	const events = trace.events.slice(0, options.maxEvents ?? trace.events.length);
	const requests: RequestRecord[] = [];
	const settlements: Promise<void>[] = [];
	/** The request whose answer would be shown, and the promise that settles with it. */
	let live: { record: RequestRecord; controller: AbortController; settled: Promise<void> } | undefined;

	const loadAtStart = os.loadavg()[0]!;
	const editor = new SimulatedEditor(trace.initialText, trace.initialCursor, () => now(), options.acceptWaitLimitMs);
	const warmUp = options.warmUp ? await warmUpRequest(editor.state, ask) : undefined;

	const cpuAtStart = process.cpuUsage();
	const startedAt = performance.now();
	const now = () => performance.now() - startedAt;

	const dropLive = () => {
		if (live) {
			live.record.abortedAt = now();
			live.controller.abort();
			live = undefined;
		}
		editor.shown = undefined;
	};

	for (const [eventIndex, event] of events.entries()) {
		const { textChanged, typedThrough } = await editor.apply(event, live?.settled, dropLive);
		if (!textChanged) {
			continue;
		}

		const record: RequestRecord = {
			index: requests.length,
			eventIndex,
			eventKind: event.kind,
			issuedAt: now(),
			typedThroughSuggestion: typedThrough || undefined,
		};
		requests.push(record);
		const controller = new AbortController();
		const { prefix, suffix } = splitAtCursor(editor.state);
		const settled = ask(prefix, suffix, controller.signal)
			.then(
				({ source, result, runId }) => {
					record.settledAt = now();
					record.source = source;
					record.runId = runId;
					record.result = { stopReason: result.stopReason, textLength: result.text.length, stats: result.stats };
					if (live?.record === record && result.stopReason !== 'cancelled' && result.text !== '') {
						editor.shown = result.text;
					}
				},
				(error: unknown) => {
					record.settledAt = now();
					record.error = messageOf(error);
				},
			)
			.finally(() => {
				if (live?.record === record) {
					live = undefined;
				}
			});
		settlements.push(settled);
		live = { record, controller, settled };
	}

	// The person stops typing: the last request runs to its end, as a suggestion they would see.
	if (live) {
		await settledWithin(live.settled, options.drainLimitMs);
		dropLive();
	}
	await Promise.all(settlements);
	// Runs whose request left are stopped after a grace period; let them end before counting.
	await scheduler.idle();
	const durationMs = now();
	const cpu = process.cpuUsage(cpuAtStart);
	const loadAverage = { atStart: round2(loadAtStart), atEnd: round2(os.loadavg()[0]!) };
	const runs = runLog.attach(warmUp ? [warmUp, ...requests] : requests, firstRun, startedAt);
	return {
		trace: trace.name,
		events: events.length,
		requests,
		runs,
		warmUp,
		eventLagMs: editor.eventLagMs,
		accepts: editor.accepts,
		typedShown: editor.typedShown,
		durationMs,
		cpuMicros: cpu,
		loadAverage,
	};
}

async function warmUpRequest(
	state: EditorState,
	ask: (prefix: string, suffix: string) => ReturnType<CompletionScheduler['request']>,
): Promise<RequestRecord> {
	const { prefix, suffix } = splitAtCursor(state);
	const startedAt = performance.now();
	const { source, result, runId } = await ask(prefix, suffix);
	return {
		index: -1,
		eventIndex: -1,
		eventKind: 'type',
		issuedAt: 0,
		settledAt: performance.now() - startedAt,
		source,
		runId,
		result: { stopReason: result.stopReason, textLength: result.text.length, stats: result.stats },
	};
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
