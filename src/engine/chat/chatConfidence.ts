/**
 * How sure a chat model was of its answer, from its own token probabilities (ChatResult.confidence).
 */

/**
 * Mean token log-probability below which a chat answer is called unsure (the editor says so and
 * offers Escalate…). Provisional: no instruction-tuned model reaches these machines to measure it on,
 * so it is the threshold measured for Document This (writeDocComment.ts) until one does.
 */
export const CHAT_UNSURE_BELOW = -0.43;
