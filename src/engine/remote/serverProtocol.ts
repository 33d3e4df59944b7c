/**
 * How one kind of completion server is asked for a fill-in-the-middle completion: the request it
 * gets and how its streamed events read. OpenAiTokenSource runs the stream (timeouts, aborts,
 * health); a protocol knows only the wire format. Two exist: `/completions` (with `suffix`, with a
 * client-side template as `prompt`, or prefix only; completionsProtocol.ts) and llama-server's
 * `/infill` (llamaServerInfill.ts).
 */

import type { CompletionStats, StopReason } from '../completion/completionTypes.js';
import type { SourcePrompt } from '../completion/tokenSource.js';

/** Which fill-in-the-middle path a server gets, as the status bar's tooltip names it. */
export interface ServerFimPath {
	/** "llama-server /infill", "/completions suffix", "client-side template (…)" or "none: prefix only". */
	family: string;
	order: 'psm' | 'spm';
	/** One line: why this path. */
	reason: string;
}

/** What one streamed event says. */
export interface ServerEvent {
	/** Text generated since the previous event. */
	text?: string;
	/** The model generated a stop token (a FIM or file marker the server does not stop at itself). */
	stopToken?: boolean;
	finish?: StopReason;
	/** Prompt figures, when the event carries them. */
	promptTokens?: number;
	evaluatedPromptTokens?: number;
	reusedPromptTokens?: number;
	/** The stream is over ([DONE]). */
	done?: boolean;
}

export interface ServerProtocol {
	/** The path taken now (a protocol may step down once, when the server refuses a field). */
	readonly fim: ServerFimPath;
	/** Stop strings the generated text is cut at (a server applies the ones it is sent itself). */
	readonly stopTexts: readonly string[];
	/** Posts the streamed request; throws ModelLoadError when the server refuses it. */
	post(prompt: SourcePrompt, signal: AbortSignal): Promise<Response>;
	/** Reads one event's data; throws ModelLoadError on something that is not the expected JSON. */
	read(data: string): ServerEvent;
}

/** Applies an event's prompt figures to the run's statistics. */
export function applyPromptFigures(event: ServerEvent, stats: CompletionStats): void {
	if (event.promptTokens !== undefined) {
		stats.promptTokens = event.promptTokens;
		stats.evaluatedPromptTokens = event.evaluatedPromptTokens ?? event.promptTokens;
	}
	if (event.reusedPromptTokens !== undefined) {
		stats.reusedPromptTokens = event.reusedPromptTokens;
	}
}
