import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EditorState } from '../traces/editorDocument.js';
import { settledWithin, SimulatedEditor } from '../replay/simulatedEditor.js';
import type { Trace, TraceEventKind } from '../traces/traceTypes.js';
import type { InfillClient } from './infillClient.js';
import { contextAfterAccepting, infillBody, infillContext, type InfillContext } from './infillRequest.js';
import type { InfillResponse } from './infillResponse.js';
import type { LlamaVscodeSettings } from './llamaVscodeSettings.js';
import { fitToLine, removeLeadingIndentation, SuggestionCache, suggestionLines } from './suggestionCache.js';
import { messageOf } from '../../shared/errorMessage.js';

export interface ServerReplayOptions {
	/** The bench's fixed generated length per request (Hearth's --max-tokens). */
	maxTokens: number;
	fixedLength: boolean;
	maxEvents?: number;
	/** One request at the starting cursor before the first key, not counted (as Hearth's warm-up). */
	warmUp: boolean;
	acceptWaitLimitMs: number;
	drainLimitMs: number;
	settings: LlamaVscodeSettings;
	/** CPU seconds of the server so far, read before the first key and after the last answer. */
	cpuSeconds?: () => number;
	/** /infill's input_extra on every request: the extra context Hearth's side has in its prompt. */
	inputExtra?: readonly { filename: string; text: string }[];
}

/** One request llama.vscode sent to the server. Times are ms since the first key. */
export interface ServerRequestRecord {
	index: number;
	/** 'request': a keystroke's; 'prefetch': the suggestion after accepting the shown one. */
	kind: 'warm-up' | 'request' | 'prefetch';
	startedAt: number;
	endedAt?: number;
	/** The keystroke it answered had been replaced by a newer one when the answer came: nobody saw it. */
	stale?: boolean;
	response?: Omit<InfillResponse, 'content'>;
	error?: string;
}

export type KeystrokeOutcome =
	/** Answered (from the cache or the server) while still the editor's current request. */
	| 'delivered'
	/** VS Code cancelled it (newer key, cursor move) before it returned. */
	| 'cancelled'
	/** More than max_line_suffix characters follow the cursor: llama.vscode does not ask. */
	| 'not-asked'
	| 'error';

/** One call of llama.vscode's inline-completion provider, which VS Code makes on every edit. */
export interface KeystrokeRecord {
	index: number;
	eventIndex: number;
	eventKind: TraceEventKind;
	issuedAt: number;
	settledAt?: number;
	/** Time spent waiting for the extension's previous request to end before it could send its own. */
	waitedMs: number;
	cancelledAt?: number;
	outcome?: KeystrokeOutcome;
	source?: 'cache' | 'server';
	textLength?: number;
	/** Its server request, by index into the replay's serverRequests. */
	serverRequest?: number;
	typedThroughSuggestion?: boolean;
}

export interface ServerReplayResult {
	trace: string;
	events: number;
	keystrokes: KeystrokeRecord[];
	serverRequests: ServerRequestRecord[];
	warmUp?: { latencyMs: number; request: ServerRequestRecord };
	eventLagMs: number[];
	accepts: { count: number; missed: number; waitedMs: number };
	typedShown: { count: number; missed: number; waitedMs: number };
	/** First key to the last server answer, prefetches included. */
	durationMs: number;
	cpuSeconds: number | null;
	loadAverage: { atStart: number; atEnd: number };
}

/**
 * Plays a trace in real time against llama-server the way llama.vscode drives it, with the same
 * editor model as Hearth's replay (a request on every edit, cancelled by the next edit or a cursor
 * move; typing the ghost text's next character keeps its rest on screen). What differs is the
 * extension's side: a keystroke that finds one of its requests running waits for it, polling, and
 * gives up only when VS Code cancels it; the running request is never aborted, so the server
 * finishes stale work first. Answers are cached per context and reused while typing through them,
 * and a shown suggestion at a line end is followed by a request for the next one.
 */
