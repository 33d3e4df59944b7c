import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { ModelLoadError } from './modelLoadError.js';

/** A little code: real tokens in every vocabulary, and enough of them to go through attention. */
const PROBE_TEXT = 'int main(void) {\n\treturn 0;\n}\n';
const PROBE_TOKENS = 8;

/**
 * A file with a valid GGUF header but damaged weights (a corrupted download, a bad disk, a broken
 * conversion) loads without complaint and then completes nothing but garbage, or nothing at all.
 * One short evaluation right after loading tells: every logit for the next token must be a finite
 * number. Throws a ModelLoadError naming the file otherwise. The sequence is left empty again.
 */
export async function ensureFiniteLogits(model: LlamaModel, sequence: LlamaContextSequence, modelName: string): Promise<void> {
	const tokens = probeTokens(model);
	let logits: Map<Token, number> | undefined;
	try {
		const output = await sequence.controlledEvaluate(
			tokens.map((token, index) => (index === tokens.length - 1 ? [token, { generateNext: { logits: true } }] : token)),
		);
		logits = output[tokens.length - 1]?.next.logits;
	} finally {
		await sequence.clearHistory();
	}
	if (!logits || logits.size === 0) {
		throw new ModelLoadError(
			'broken-weights',
			`${modelName} loads but produced no logits for a test prompt: it cannot complete anything.`,
		);
	}
	let nonFinite = 0;
	for (const value of logits.values()) {
		if (!Number.isFinite(value)) {
			nonFinite++;
		}
	}
	if (nonFinite > 0) {
		throw new ModelLoadError(
			'broken-weights',
			`${modelName} loads but computes garbage: ${nonFinite} of ${logits.size} logits for a test prompt are NaN or infinite. ` +
				'Its weights are damaged (a corrupted download or a broken conversion): download it again or choose another model.',
		);
	}
}

function probeTokens(model: LlamaModel): Token[] {
	const tokens = model.tokenize(PROBE_TEXT).slice(0, PROBE_TOKENS);
	const bos = model.tokens.bos;
	// The start token first where the model has one: the state every prompt starts from.
	const withStart = bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
	return withStart.length > 0 ? withStart : [bos ?? (0 as Token)];
}
