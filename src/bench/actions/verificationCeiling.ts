import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { LoadedModel } from '../../engine/runtime/loadModel.js';
import { median, medianPairRatio, round, runPairs } from './pairedRuns.js';

/** Tokens node-llama-cpp's InputLookupTokenPredictor predicts per step at most (its default). */
export const PREDICTED_TOKENS_PER_STEP = 3;

const PROMPT_CHUNK_TOKENS = 128;

interface Speeds {
	/** The median of the measured runs. */
	tokensPerSecond: number;
	tokensPerSecondSamples: number[];
	warmUpTokensPerSecond: number;
}

export interface VerificationCeiling {
	tokens: number;
	/** Decode steps of one token each, as generation without a predictor. */
	oneTokenPerStep: Speeds;
	/** Decode steps of 1 + PREDICTED_TOKENS_PER_STEP tokens, every prediction right. */
	allPredictionsAccepted: Speeds & { tokensPerStep: number };
	/** allPredictionsAccepted ÷ oneTokenPerStep within each pair of runs, the median of the pairs. */
	ratio: number;
}

/**
 * What input lookup can gain at most on this machine: the copied tokens decoded after the same prompt,
 * once a token per step and once in verification batches of 1 + 3 tokens, with the next token sampled
 * (greedy) at every position as verification does. It is speculative decoding with every prediction
 * accepted, without the predictor's bookkeeping and without a grammar.
 */
export async function measureVerificationCeiling(
	loaded: LoadedModel,
	prompt: readonly Token[],
	copied: readonly Token[],
	contextSize: number,
	rounds: number,
): Promise<VerificationCeiling> {
	const context = await loaded.model.createContext({ contextSize, threads: loaded.info.threads, sequences: 1 });
	try {
		const sequence = context.getSequence();
		const kept = prompt.slice(0, -1);
		for (let start = 0; start < kept.length; start += PROMPT_CHUNK_TOKENS) {
			await sequence.evaluateWithoutGeneratingNewTokens(kept.slice(start, start + PROMPT_CHUNK_TOKENS));
		}
		// The prompt's last token goes with the first step, whose output is the first copied token.
		const stream = [prompt.at(-1)!, ...copied.slice(0, -1)];
		const tokensPerStep = 1 + PREDICTED_TOKENS_PER_STEP;
		const runs = await runPairs(
			rounds,
			() => decodeInSteps(sequence, kept.length, stream, 1),
			() => decodeInSteps(sequence, kept.length, stream, tokensPerStep),
		);
		const speeds = (warmUp: number, measured: number[]): Speeds => ({
			tokensPerSecond: round(median(measured), 1),
			tokensPerSecondSamples: measured.map((speed) => round(speed, 1)),
			warmUpTokensPerSecond: round(warmUp, 1),
		});
		return {
			tokens: stream.length,
			oneTokenPerStep: speeds(
				runs.warmUp.a,
				runs.pairs.map((pair) => pair.a),
			),
			allPredictionsAccepted: {
				tokensPerStep,
				...speeds(
					runs.warmUp.b,
					runs.pairs.map((pair) => pair.b),
				),
			},
			ratio: medianPairRatio(runs, (speed) => speed),
		};
	} finally {
		await context.dispose();
	}
}

/** Tokens per second of decoding `stream` after the first `keep` context tokens, `tokensPerStep` per batch. */
async function decodeInSteps(
	sequence: LlamaContextSequence,
	keep: number,
	stream: readonly Token[],
	tokensPerStep: number,
): Promise<number> {
	if (sequence.nextTokenIndex > keep) {
		await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
	}
	const startedAt = performance.now();
	for (let start = 0; start < stream.length; start += tokensPerStep) {
		await sequence.controlledEvaluate(
			stream
				.slice(start, start + tokensPerStep)
				.map((token) => [token, { generateNext: { token: true, options: { temperature: 0 } } }]),
		);
	}
	return stream.length / ((performance.now() - startedAt) / 1000);
}
