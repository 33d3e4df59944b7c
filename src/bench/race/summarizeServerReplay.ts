import { distribution, type Distribution } from '../metrics/percentile.js';
import { shownWithin, type ShownWithin } from '../metrics/cancelAndShown.js';
import type { ServerReplayResult } from './replayLlamaVscode.js';

/** One trace replayed against llama-server, in the terms of Hearth's TraceSummary where they overlap. */
export interface ServerTraceSummary {
	trace: string;
	keystrokes: number;
	durationMs: number;
	/** Provider calls: one per edit, as on Hearth's side. */
	requests: number;
	outcomes: { delivered: number; deliveredEmpty: number; cancelled: number; notAsked: number; errors: number };
	sources: { cache: number; server: number };
	/** Key press to the answer of a call VS Code did not cancel (cache answers included), as Hearth's latencyMs. */
	latencyMs: Distribution;
	/** The same for answers the server computed for that very call. */
	serverLatencyMs: Distribution;
	/**
	 * Keystroke requests VS Code cancelled while the server computed them: the cancel to the end of
	 * that computation (llama.vscode never aborts, so the server finishes work nobody will see).
	 */
	cancelToComputeStopMs: Distribution;
	/** Keystrokes that saw a suggestion on screen within 300 ms (typed through, or delivered that fast). */
	suggestionShown: ShownWithin;
	/** Keys that typed the next character of the ghost text on screen, and server requests they caused. */
	typeThrough: { keystrokes: number; serverRequests: number };
	/** Of delivered calls: time spent waiting for the extension's previous request to finish. */
	waitedBehindRunningMs: Distribution;
	serverRequests: { requests: number; prefetches: number; stale: number; errors: number };
	/** From the server's own timings; the warm-up request is not counted. */
	promptTokens: {
		/** Sum of timings.prompt_n: tokens that went through the model. */
		evaluated: number;
		evaluatedPerRequest: number | null;
		/** Whole prompt per request, and the part the slot's cache supplied. */
		promptPerRequest: number | null;
		cachedPerRequest: number | null;
		/** prompt_n of keystroke requests whose answer came after a newer key: work nobody saw. */
		evaluatedInStaleRequests: number;
	};
	generatedTokens: { total: number; perRequest: number | null; stopTypes: Record<string, number> };
	/** Sum of the server's prompt_ms + predicted_ms: how long its one slot computed. */
	serverBusyMs: number;
	cpuSeconds: number | null;
	cpuSecondsPer100Keystrokes: number | null;
	coldStart: { latencyMs: number; promptTokens: number | null; evaluatedPromptTokens: number } | null;
	accepts: ServerReplayResult['accepts'];
	typedShown: ServerReplayResult['typedShown'];
	eventLagMs: { p50: number | null; max: number | null };
	loadAverage: ServerReplayResult['loadAverage'];
}

