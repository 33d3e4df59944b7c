/**
 * Where a chat answer comes from, as the selection actions see it: a GGUF run in this process
 * (ChatEngine, which matches this interface as it is) or an OpenAI-compatible server's
 * /chat/completions (remote/openAiChatBackend.ts). The action runner never asks which.
 */

import type { ChatMessage, ChatRequest, ChatResult } from './chatTypes.js';

export interface ChatBackend {
	/** Tokens the context holds: prompt and answer together must fit (a server's may be an estimate). */
	readonly contextSize: number;
	/** Prompt tokens of the conversation (a server's backend estimates them from the text). */
	countTokens(messages: readonly ChatMessage[]): number;
	/** The answer; resolves with stop reason 'cancelled' and the text so far when the signal aborts. */
	generate(request: ChatRequest): Promise<ChatResult>;
	dispose(): Promise<void>;
}
