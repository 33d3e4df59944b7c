/**
 * Perplexity of a GGUF model on held-out token documents, from llama.cpp's own logits through
 * node-llama-cpp's `controlledEvaluate`: log p(next) is the log-softmax over the whole vocabulary.
 * (Its `totalLogitWeight` shortcut is not that sum: it comes after the sampler's filters, and
 * gave half the true NLL on the starter model, so it is not used.) The full logits of a position are
 * 49k numbers, so a window is evaluated in short chunks that build on the same KV cache.
 * Documents longer than the context are scored in consecutive windows, each from an empty cache.
 */
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from 'node-llama-cpp';
import type { LabelledDocument } from './heldoutData.js';

export interface PerplexityLine {
	readonly tokens: number;
	/** Mean negative log-likelihood per token, in nats. */
	readonly meanNll: number;
	readonly perplexity: number;
}

export interface PerplexityResult extends PerplexityLine {
	readonly documents: number;
	readonly byLanguage: Record<string, PerplexityLine>;
}

export interface PerplexityOptions {
	/** Stop after this many scored tokens. */
	readonly maxTokens: number;
	/** Tokens per window (at most the context size). */
	readonly windowTokens: number;
}

/** Positions whose full logits are copied to JavaScript at once (bounds the memory: chunk × vocabulary). */
const CHUNK_TOKENS = 32;

/** Log-probabilities of tokens[1..] given what precedes each, within one window. */
export async function windowLogProbabilities(sequence: LlamaContextSequence, tokens: readonly number[]): Promise<number[]> {
	await sequence.clearHistory();
	const logProbabilities: number[] = [];
	for (let start = 0; start < tokens.length; start += CHUNK_TOKENS) {
		const chunk = tokens.slice(start, start + CHUNK_TOKENS);
		const input: ControlledEvaluateInputItem[] = chunk.map((token, offset) =>
			start + offset < tokens.length - 1 ? [token as Token, { generateNext: { logits: true } }] : (token as Token),
		);
		const outputs = await sequence.controlledEvaluate(input);
		for (let offset = 0; offset < chunk.length && start + offset < tokens.length - 1; offset++) {
			const logits = outputs[offset]?.next?.logits;
			const next = tokens[start + offset + 1]! as Token;
			const logit = logits?.get(next);
			if (logits === undefined || logit === undefined) {
				throw new Error(`no logits for position ${start + offset} of the window`);
			}
			logProbabilities.push(logit - logSumExp(logits.values()));
		}
	}
	return logProbabilities;
}

function logSumExp(values: Iterable<number>): number {
	const all = [...values];
	let max = -Infinity;
	for (const value of all) max = Math.max(max, value);
	let sum = 0;
	for (const value of all) sum += Math.exp(value - max);
	return max + Math.log(sum);
}

function line(tokens: number, nll: number): PerplexityLine {
	const meanNll = tokens === 0 ? 0 : nll / tokens;
	return { tokens, meanNll, perplexity: Math.exp(meanNll) };
}

export async function heldoutPerplexity(
	sequence: LlamaContextSequence,
	documents: readonly LabelledDocument[],
	options: PerplexityOptions,
	onProgress?: (scoredTokens: number) => void,
): Promise<PerplexityResult> {
	let scored = 0;
	let nll = 0;
	let documentsUsed = 0;
	const perLanguage = new Map<string, { tokens: number; nll: number }>();
	for (const document of documents) {
		if (scored >= options.maxTokens) break;
		documentsUsed++;
		for (let start = 0; start < document.tokens.length - 1 && scored < options.maxTokens; start += options.windowTokens) {
			const room = options.maxTokens - scored + 1;
			const window = Array.from(
				document.tokens.subarray(start, Math.min(document.tokens.length, start + options.windowTokens, start + room)),
			);
			if (window.length < 2) break;
			const logProbabilities = await windowLogProbabilities(sequence, window);
			const windowNll = -logProbabilities.reduce((sum, value) => sum + value, 0);
			scored += logProbabilities.length;
			nll += windowNll;
			const tally = perLanguage.get(document.language) ?? { tokens: 0, nll: 0 };
			tally.tokens += logProbabilities.length;
			tally.nll += windowNll;
			perLanguage.set(document.language, tally);
			onProgress?.(scored);
		}
	}
	return {
		...line(scored, nll),
		documents: documentsUsed,
		byLanguage: Object.fromEntries(
			[...perLanguage.entries()]
				.sort((a, b) => (a[0] < b[0] ? -1 : 1))
				.map(([language, tally]) => [language, line(tally.tokens, tally.nll)]),
		),
	};
}
