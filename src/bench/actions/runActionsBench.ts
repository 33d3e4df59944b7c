import os from 'node:os';
import { ChatEngine } from '../../engine/chat/chatEngine.js';
import type { ChatResult, ChatTokenPredictor } from '../../engine/chat/chatTypes.js';
import { chooseChatWrapper } from '../../engine/chat/chatWrapperChoice.js';
import type { Logger } from '../../engine/logger.js';
import type { LoadedModel } from '../../engine/runtime/loadModel.js';
import type { ActionsReport, ForcedCopyComparison, ModeMeasurement, PredictorComparison } from './actionsReport.js';
import { chatPromptTokens, exactTokensGrammar, ForcedCopyChat, forcedCopyTokens, type ForcedRun } from './forcedCopy.js';
import { median, medianPairRatio, round, runPairs, type PairedRuns } from './pairedRuns.js';
import { rewriteRequest, type RewriteRequest } from './rewriteRequest.js';
import { measureVerificationCeiling, PREDICTED_TOKENS_PER_STEP } from './verificationCeiling.js';
import { messageOf } from '../../shared/errorMessage.js';

export interface ActionsBenchOptions {
	/** Tokens per answer; random weights never stop on their own, so every answer is this long. */
	maxTokens: number;
	/** Measured pairs (none, input-lookup) per comparison, after one warm-up run of each. */
	rounds: number;
}

export const DEFAULT_ACTION_TOKENS = 96;
export const DEFAULT_ACTION_ROUNDS = 5;

const RANDOM_WEIGHTS_NOTE =
	'random weights do not copy their input, so the acceptance here is a lower bound: a trained model rewriting code repeats most of it and has far more predictions accepted';
const FORCED_COPY_NOTE =
	'the answer is forced by a grammar of token ids to be the input code token for token, so every prediction is right; but under a grammar node-llama-cpp 3.22.1 drafts 1 token per step instead of 3 ' +
	"(it checks each drafted token against the grammar state before the previous draft), and both modes pay the grammar check on every sampled token: the predictor's ceiling under a grammar, below the mechanism's (verificationCeiling)";

/**
 * Speculative decoding by input lookup on a rewrite request: tokens/s with and without it on the chat
 * engine itself (free generation), with the answer forced to copy the input, and the mechanism's
 * ceiling on this machine. Each mode has its own engine, so each keeps its prompt's KV state and both
 * are measured warm, in alternating pairs.
 */
export async function runActionsBench(
	loaded: LoadedModel,
	logger: Logger,
	options: ActionsBenchOptions,
	progress: (message: string) => void,
): Promise<ActionsReport> {
	const request = rewriteRequest();
	const wrapperChoice = chooseChatWrapper(loaded.model);
	const engines = { none: new ChatEngine(loaded, { logger }), inputLookup: new ChatEngine(loaded, { logger }) };
	const contextSize = engines.none.contextSize;
	let rewrite: PairedRuns<ChatResult>;
	try {
		const generate = (engine: ChatEngine, tokenPredictor: ChatTokenPredictor) => () =>
			engine.generate({ messages: request.messages, maxTokens: options.maxTokens, temperature: 0, tokenPredictor });
		rewrite = await runPairs(options.rounds, generate(engines.none, 'none'), generate(engines.inputLookup, 'input-lookup'));
	} finally {
		await engines.none.dispose();
		await engines.inputLookup.dispose();
	}
	const rewriteComparison = compare(rewrite, (result) => ({ ...result.stats, stopReason: result.stopReason }), RANDOM_WEIGHTS_NOTE);
	progress(`actions, rewrite: ${describe(rewriteComparison)}`);

	const forced = forcedCopyTokens(loaded.model, request.messages.at(-1)!.content, request.fencedCode, options.maxTokens);
	const forcedCopy = await measureForcedCopy(loaded, request, forced, contextSize, options.rounds).catch((error: unknown) => ({
		skipped: `the forced copy failed: ${messageOf(error)}`,
	}));
	progress(`actions, forced copy: ${'skipped' in forcedCopy ? forcedCopy.skipped : describe(forcedCopy)}`);

	const prompt = chatPromptTokens(loaded.model, wrapperChoice, request.messages);
	const verificationCeiling = await measureVerificationCeiling(loaded, prompt, forced.tokens, contextSize, options.rounds);
	progress(
		`actions, verification ceiling: ${verificationCeiling.oneTokenPerStep.tokensPerSecond} tokens/s one per step, ` +
			`${verificationCeiling.allPredictionsAccepted.tokensPerSecond} tokens/s ${verificationCeiling.allPredictionsAccepted.tokensPerStep} per step, ratio ${verificationCeiling.ratio}`,
	);
	return {
		request: {
			source: request.source.file,
			function: request.source.name,
			lines: request.source.lines,
			promptTokens: prompt.length,
			chatWrapper: wrapperChoice.name,
			maxTokens: options.maxTokens,
			temperature: 0,
			predictor: `node-llama-cpp's InputLookupTokenPredictor with its defaults (as the chat engine makes it): up to ${PREDICTED_TOKENS_PER_STEP} tokens predicted per step`,
			rounds: options.rounds,
		},
		rewrite: rewriteComparison,
		forcedCopy,
		verificationCeiling,
		loadAverage1m: round(os.loadavg()[0]!, 1),
	};
}