export function summarizeServerReplay(replay: ServerReplayResult): ServerTraceSummary {
	const keystrokes = Math.max(1, replay.events);
	const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
	const mean = (values: readonly number[]) => (values.length === 0 ? null : round1(sum(values) / values.length));
	const delivered = replay.keystrokes.filter((call) => call.outcome === 'delivered');
	const latency = (calls: typeof delivered) => calls.map((call) => call.settledAt! - call.issuedAt);
	const counted = replay.serverRequests.filter((request) => request.kind !== 'warm-up');
	const answered = counted
		.filter((request) => request.response !== undefined)
		.map((request) => ({ request, response: request.response! }));
	const lags = [...replay.eventLagMs].sort((a, b) => a - b);
	return {
		trace: replay.trace,
		keystrokes: replay.events,
		durationMs: round1(replay.durationMs),
		requests: replay.keystrokes.length,
		outcomes: {
			delivered: delivered.length,
			deliveredEmpty: delivered.filter((call) => call.textLength === 0).length,
			cancelled: replay.keystrokes.filter((call) => call.outcome === 'cancelled').length,
			notAsked: replay.keystrokes.filter((call) => call.outcome === 'not-asked').length,
			errors: replay.keystrokes.filter((call) => call.outcome === 'error').length,
		},
		sources: {
			cache: replay.keystrokes.filter((call) => call.source === 'cache').length,
			server: replay.keystrokes.filter((call) => call.source === 'server').length,
		},
		latencyMs: distribution(latency(delivered)),
		serverLatencyMs: distribution(latency(delivered.filter((call) => call.source === 'server'))),
		cancelToComputeStopMs: distribution(
			replay.keystrokes.flatMap((call) => {
				const request = call.serverRequest === undefined ? undefined : replay.serverRequests[call.serverRequest];
				return call.cancelledAt !== undefined && request?.endedAt !== undefined && request.endedAt > call.cancelledAt
					? [request.endedAt - call.cancelledAt]
					: [];
			}),
		),
		suggestionShown: shownWithin(
			replay.keystrokes.map((call) => ({
				typedThroughSuggestion: call.typedThroughSuggestion === true,
				delivered: call.outcome === 'delivered',
				textLength: call.textLength ?? 0,
				latencyMs: call.settledAt === undefined ? null : call.settledAt - call.issuedAt,
			})),
		),
		typeThrough: {
			keystrokes: replay.keystrokes.filter((call) => call.typedThroughSuggestion).length,
			serverRequests: replay.keystrokes.filter((call) => call.typedThroughSuggestion && call.source === 'server').length,
		},
		waitedBehindRunningMs: distribution(delivered.map((call) => call.waitedMs)),
		serverRequests: {
			requests: counted.filter((request) => request.kind === 'request').length,
			prefetches: counted.filter((request) => request.kind === 'prefetch').length,
			stale: counted.filter((request) => request.stale).length,
			errors: counted.filter((request) => request.error !== undefined).length,
		},
		promptTokens: {
			evaluated: sum(answered.map(({ response }) => response.promptN)),
			evaluatedPerRequest: mean(answered.map(({ response }) => response.promptN)),
			promptPerRequest: mean(answered.flatMap(({ response }) => (response.promptTokens === null ? [] : [response.promptTokens]))),
			cachedPerRequest: mean(answered.flatMap(({ response }) => (response.cachedTokens === null ? [] : [response.cachedTokens]))),
			evaluatedInStaleRequests: sum(answered.filter(({ request }) => request.stale).map(({ response }) => response.promptN)),
		},
		generatedTokens: {
			total: sum(answered.map(({ response }) => response.predictedN)),
			perRequest: mean(answered.map(({ response }) => response.predictedN)),
			stopTypes: answered.reduce<Record<string, number>>((counts, { response }) => {
				const type = response.stopType ?? 'unknown';
				return { ...counts, [type]: (counts[type] ?? 0) + 1 };
			}, {}),
		},
		serverBusyMs: round1(sum(answered.map(({ response }) => response.promptMs + response.predictedMs))),
		cpuSeconds: replay.cpuSeconds === null ? null : round2(replay.cpuSeconds),
		cpuSecondsPer100Keystrokes: replay.cpuSeconds === null ? null : round2((replay.cpuSeconds / keystrokes) * 100),
		coldStart: replay.warmUp
			? {
					latencyMs: replay.warmUp.latencyMs,
					promptTokens: replay.warmUp.request.response?.promptTokens ?? null,
					evaluatedPromptTokens: replay.warmUp.request.response?.promptN ?? 0,
				}
			: null,
		accepts: { ...replay.accepts, waitedMs: round1(replay.accepts.waitedMs) },
		typedShown: { ...replay.typedShown, waitedMs: round1(replay.typedShown.waitedMs) },
		eventLagMs: {
			p50: lags.length === 0 ? null : round1(lags[Math.floor((lags.length - 1) / 2)]!),
			max: lags.length === 0 ? null : round1(lags.at(-1)!),
		},
		loadAverage: replay.loadAverage,
	};
}

function round1(value: number): number {
	return Math.round(value * 10) / 10;
}

function round2(value: number): number {
	return Math.round(value * 100) / 100;
}
