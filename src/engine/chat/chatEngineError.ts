export type ChatEngineErrorCode = 'prompt-too-long' | 'no-messages' | 'context-unavailable' | 'disposed';

/** Why a chat request could not run, in words a user can act on. */
export class ChatEngineError extends Error {
	constructor(
		readonly code: ChatEngineErrorCode,
		/** One line for the editor or an HTTP error body. */
		readonly userMessage: string,
		readonly details: { promptTokens?: number; contextSize?: number } = {},
		options?: { cause?: unknown },
	) {
		super(userMessage, options);
		this.name = 'ChatEngineError';
	}
}
