/**
 * How much, and how long, a frontier answer may be. A server is trusted with the user's code, not
 * with the editor's memory or time: an answer far longer than `maxOutputTokens` allows, a body that
 * never ends, or a stream of chunks that carry nothing is stopped, with the text so far kept.
 */

/**
 * Characters of answer text allowed per output token: about 16 (the longest tokens of real
 * tokenizers, e.g. runs of spaces in code) doubled for safety. English averages about 4.
 */
export const ANSWER_CHARS_PER_TOKEN = 16 * 2;

/** Bytes of HTTP body allowed per output token: an event's JSON framing (id, model, fingerprint, padding) is a few hundred bytes. */
export const BODY_BYTES_PER_TOKEN = 2 * 1024;

/** Bytes of HTTP body allowed besides those per token (headers of the stream, usage, a non-streamed answer's framing). */
export const BODY_BYTES_BASE = 1024 * 1024;

/** The whole escalation, retries included, when the settings say nothing (hearth.escalation.totalTimeoutSeconds). */
export const DEFAULT_TOTAL_TIMEOUT_MS = 600_000;

/** The most answer text an answer of at most `maxOutputTokens` tokens may hold. */
export function maxAnswerChars(maxOutputTokens: number): number {
	return Math.max(1, Math.floor(maxOutputTokens)) * ANSWER_CHARS_PER_TOKEN;
}

/** The most bytes the response body of such an answer may hold, events and JSON included. */
export function maxBodyBytes(maxOutputTokens: number): number {
	return BODY_BYTES_BASE + Math.max(1, Math.floor(maxOutputTokens)) * BODY_BYTES_PER_TOKEN;
}

/**
 * Whether a streamed chunk moves the answer on: text (content, refusal or reasoning), a tool call, a
 * finish reason, or the usage that ends a stream. A chunk without any of these (`"choices": []`,
 * an empty delta, a role alone) is what a server sends to keep a connection open, and does not
 * count as the server having sent something (see IdleWatchdog).
 */
export function carriesProgress(chunk: { choices?: readonly unknown[]; usage?: unknown }): boolean {
	if (chunk.usage) {
		return true;
	}
	return (chunk.choices ?? []).some((choice) => {
		const { delta, finish_reason: finishReason } = (choice ?? {}) as { delta?: Record<string, unknown>; finish_reason?: unknown };
		if (finishReason !== null && finishReason !== undefined) {
			return true;
		}
		const nonEmpty = (value: unknown) =>
			(typeof value === 'string' && value !== '') ||
			(Array.isArray(value) && value.length > 0) ||
			(typeof value === 'object' && value !== null && !Array.isArray(value));
		return (
			delta !== undefined &&
			['content', 'refusal', 'reasoning_content', 'reasoning', 'tool_calls', 'function_call'].some((field) => nonEmpty(delta[field]))
		);
	});
}
