/** Throughputs measured on the same model and machine before the traces run. */
export interface ModelSpeeds {
	promptTokensPerSecond: number;
	/** Generation after a short prompt, at `shallowDepthTokens` of context on average. */
	generationTokensPerSecond: number;
	/**
	 * Generation measured again after a long prompt: each token's attention reads the whole context,
	 * so a token 1,500 tokens in costs more than one 250 tokens in (a quarter more on a 1.5B model on
	 * two cores). Absent: the bound takes every token at the shallow speed.
	 */
	deepGeneration?: GenerationAtDepth;
}

export interface GenerationAtDepth {
	/** Mean context length over the shallow calibration's generated tokens. */
	shallowDepthTokens: number;
	/** Mean context length over the deep calibration's generated tokens. */
	depthTokens: number;
	tokensPerSecond: number;
}

/**
 * The least time a request can take on this hardware: evaluating only the prompt tokens that are
 * new, then generating what was generated, at the measured speeds, each generated token at the
 * speed for its depth (`promptTokens`, the run's whole prompt, plus the tokens before it). Real
 * engines also pay for tokenising, scheduling and post-processing, so a ratio near 1 is the best
 * there is; a large ratio says where work is repeated or waited.
 */
export function computeBoundMs(newPromptTokens: number, generatedTokens: number, speeds: ModelSpeeds, promptTokens = 0): number {
	if (!(speeds.promptTokensPerSecond > 0 && speeds.generationTokensPerSecond > 0)) {
		throw new RangeError('speeds must be positive');
	}
	const meanDepth = promptTokens + generatedTokens / 2;
	return (newPromptTokens / speeds.promptTokensPerSecond + generatedTokens * secondsPerGeneratedToken(speeds, meanDepth)) * 1000;
}

/**
 * Seconds per generated token at a context depth: linear in the depth between (and beyond) the
 * two calibrated points, as attention's cost is, and never below the faster of the two.
 */
export function secondsPerGeneratedToken(speeds: ModelSpeeds, depthTokens: number): number {
	const shallow = 1 / speeds.generationTokensPerSecond;
	const deep = speeds.deepGeneration;
	if (deep === undefined || !(deep.tokensPerSecond > 0) || deep.depthTokens <= deep.shallowDepthTokens) {
		return shallow;
	}
	const slope = (1 / deep.tokensPerSecond - shallow) / (deep.depthTokens - deep.shallowDepthTokens);
	return Math.max(Math.min(shallow, 1 / deep.tokensPerSecond), shallow + slope * (depthTokens - deep.shallowDepthTokens));
}

/** latency / bound, or undefined where the bound is zero (nothing to compute: an answer from the cache). */
export function boundRatio(latencyMs: number, boundMs: number): number | undefined {
	return boundMs > 0 ? latencyMs / boundMs : undefined;
}
