import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request being answered, with what every route needs. */
export interface Exchange {
	request: IncomingMessage;
	response: ServerResponse;
	/** Aborts when the client goes away before the answer is complete. */
	clientGone: AbortSignal;
	/** The model id this server lists and names in its answers. */
	modelId: string;
}

/** How one generation request ended, for logs and for tests that check what the engine did. */
export interface GenerationReport {
	route: '/v1/completions' | '/v1/chat/completions';
	stream: boolean;
	/** The engine's stop reason, e.g. 'max-tokens', or 'cancelled' when the client went away. */
	stopReason: string;
	/** OpenAI's finish_reason as sent; null when nothing was sent. */
	finishReason: 'stop' | 'length' | null;
	clientDisconnected: boolean;
	promptTokens: number;
	generatedTokens: number;
}

export function responseId(prefix: 'cmpl' | 'chatcmpl'): string {
	return `${prefix}-${randomUUID().replaceAll('-', '')}`;
}

export function unixSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

export function usageOf(
	promptTokens: number,
	completionTokens: number,
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
	return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