async function measureForcedCopy(
	loaded: LoadedModel,
	request: RewriteRequest,
	forced: ReturnType<typeof forcedCopyTokens>,
	contextSize: number,
	rounds: number,
): Promise<ForcedCopyComparison> {
	const expectedText = loaded.model.detokenize(forced.tokens);
	const grammar = await loaded.llama.createGrammar({ grammar: exactTokensGrammar(forced.tokens) });
	const wrapperChoice = chooseChatWrapper(loaded.model);
	const chats = {
		none: await ForcedCopyChat.create(loaded, wrapperChoice, contextSize, 'none'),
		inputLookup: await ForcedCopyChat.create(loaded, wrapperChoice, contextSize, 'input-lookup'),
	};
	let runs: PairedRuns<ForcedRun>;
	try {
		const generate = (chat: ForcedCopyChat) => () => chat.generate(request.messages, grammar, forced.tokens.length);
		runs = await runPairs(rounds, generate(chats.none), generate(chats.inputLookup));
	} finally {
		await chats.none.dispose();
		await chats.inputLookup.dispose();
	}
	const all = [runs.warmUp, ...runs.pairs].flatMap((pair) => [pair.a, pair.b]);
	return {
		...compare(runs, (run) => run, FORCED_COPY_NOTE),
		forcedTokens: forced.tokens.length,
		forcedTokensFromInput: forced.fromInput,
		copiedExactly: all.every((run) => run.text === expectedText),
	};
}

/** What one run tells, whichever runner made it. */
interface RunFacts {
	tokensPerSecond: number;
	generatedTokens: number;
	stopReason: string;
	promptTokens: number;
	reusedPromptTokens: number;
	predictions?: { validated: number; refuted: number };
}

function compare<T>(runs: PairedRuns<T>, facts: (run: T) => RunFacts, note: string): PredictorComparison {
	const none = measurement(
		runs.warmUp.a,
		runs.pairs.map((pair) => pair.a),
		facts,
	);
	const inputLookup = measurement(
		runs.warmUp.b,
		runs.pairs.map((pair) => pair.b),
		facts,
	);
	const { validated = 0, refuted = 0 } = inputLookup.predictions ?? {};
	return {
		none,
		inputLookup,
		ratio: medianPairRatio(runs, (run) => facts(run).tokensPerSecond),
		acceptance: validated + refuted > 0 ? round(validated / (validated + refuted), 2) : null,
		note,
	};
}

function measurement<T>(warmUp: T, measured: T[], facts: (run: T) => RunFacts): ModeMeasurement {
	const last = facts(measured.at(-1)!);
	const speeds = measured.map((run) => facts(run).tokensPerSecond);
	return {
		tokensPerSecond: round(median(speeds), 1),
		tokensPerSecondSamples: speeds.map((speed) => round(speed, 1)),
		warmUpTokensPerSecond: round(facts(warmUp).tokensPerSecond, 1),
		generatedTokens: last.generatedTokens,
		stopReason: last.stopReason,
		promptTokens: last.promptTokens,
		reusedPromptTokens: last.reusedPromptTokens,
		...(last.predictions ? { predictions: last.predictions } : {}),
	};
}

function describe(comparison: PredictorComparison): string {
	const predictions = comparison.inputLookup.predictions;
	return (
		`none ${comparison.none.tokensPerSecond} tokens/s, input-lookup ${comparison.inputLookup.tokensPerSecond} tokens/s, ratio ${comparison.ratio}` +
		(predictions ? `, predictions ${predictions.validated} validated / ${predictions.refuted} refuted` : '')
	);
}
