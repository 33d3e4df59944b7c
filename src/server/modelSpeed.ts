import type { ModelSpeed } from '../shared/protocol.js';

/**
 * A model's speed on this machine, summed over its runs since it was loaded: prompt tokens evaluated
 * per second of prompt evaluation, and tokens generated per second of generation. Sums, not an
 * average of rates, so a run of two tokens weighs what it took.
 */
export class SpeedMeter {
	private promptTokens = 0;
	private promptMs = 0;
	private generatedTokens = 0;
	private generationMs = 0;
	private runs = 0;

	/** One run's figures; a run that evaluated and generated nothing (a cache hit, a cancel before its start) is not counted. */
	add(run: { promptTokens: number; promptMs: number; generatedTokens: number; generationMs: number }): void {
		if (run.promptTokens <= 0 && run.generatedTokens <= 0) {
			return;
		}
		this.runs++;
		if (run.promptTokens > 0 && run.promptMs > 0) {
			this.promptTokens += run.promptTokens;
			this.promptMs += run.promptMs;
		}
		if (run.generatedTokens > 0 && run.generationMs > 0) {
			this.generatedTokens += run.generatedTokens;
			this.generationMs += run.generationMs;
		}
	}

	/** Undefined before the first counted run. */
	get speed(): ModelSpeed | undefined {
		if (this.runs === 0) {
			return undefined;
		}
		return {
			...(this.promptMs > 0 ? { promptTokensPerSecond: (this.promptTokens * 1000) / this.promptMs } : {}),
			...(this.generationMs > 0 ? { generatedTokensPerSecond: (this.generatedTokens * 1000) / this.generationMs } : {}),
			runs: this.runs,
		};
	}

	reset(): void {
		this.promptTokens = this.promptMs = this.generatedTokens = this.generationMs = this.runs = 0;
	}
}
