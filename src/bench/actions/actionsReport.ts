import type { VerificationCeiling } from './verificationCeiling.js';

/** What one model's "actions" section of the benchmark report holds. */

/** One predictor mode on one request: the measured runs, after an identical warm-up run. */
export interface ModeMeasurement {
	/** Generated tokens per second of generation time (prompt evaluation not counted), the median of the measured runs. */
	tokensPerSecond: number;
	tokensPerSecondSamples: number[];
	/** The other fields: of the last measured run (greedy decoding repeats them). */
	generatedTokens: number;
	stopReason: string;
	promptTokens: number;
	/** Prompt tokens whose KV state the run kept from the run before it. */
	reusedPromptTokens: number;
	/** The warm-up run's speed (it evaluated the prompt and paid the first decode's allocations), not in the median. */
	warmUpTokensPerSecond: number;
	/** Absent without a predictor. */
	predictions?: { validated: number; refuted: number };
}

export interface PredictorComparison {
	none: ModeMeasurement;
	inputLookup: ModeMeasurement;
	/** input-lookup tokens/s ÷ none tokens/s within each pair of runs next to each other in time, the median of the pairs. */
	ratio: number;
	/** validated ÷ (validated + refuted) of the input-lookup run; null when it predicted nothing. */
	acceptance: number | null;
	note: string;
}

export interface ForcedCopyComparison extends PredictorComparison {
	/** Tokens the grammar forces: the start of the fenced code, token for token. */
	forcedTokens: number;
	/** Whether those tokens appear, in that order, in the user message's tokens the predictor looks in. */
	forcedTokensFromInput: boolean;
	/** Whether both runs answered exactly the forced text. */
	copiedExactly: boolean;
}

export interface ActionsReport {
	request: {
		source: string;
		function: string;
		lines: number;
		promptTokens: number;
		chatWrapper: string;
		maxTokens: number;
		temperature: 0;
		predictor: string;
		rounds: number;
	};
	/** Free generation: what the random weights make of a rewrite request. */
	rewrite: PredictorComparison;
	/** The same request with the answer constrained by a grammar to copy the input, through the predictor. */
	forcedCopy: ForcedCopyComparison | { skipped: string };
	/** The mechanism's ceiling: the copied tokens decoded one per step against verification batches all accepted. */
	verificationCeiling: VerificationCeiling;
	/** One-minute load average when the section ended: above the core count, other work shared the CPU and the samples scatter. */
	loadAverage1m: number;
}
