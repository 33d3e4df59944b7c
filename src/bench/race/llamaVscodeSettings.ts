/**
 * What llama.vscode (ggml-org/llama.vscode, the best local peer in issue #4) does by default, as
 * its settings and README document it. The race replays a trace the way that extension would
 * drive llama-server, so these numbers are behaviour to imitate, not tuning knobs of ours.
 */
export interface LlamaVscodeSettings {
	/** Whole lines before the cursor's line sent as `input_prefix` (setting n_prefix). */
	prefixLines: number;
	/** Whole lines after the cursor's line appended to `input_suffix` (setting n_suffix). */
	suffixLines: number;
	/** No automatic request when more characters than this follow the cursor (max_line_suffix). */
	maxLineSuffix: number;
	/**
	 * While one of its requests runs, a newer keystroke's call sleeps this long, checks whether VS
	 * Code cancelled it, and tries again (DELAY_BEFORE_COMPL_REQUEST). The running request is never
	 * aborted, and there is no debounce before the first request.
	 */
	pollMs: number;
	/** Completions remembered per (prefix, suffix, line prefix) and reused while typing through them. */
	maxCacheKeys: number;
	tMaxPromptMs: number;
	tMaxPredictMs: number;
	/**
	 * After a suggestion is shown at the end of a line, ask for the one that would follow accepting
	 * it (cacheFutureSuggestion), without waiting for it and without blocking the next keystroke.
	 */
	prefetch: boolean;
}

export const LLAMA_VSCODE_DEFAULTS: LlamaVscodeSettings = {
	prefixLines: 256,
	suffixLines: 64,
	maxLineSuffix: 8,
	pollMs: 150,
	maxCacheKeys: 250,
	tMaxPromptMs: 500,
	tMaxPredictMs: 500,
	prefetch: true,
};

/**
 * The server flags llama.vscode's README and default launch command give
 * (`-ub 1024 -b 1024 --ctx-size 0 --cache-reuse 256`, no --parallel, so the server's default
 * slots; its `-dt 0.1` is a no-op in this llama.cpp and left out; contextSize 0 is the model's
 * trained context).
 * The batch size matters beyond speed: /infill keeps 3/4 of a batch of prefix tokens and at most a
 * quarter of suffix tokens, so it also sets how much of the file the prompt holds.
 */
export const LLAMA_VSCODE_SERVER_FLAGS = { batchSize: 1024, ubatchSize: 1024, cacheReuse: 256, contextSize: 0 } as const;

/** The sampling llama.vscode asks /infill for (its request body: top-k 40, top-p 0.99, then the infill sampler). */
export const LLAMA_VSCODE_SAMPLING = { top_k: 40, top_p: 0.99, samplers: ['top_k', 'top_p', 'infill'] } as const;
