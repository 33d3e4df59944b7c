/**
 * Perplexity of a GGUF model on held-out token documents, computed by llama.cpp itself through
 * node-llama-cpp: `controlledEvaluate` returns, for each position, the logit of the token that
 * actually comes next, the largest logit and the sum of exp(logit − max), so
 * log p(next) = logit − max − ln(sum) without copying the whole vocabulary's logits to JavaScript.
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

/** Log-probabilities of tokens[1..] given what precedes each, within one window. */
export async function windowLogProbabilities(sequence: LlamaContextSequence, tokens: readonly number[]): Promise<number[]> {
	await sequence.clearHistory();
	const input: ControlledEvaluateInputItem[] = tokens.map((token, index) =>
		index < tokens.length - 1
			? [token as Token, { generateNext: { logits: { filter: { tokens: [tokens[index + 1]! as Token], includeMax: true } }, totalLogitWeight: true } }]
			: (token as Token),
	);
	const outputs = await sequence.controlledEvaluate(input);
	const logProbabilities: number[] = [];
	for (let index = 0; index < tokens.length - 1; index++) {
		const next = outputs[index]?.next;
		const logit = next?.logits?.get(tokens[index + 1]! as Token);
		const max = next?.logits?.values().next().value;
		if (logit === undefined || max === undefined || next?.totalLogitWeight === undefined) {
			throw new Error(`no logits for position ${index} of the window`);
		}
		logProbabilities.push(logit - max - Math.log(next.totalLogitWeight));
	}
	return logProbabilities;
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
			const window = Array.from(document.tokens.subarray(start, Math.min(document.tokens.length, start + options.windowTokens, start + room)));
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
		byLanguage: Object.fromEntries([...perLanguage.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([language, tally]) => [language, line(tally.tokens, tally.nll)])),
	};
}
