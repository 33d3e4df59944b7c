import os from 'node:os';
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { GenerationAtDepth, ModelSpeeds } from '../metrics/computeBound.js';
import { percentile } from '../metrics/percentile.js';

export interface Calibration extends ModelSpeeds {
	promptTokens: number;
	generatedTokens: number;
	repetitions: number;
	/** The same prompt fed in the engine's 64-token chunks (what an abortable prompt costs). */
	chunkedPromptTokensPerSecond: number;
	/** Every repetition, to show the noise. */
	promptTokensPerSecondSamples: number[];
	generationTokensPerSecondSamples: number[];
	deepGeneration: GenerationAtDepth;
	/** One-minute load average when calibration ended: with other work running, every speed is low. */
	loadAverage1m: number;
}

const PROMPT_TOKENS = 256;
/** The deep calibration's prompt: the editor's default prompt budget, where the traces' prompts are. */
const DEEP_PROMPT_TOKENS = 1536;
const GENERATED_TOKENS = 32;
const REPETITIONS = 3;
const ENGINE_CHUNK_TOKENS = 64;

/**
 * Prompt-evaluation and generation speed of this model on this machine, from scratch (empty KV
 * cache), the median of a few runs. `sample` is real code, so the tokens are typical ones.
 */
export async function calibrate(model: LlamaModel, sequence: LlamaContextSequence, sample: string): Promise<Calibration> {
	const sampleTokens = model.tokenize(sample, false);
	let longTokens = sampleTokens;
	while (longTokens.length < DEEP_PROMPT_TOKENS) {
		longTokens = longTokens.concat(sampleTokens);
	}
	const tokens = longTokens.slice(0, PROMPT_TOKENS);

	// Warm-up: the first decode pays for allocations and page faults of the mapped weights.
	await sequence.clearHistory();
	await generate(sequence, tokens.slice(0, 16), 4);

	const promptSpeeds: number[] = [];
	const generationSpeeds: number[] = [];
	for (let repetition = 0; repetition < REPETITIONS; repetition++) {
		await sequence.clearHistory();
		const promptStartedAt = performance.now();
		await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
		promptSpeeds.push((tokens.length - 1) / ((performance.now() - promptStartedAt) / 1000));
		// Each decode step takes one token (first the prompt's last one, then each generated one).
		const generationStartedAt = performance.now();
		const generated = await generate(sequence, tokens.slice(-1), GENERATED_TOKENS);
		generationSpeeds.push(generated / ((performance.now() - generationStartedAt) / 1000));
	}

	await sequence.clearHistory();
	const chunkedStartedAt = performance.now();
	for (let start = 0; start < tokens.length - 1; start += ENGINE_CHUNK_TOKENS) {
		await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, Math.min(start + ENGINE_CHUNK_TOKENS, tokens.length - 1)));
	}
	const chunkedSpeed = (tokens.length - 1) / ((performance.now() - chunkedStartedAt) / 1000);

	// Generation again after a long prompt, evaluated once; each repetition erases what the last generated.
	const deepPrompt = longTokens.slice(0, Math.min(DEEP_PROMPT_TOKENS, sequence.contextSize - GENERATED_TOKENS - 1));
	await sequence.clearHistory();
	await sequence.evaluateWithoutGeneratingNewTokens(deepPrompt.slice(0, -1));
	const deepSpeeds: number[] = [];
	for (let repetition = 0; repetition < REPETITIONS; repetition++) {
		const startedAt = performance.now();
		const generated = await generate(sequence, deepPrompt.slice(-1), GENERATED_TOKENS);
		deepSpeeds.push(generated / ((performance.now() - startedAt) / 1000));
		await sequence.eraseContextTokenRanges([{ start: deepPrompt.length - 1, end: sequence.nextTokenIndex }]);
	}
	await sequence.clearHistory();

	return {
		promptTokens: tokens.length,
		generatedTokens: GENERATED_TOKENS,
		repetitions: REPETITIONS,
		promptTokensPerSecond: round(percentile(promptSpeeds, 50)!),
		generationTokensPerSecond: round(percentile(generationSpeeds, 50)!),
		deepGeneration: {
			shallowDepthTokens: PROMPT_TOKENS - 1 + GENERATED_TOKENS / 2,
			depthTokens: deepPrompt.length - 1 + GENERATED_TOKENS / 2,
			tokensPerSecond: round(percentile(deepSpeeds, 50)!),
		},
		chunkedPromptTokensPerSecond: round(chunkedSpeed),
		promptTokensPerSecondSamples: promptSpeeds.map(round),
		generationTokensPerSecondSamples: generationSpeeds.map(round),
		loadAverage1m: round(os.loadavg()[0]!),
	};
}

/** Greedy generation of up to `count` tokens; returns how many came out. */
async function generate(sequence: LlamaContextSequence, input: Token[], count: number): Promise<number> {
	let generated = 0;
	for await (const token of sequence.evaluate(input, { temperature: 0 })) {
		void token;
		if (++generated >= count) {
			break;
		}
	}
	return generated;
}

function round(value: number): number {
	return Math.round(value * 10) / 10;
}
