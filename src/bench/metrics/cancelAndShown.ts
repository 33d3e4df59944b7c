/**
 * Two measures defined the same way for Hearth and for llama-server: how long llama.cpp kept
 * computing for a request after the editor cancelled it, and how many keystrokes saw a suggestion
 * on screen soon after the key.
 */

import { distribution, type Distribution } from './percentile.js';

/** A request as the cancel measure needs it (times in ms on the replay's clock). */
export interface CancelRequest {
	issuedAtMs: number;
	/** When the editor dropped it (newer key, cursor move); null if it did not. */
	abortedAtMs: number | null;
	runId: number | null;
}

/** A model run as the cancel measure needs it. */
export interface CancelRun {
	id: number;
	kind: 'request' | 'prefetch';
	stopReason: string;
	generatedTokens: number;
	/** When the engine saw the abort; null for a run that was not cancelled. */
	engineAbortedAtMs: number | null;
	/** When llama.cpp last returned from computing for this run; null if it never computed. */
	computeEndedAtMs: number | null;
}

export interface CancelToComputeStop {
	/** Every cancelled run: the editor's cancel to the end of the last batch or token computed for it. */
	all: Distribution;
	/** Of those, runs cancelled before their first generated token (during prompt evaluation). */
	duringPrompt: Distribution;
	duringGeneration: Distribution;
	/** Cancelled runs with no editor action before the engine's abort to measure from. */
	unattributed: number;
}

/**
 * Per cancelled run: from the editor's cancel that ended it to the moment llama.cpp stopped
 * computing for it. The editor's cancel is the latest editor drop of a request the run answered
 * (the run lives while anyone waits for it); for a prefetch, or a run no request left, the last
 * keystroke before the engine's abort. A run that computed nothing after the cancel counts 0.
 */
export function cancelToComputeStop(requests: readonly CancelRequest[], runs: readonly CancelRun[]): CancelToComputeStop {
	const all: number[] = [];
	const duringPrompt: number[] = [];
	const duringGeneration: number[] = [];
	let unattributed = 0;
	for (const run of runs) {
		if (run.stopReason !== 'cancelled' || run.engineAbortedAtMs === null) {
			continue;
		}
		const abortedAt = run.engineAbortedAtMs;
		const drops = requests.flatMap((request) =>
			request.runId === run.id && request.abortedAtMs !== null && request.abortedAtMs <= abortedAt ? [request.abortedAtMs] : [],
		);
		const keys = requests.flatMap((request) => (request.issuedAtMs <= abortedAt ? [request.issuedAtMs] : []));
		const cancel = run.kind === 'request' && drops.length > 0 ? Math.max(...drops) : keys.length > 0 ? Math.max(...keys) : undefined;
		if (cancel === undefined) {
			unattributed++;
			continue;
		}
		const stop = Math.max(0, (run.computeEndedAtMs ?? cancel) - cancel);
		all.push(stop);
		(run.generatedTokens === 0 ? duringPrompt : duringGeneration).push(stop);
	}
	return {
		all: distribution(all),
		duringPrompt: distribution(duringPrompt),
		duringGeneration: distribution(duringGeneration),
		unattributed,
	};
}

/** A keystroke's request as the shown-within measure needs it. */
export interface ShownRequest {
	/** The key typed the next character of the ghost text, which stayed on screen. */
	typedThroughSuggestion: boolean;
	delivered: boolean;
	/** Characters of the delivered suggestion (0: nothing shown). */
	textLength: number;
	latencyMs: number | null;
}

export const SHOWN_WITHIN_MS = 300;

export interface ShownWithin {
	withinMs: number;
	/** Keystrokes (edits that asked for a suggestion) that saw one within `withinMs`, of all of them. */
	keystrokes: number;
	sawSuggestion: number;
	share: number | null;
}

/**
 * The share of keystrokes after which a suggestion was on screen within `withinMs`: one typed
 * through (the rest of the ghost text stays) or a non-empty answer delivered that fast.
 */
export function shownWithin(requests: readonly ShownRequest[], withinMs = SHOWN_WITHIN_MS): ShownWithin {
	const saw = requests.filter(
		(request) =>
			request.typedThroughSuggestion ||
			(request.delivered && request.textLength > 0 && request.latencyMs !== null && request.latencyMs <= withinMs),
	).length;
	return {
		withinMs,
		keystrokes: requests.length,
		sawSuggestion: saw,
		share: requests.length === 0 ? null : Math.round((saw / requests.length) * 1000) / 1000,
	};
}
