import type { OutgoingMessage } from './outgoingRequest.js';

/** The request field that caps the answer's length. */
export type TokenLimitField = 'max_tokens' | 'max_completion_tokens';

/** The parameters of a chat request that vary with what the server accepts. */
export interface ChatRequestShape {
	tokenLimitField: TokenLimitField;
	/** `stream_options: {include_usage: true}`: the token counts for the audit log. */
	includeUsage: boolean;
}

/** The JSON body of a streamed chat completion: the messages exactly as previewed, and nothing else of the user's. */
export interface ChatRequestBody {
	model: string;
	messages: OutgoingMessage[];
	stream: true;
	stream_options?: { include_usage: true };
	max_tokens?: number;
	max_completion_tokens?: number;
}

/**
 * Which field to send first. OpenAI deprecated `max_tokens` for `max_completion_tokens`, and its
 * reasoning models (o1, o3, o4-mini, gpt-5) reject `max_tokens` with a 400. Many OpenAI-compatible
 * servers (older llama.cpp, vLLM, LM Studio and Ollama versions, proxies) know only `max_tokens` and
 * would silently ignore the new name, leaving the answer's length (and cost) unbounded. So: the new
 * name for OpenAI's own API and Azure OpenAI, the old one elsewhere; a server that rejects the chosen
 * one by name gets the other on a second try (see adjustedForRejectedParameter). No temperature is
 * sent: reasoning models reject any but the default.
 */
export function initialRequestShape(baseUrl: string): ChatRequestShape {
	let host = '';
	try {
		host = new URL(baseUrl).hostname.toLowerCase();
	} catch {
		// An invalid URL fails when sent, with its own message.
	}
	const openAi = host === 'api.openai.com' || host.endsWith('.openai.azure.com');
	return { tokenLimitField: openAi ? 'max_completion_tokens' : 'max_tokens', includeUsage: true };
}

export function chatRequestBody(
	model: string,
	messages: readonly OutgoingMessage[],
	maxOutputTokens: number,
	shape: ChatRequestShape,
): ChatRequestBody {
	return {
		model,
		// Copied field by field: an object that carried more than role and content would send it too.
		messages: messages.map(({ role, content }) => ({ role, content })),
		stream: true,
		...(shape.includeUsage ? { stream_options: { include_usage: true } as const } : {}),
		[shape.tokenLimitField]: maxOutputTokens,
	};
}

/**
 * The shape to try instead after a 400 that names a parameter of ours as unsupported, e.g. OpenAI's
 * "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens'
 * instead.", or undefined when the 400 is about something else. A 400 means nothing was processed,
 * so sending again differently is safe.
 */
export function adjustedForRejectedParameter(
	shape: ChatRequestShape,
	errorMessage: string,
	errorParam: string | null | undefined,
): ChatRequestShape | undefined {
	const unsupported =
		/unsupported|not supported|unrecognized|unknown|extra (?:inputs|fields)|not permitted|not allowed|invalid (?:field|param)/i.test(
			errorMessage,
		);
	if (!unsupported) {
		return undefined;
	}
	const names = (field: string) => errorParam === field || new RegExp(`\\b${field}\\b`).test(errorMessage);
	if (names(shape.tokenLimitField)) {
		return { ...shape, tokenLimitField: shape.tokenLimitField === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens' };
	}
	if (shape.includeUsage && names('stream_options')) {
		return { ...shape, includeUsage: false };
	}
	return undefined;
}