export async function replayLlamaVscode(trace: Trace, infill: InfillClient, options: ServerReplayOptions): Promise<ServerReplayResult> {
	const { settings } = options;
	const cache = new SuggestionCache(settings.maxCacheKeys);
	const events = trace.events.slice(0, options.maxEvents ?? trace.events.length);
	const keystrokes: KeystrokeRecord[] = [];
	const serverRequests: ServerRequestRecord[] = [];
	const pending: Promise<void>[] = [];
	/** Answers that broke the fixed-length rule: the two sides would not have done the same work. */
	const shortAnswers: ServerRequestRecord[] = [];
	let startedAt = performance.now();
	const now = () => performance.now() - startedAt;
	const editor = new SimulatedEditor(trace.initialText, trace.initialCursor, now, options.acceptWaitLimitMs);
	/** llama.vscode's isRequestInProgress: one keystroke request of its own at a time. */
	let inProgress = false;
	let live: { record: KeystrokeRecord; settled: Promise<void> } | undefined;

	const send = async (
		kind: ServerRequestRecord['kind'],
		context: InfillContext,
	): Promise<{ record: ServerRequestRecord; response?: InfillResponse }> => {
		const record: ServerRequestRecord = { index: serverRequests.length, kind, startedAt: now() };
		serverRequests.push(record);
		try {
			const response = await infill(
				infillBody(
					context,
					{
						nPredict: options.maxTokens,
						fixedLength: options.fixedLength,
						tMaxPromptMs: settings.tMaxPromptMs,
						tMaxPredictMs: settings.tMaxPredictMs,
					},
					options.inputExtra,
				),
			);
			const { content: _content, ...counts } = response;
			record.response = counts;
			if (options.fixedLength && response.predictedN !== options.maxTokens) {
				shortAnswers.push(record);
			}
			return { record, response };
		} catch (error) {
			record.error = messageOf(error);
			return { record };
		} finally {
			record.endedAt = now();
		}
	};

	/** cacheFutureSuggestion and cacheFutureAcceptLineSuggestion: fire and forget, not holding isRequestInProgress. */
	const prefetch = async (context: InfillContext, lines: readonly string[]): Promise<void> => {
		if (lines.length > 1) {
			const acceptLine = SuggestionCache.key(context.inputPrefix + context.prompt + lines[0] + '\n', context.inputSuffix, '');
			if (cache.get(acceptLine) === undefined) {
				cache.put(acceptLine, lines.slice(1).join('\n'));
			}
		}
		const future = contextAfterAccepting(context, lines, settings.prefixLines);
		if (!future || cache.get(SuggestionCache.key(future.inputPrefix, future.inputSuffix, future.prompt)) !== undefined) {
			return;
		}
		const { response } = await send('prefetch', future);
		if (response && response.content.trim() !== '') {
			cache.put(
				SuggestionCache.key(future.inputPrefix, future.inputSuffix, future.prompt),
				suggestionLines(response.content).join('\n'),
			);
		}
	};

	const provide = async (record: KeystrokeRecord, at: EditorState): Promise<void> => {
		const cancelled = () => record.cancelledAt !== undefined;
		const waitStart = now();
		while (inProgress) {
			await sleep(settings.pollMs);
			if (cancelled()) {
				record.waitedMs = now() - waitStart;
				record.outcome = 'cancelled';
				record.settledAt = now();
				return;
			}
		}
		record.waitedMs = now() - waitStart;
		inProgress = true;
		try {
			const context = infillContext(at.text, at.cursor, settings);
			if (context.lineSuffix.length > settings.maxLineSuffix) {
				record.outcome = 'not-asked';
				return;
			}
			let text: string | undefined;
			let lines: string[] = [];
			const cached = cache.lookup(context);
			if (cached) {
				record.source = 'cache';
				text = cached.text;
				lines = suggestionLines(text);
			} else {
				if (cancelled()) {
					record.outcome = 'cancelled';
					return;
				}
				record.source = 'server';
				const { record: request, response } = await send('request', context);
				record.serverRequest = request.index;
				request.stale = cancelled();
				if (!response) {
					record.outcome = 'error';
					return;
				}
				lines = suggestionLines(response.content);
				if (lines.length > 0) {
					text = fitToLine(lines, context.lineSuffix);
					cache.put(SuggestionCache.key(context.inputPrefix, context.inputSuffix, context.prompt), text);
				}
			}
			// VS Code drops the answer of a call it cancelled; the extension does not know and carries on.
			record.outcome = cancelled() ? 'cancelled' : 'delivered';
			const visible = text === undefined || text.trim() === '' ? '' : removeLeadingIndentation(text, context.spacesToRemove);
			record.textLength = visible.length;
			if (record.outcome === 'delivered' && live?.record === record && visible !== '') {
				editor.shown = visible;
			}
			if (record.outcome === 'delivered' && settings.prefetch && visible !== '' && context.lineSuffix.trim() === '') {
				pending.push(sleep(0).then(() => (cancelled() ? undefined : prefetch(context, lines))));
			}
		} finally {
			inProgress = false;
			record.settledAt = now();
		}
	};

	const loadAtStart = os.loadavg()[0]!;
	let warmUp: ServerReplayResult['warmUp'];
	if (options.warmUp) {
		const context = infillContext(editor.state.text, editor.state.cursor, settings);
		const began = performance.now();
		const { record, response } = await send('warm-up', context);
		if (!response) {
			throw new Error(`the warm-up request failed: ${record.error}`);
		}
		assertFixedLength(shortAnswers, options.maxTokens);
		warmUp = { latencyMs: Math.round(performance.now() - began), request: record };
		const lines = suggestionLines(response.content);
		if (lines.length > 0) {
			cache.put(SuggestionCache.key(context.inputPrefix, context.inputSuffix, context.prompt), fitToLine(lines, context.lineSuffix));
		}
	}

	const cpuAtStart = options.cpuSeconds?.();
	startedAt = performance.now();
	if (warmUp) {
		// Its times were taken on the old clock; it is reported on its own.
		warmUp.request.startedAt = -warmUp.latencyMs;
		warmUp.request.endedAt = 0;
	}
	const dropLive = () => {
		if (live) {
			live.record.cancelledAt = now();
			live = undefined;
		}
		editor.shown = undefined;
	};

	for (const [eventIndex, event] of events.entries()) {
		const { textChanged, typedThrough } = await editor.apply(event, live?.settled, dropLive);
		if (!textChanged) {
			continue;
		}
		const record: KeystrokeRecord = {
			index: keystrokes.length,
			eventIndex,
			eventKind: event.kind,
			issuedAt: now(),
			waitedMs: 0,
			typedThroughSuggestion: typedThrough || undefined,
		};
		keystrokes.push(record);
		const settled = provide(record, editor.state).finally(() => {
			if (live?.record === record) {
				live = undefined;
			}
		});
		pending.push(settled);
		live = { record, settled };
	}

	// The person stops typing: the last request runs to its end, as a suggestion they would see.
	if (live) {
		await settledWithin(live.settled, options.drainLimitMs);
		dropLive();
	}
	// Prefetches are pushed while earlier calls settle; wait until none is left.
	for (let waitedFor = 0; waitedFor < pending.length;) {
		const batch = pending.slice(waitedFor);
		waitedFor = pending.length;
		await Promise.all(batch);
	}
	const durationMs = now();
	const cpuAtEnd = options.cpuSeconds?.();
	assertFixedLength(shortAnswers, options.maxTokens);
	return {
		trace: trace.name,
		events: events.length,
		keystrokes,
		serverRequests,
		warmUp,
		eventLagMs: editor.eventLagMs,
		accepts: editor.accepts,
		typedShown: editor.typedShown,
		durationMs,
		cpuSeconds: cpuAtStart === undefined || cpuAtEnd === undefined ? null : cpuAtEnd - cpuAtStart,
		loadAverage: { atStart: round2(loadAtStart), atEnd: round2(os.loadavg()[0]!) },
	};
}

/**
 * Under the fixed-length rule every answer holds maxTokens tokens, as on Hearth's side; a server
 * that stopped short did less work than the race says, so the race stops rather than report it.
 */
export function assertFixedLength(shortAnswers: readonly ServerRequestRecord[], maxTokens: number): void {
	const first = shortAnswers[0];
	if (first === undefined) {
		return;
	}
	const stops = [...new Set(shortAnswers.map((request) => request.response?.stopType ?? 'unknown'))].join(', ');
	throw new Error(
		`llama-server generated ${first.response?.predictedN} of ${maxTokens} tokens in ${shortAnswers.length} answer(s) ` +
			`(stop type ${stops}) under the fixed-length rule: the race's two sides would not have done the same work`,
	);
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
