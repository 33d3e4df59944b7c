/** Throughputs measured on the same model and machine before the traces run. */
export interface ModelSpeeds {
	promptTokensPerSecond: number;
	generationTokensPerSecond: number;
}

/**
 * The least time a request can take on this hardware: evaluating only the prompt tokens that are
 * new, then generating what was generated, at the measured speeds. Real engines also pay for
 * tokenising, scheduling and post-processing, and attention gets slower as the context fills, so a
 * ratio near 1 is the best there is; a large ratio says where work is repeated.
 */
export function computeBoundMs(newPromptTokens: number, generatedTokens: number, speeds: ModelSpeeds): number {
	if (!(speeds.promptTokensPerSecond > 0 && speeds.generationTokensPerSecond > 0)) {
		throw new RangeError('speeds must be positive');
	}
	return (newPromptTokens / speeds.promptTokensPerSecond + generatedTokens / speeds.generationTokensPerSecond) * 1000;
}

/** latency / bound, or undefined where the bound is zero (nothing to compute: an answer from the cache). */
export function boundRatio(latencyMs: number, boundMs: number): number | undefined {
	return boundMs > 0 ? latencyMs / boundMs : undefined;
}
