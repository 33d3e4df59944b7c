/** One turn of a conversation, in the roles every chat template knows. */
export interface ChatMessage {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

/**
 * 'input-lookup' predicts the next tokens by finding the last generated ones in the last user
 * message (speculative decoding without a draft model): a refactor or clean-up repeats most of the
 * code it was given, and each predicted token that the model confirms costs no step of its own.
 */
export type ChatTokenPredictor = 'input-lookup' | 'none';

export interface ChatRequest {
	messages: readonly ChatMessage[];
	/** Most tokens to generate; fewer when the context has less room left (stop reason 'context-full'). */
	maxTokens: number;
	/** 0 (the default) is greedy decoding: the same answer each time, which code actions want. */
	temperature?: number;
	/** Generation ends (keeping the text before it) when any of these appears. */
	stop?: readonly string[];
	/** Aborting stops generation within a token; the call then resolves with what it has. */
	signal?: AbortSignal;
	/** Called with each piece of new text; the pieces concatenate to the final `text`. */
	onText?: (delta: string) => void;
	tokenPredictor?: ChatTokenPredictor;
}

export type ChatStopReason = 'end-of-generation' | 'max-tokens' | 'cancelled' | 'context-full';

export interface ChatStats {
	/** Tokens of the templated conversation, whether evaluated now or kept from the previous request. */
	promptTokens: number;
	/** Of those, tokens whose KV state was kept from the previous request. */
	reusedPromptTokens: number;
	generatedTokens: number;
	/** Tokens that came out of the model after the abort signal fired. */
	tokensAfterAbort: number;
	/** Time spent waiting behind other requests. */
	queuedMs: number;
	/** From the start of the run to the end of prompt evaluation. */
	promptMs: number;
	totalMs: number;
	/** Generated tokens per second of generation time (prompt evaluation not counted). */
	tokensPerSecond: number;
	/** node-llama-cpp's name of the chat wrapper that laid out the conversation, e.g. "ChatML". */
	chatWrapper: string;
	/** Predictions the input-lookup predictor made that the model confirmed or refuted (absent without one). */
	predictions?: { validated: number; refuted: number };
}

export interface ChatResult {
	/** The assistant's answer (with 'cancelled': what was generated before the abort). */
	text: string;
	stopReason: ChatStopReason;
	stats: ChatStats;
	/**
	 * The model's own probabilities of the tokens it answered with (natural log; mean and minimum over
	 * `scoredTokens`); absent where the backend gives none (a server that returns no logprobs).
	 */
	confidence?: ChatConfidence;
}

export interface ChatConfidence {
	meanLogProb: number;
	minLogProb: number;
	scoredTokens: number;
}
