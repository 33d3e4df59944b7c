import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CompletionEngine, CompletionResult, StopReason } from '../../engine/runtime/completionEngine.js';
import type { CompletionMode } from '../../engine/postprocess/index.js';
import { applyEvent, offsetAt, splitAtCursor, type EditorState } from '../traces/editorDocument.js';
import type { Trace, TraceEventKind } from '../traces/traceTypes.js';
import type { ProbedRun, SequenceProbe } from './sequenceProbe.js';

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
	result?: {
		stopReason: StopReason;
		textLength: number;
		stats: CompletionResult['stats'];
	};
	error?: string;
	/** Set when the request reached the model (not answered from the cache, not dropped while queued). */
	run?: ProbedRun;
}

export interface ReplayResult {
	trace: string;
	events: number;
	requests: RequestRecord[];
	/** The completion before the first key (cold KV cache), when options.warmUp is set. */
	warmUp?: RequestRecord;
	/** How late each event was applied against its schedule: event-loop stalls show up here. */
	eventLagMs: number[];
	accepts: { count: number; missed: number; waitedMs: number };
	/** Wall time of the whole replay, including the wait for the last request. */
	durationMs: number;
	cpuMicros: { user: number; system: number };
	/** One-minute load average before and after: other work on the machine skews every timing. */
	loadAverage: { atStart: number; atEnd: number };
}

/**
 * Plays a trace against the engine in real time, like VS Code's inline-completion loop: every edit
 * asks for a completion at the new cursor and cancels the previous request if it is still running;
 * a cursor move cancels without asking. Waiting for the real timestamps matters: what gets
 * cancelled, and when, is exactly what a person typing at that speed would cause.
 */
export async function replayTrace(trace: Trace, engine: CompletionEngine, probe: SequenceProbe, options: ReplayOptions): Promise<ReplayResult> {
	const events = trace.events.slice(0, options.maxEvents ?? trace.events.length);
	const requests: RequestRecord[] = [];
	const settlements: Promise<void>[] = [];
	const eventLagMs: number[] = [];
	const accepts = { count: 0, missed: 0, waitedMs: 0 };
	let state: EditorState = { text: trace.initialText, cursor: offsetAt(trace.initialText, trace.initialCursor) };
	/** The request whose answer would be shown, and the promise that settles with it. */
	let live: { record: RequestRecord; controller: AbortController; settled: Promise<void> } | undefined;
	/** The ghost text on screen: a delivered, non-empty answer to the live request. */
	let shown: string | undefined;

	const loadAtStart = os.loadavg()[0]!;
	const warmUp = options.warmUp ? await warmUpRequest(trace, state, engine, probe, options) : undefined;

	const cpuAtStart = process.cpuUsage();
	const startedAt = performance.now();
	const now = () => performance.now() - startedAt;
	/** Accepts that waited for their suggestion push every later event back by as long. */
	let delayMs = 0;

	const dropLive = () => {
		if (live) {
			live.record.abortedAt = now();
			live.controller.abort();
			live = undefined;
		}
		shown = undefined;
	};

	for (const [eventIndex, event] of events.entries()) {
		const due = event.t + delayMs;
		if (due > now()) {
			await sleep(due - now());
		}
		eventLagMs.push(Math.max(0, now() - due));

		let suggestion: string | undefined;
		if (event.kind === 'accept') {
			accepts.count++;
			if (!shown && live) {
				const waitStartedAt = now();
				await settledWithin(live.settled, options.acceptWaitLimitMs);
				const waited = now() - waitStartedAt;
				accepts.waitedMs += waited;
				delayMs += waited;
			}
			suggestion = shown;
			if (suggestion === undefined) {
				accepts.missed++;
			}
		}

		const applied = applyEvent(state, event, suggestion);
		state = applied.state;
		if (applied.textChanged || applied.cursorMoved) {
			dropLive();
		}
		if (!applied.textChanged) {
			continue;
		}

		const record: RequestRecord = { index: requests.length, eventIndex, eventKind: event.kind, issuedAt: now() };
		requests.push(record);
		const controller = new AbortController();
		const { prefix, suffix } = splitAtCursor(state);
		const settled = engine
			.complete({ prefix, suffix, filePath: trace.filePath, maxTokens: options.maxTokens, mode: options.mode, signal: controller.signal })
			.then(
				(result) => {
					record.settledAt = now();
					record.result = { stopReason: result.stopReason, textLength: result.text.length, stats: result.stats };
					// The engine set promptTokens only if the request got past its queue into a run.
					if (result.stats.promptTokens > 0) {
						record.run = probe.claimNextRun();
						if (record.run?.promptTokens.length !== result.stats.promptTokens) {
							// Shown as an error in the report rather than silently misattributing runs.
							record.error = 'the sequence probe and the engine disagree about this run';
						}
					}
					if (live?.record === record && result.stopReason !== 'cancelled' && result.text !== '') {
						shown = result.text;
					}
				},
				(error: unknown) => {
					record.settledAt = now();
					record.error = error instanceof Error ? error.message : String(error);
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
	const durationMs = now();
	const cpu = process.cpuUsage(cpuAtStart);
	const loadAverage = { atStart: round2(loadAtStart), atEnd: round2(os.loadavg()[0]!) };
	return { trace: trace.name, events: events.length, requests, warmUp, eventLagMs, accepts, durationMs, cpuMicros: cpu, loadAverage };
}

async function warmUpRequest(trace: Trace, state: EditorState, engine: CompletionEngine, probe: SequenceProbe, options: ReplayOptions): Promise<RequestRecord> {
	const { prefix, suffix } = splitAtCursor(state);
	const startedAt = performance.now();
	const result = await engine.complete({ prefix, suffix, filePath: trace.filePath, maxTokens: options.maxTokens, mode: options.mode });
	return {
		index: -1,
		eventIndex: -1,
		eventKind: 'type',
		issuedAt: 0,
		settledAt: performance.now() - startedAt,
		result: { stopReason: result.stopReason, textLength: result.text.length, stats: result.stats },
		run: result.stats.promptTokens > 0 ? probe.claimNextRun() : undefined,
	};
}

/** Waits for `promise` at most `limitMs`, without leaving the timer behind to hold the process. */
async function settledWithin(promise: Promise<void>, limitMs: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
	clearTimeout(timer);
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
