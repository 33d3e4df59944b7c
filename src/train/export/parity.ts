// The parity check: the same tokens' next-token logits from the PyTorch checkpoint (float32,
// models/recipe/logits.py) and from llama.cpp running the exported GGUF. Agreement proves that
// the export got every convention right that a wrong guess would silently break: the rotary
// embedding layout, the q/k/v head order, grouped-query head sharing, RMSNorm, SwiGLU and the tied
// output projection. Also loads the file the way the product does (loadModel) and reports which
// fill-in-the-middle template the engine picks for it.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { LlamaContextSequence } from 'node-llama-cpp';

import { silentLogger } from '../../engine/logger.js';
import { loadModel } from '../../engine/runtime/loadModel.js';
import { runPythonChecked } from './python.js';

export interface LogitComparison {
	readonly positions: number;
	/** Share of positions whose highest-scoring token is the same in both. */
	readonly top1Agreement: number;
	readonly maxAbsDiff: number;
	readonly meanAbsDiff: number;
	/** Standard deviation of the reference logits, to read the differences against. */
	readonly referenceStd: number;
}

export interface ParityReport extends LogitComparison {
	readonly fimFamily: string;
	readonly fimOrder: string;
	readonly fimTemplate: string;
	readonly spmAvailable: boolean;
	readonly fimReason: string;
}

function argmax(values: ArrayLike<number>, from = 0, length = values.length): number {
	let best = from;
	for (let i = from + 1; i < from + length; i++) if (values[i]! > values[best]!) best = i;
	return best - from;
}

/** reference: positions x vocab row-major; candidate: one row per position. */
export function compareLogits(reference: Float32Array, candidate: readonly Float32Array[], vocabSize: number): LogitComparison {
	const positions = candidate.length;
	if (reference.length !== positions * vocabSize) {
		throw new Error(`reference logits hold ${reference.length} values, expected ${positions} x ${vocabSize}`);
	}
	let agree = 0;
	let maxAbs = 0;
	let sumAbs = 0;
	let sum = 0;
	let sumSquares = 0;
	for (let p = 0; p < positions; p++) {
		const row = candidate[p]!;
		if (argmax(reference, p * vocabSize, vocabSize) === argmax(row)) agree++;
		for (let v = 0; v < vocabSize; v++) {
			const r = reference[p * vocabSize + v]!;
			const d = Math.abs(r - row[v]!);
			if (d > maxAbs) maxAbs = d;
			sumAbs += d;
			sum += r;
			sumSquares += r * r;
		}
	}
	const n = positions * vocabSize;
	const mean = sum / n;
	return {
		positions,
		top1Agreement: agree / positions,
		maxAbsDiff: maxAbs,
		meanAbsDiff: sumAbs / n,
		referenceStd: Math.sqrt(Math.max(0, sumSquares / n - mean * mean)),
	};
}

/** Raw next-token logits llama.cpp computes after each of `tokens`. */
export async function llamaCppLogits(
	sequence: LlamaContextSequence,
	tokens: readonly number[],
	vocabSize: number,
): Promise<Float32Array[]> {
	const results = await sequence.controlledEvaluate(
		tokens.map((token) => [token as never, { generateNext: { logits: true } }] as const) as never,
	);
	return tokens.map((_, index) => {
		const logits = results[index]?.next.logits;
		if (logits === undefined) throw new Error(`llama.cpp returned no logits for position ${index}`);
		const row = new Float32Array(vocabSize);
		for (const [token, value] of logits) row[token as number] = value;
		return row;
	});
}

/** PyTorch's float32 logits for `tokens` from a training checkpoint (positions x vocab). */
export async function pytorchLogits(
	recipeDirectory: string,
	checkpointPath: string,
	tokens: readonly number[],
	wrongRope = false,
): Promise<Float32Array> {
	const work = await mkdtemp(path.join(os.tmpdir(), 'hearth-parity-'));
	try {
		const tokensFile = path.join(work, 'tokens.json');
		const logitsFile = path.join(work, 'logits.f32');
		await writeFile(tokensFile, JSON.stringify(tokens));
		await runPythonChecked([
			path.join(recipeDirectory, 'logits.py'),
			checkpointPath,
			tokensFile,
			logitsFile,
			...(wrongRope ? ['--wrong-rope'] : []),
		]);
		const bytes = await readFile(logitsFile);
		const out = new Float32Array(bytes.length / 4);
		new Uint8Array(out.buffer).set(bytes);
		return out;
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

export async function checkParity(options: {
	readonly recipeDirectory: string;
	readonly checkpointPath: string;
	readonly ggufPath: string;
	readonly tokens: readonly number[];
	readonly vocabSize: number;
	/**
	 * A negative control: PyTorch computes with Hugging Face's rotary layout instead of GGML's, so
	 * the logits should NOT agree; shows the check can tell the layouts apart for this model.
	 */
	readonly wrongRope?: boolean;
}): Promise<ParityReport> {
	const reference = await pytorchLogits(options.recipeDirectory, options.checkpointPath, options.tokens, options.wrongRope);
	const loaded = await loadModel({
		modelPath: options.ggufPath,
		gpu: 'off',
		threads: 1,
		sequences: 1,
		contextSize: Math.max(256, options.tokens.length + 16),
		logger: silentLogger,
	});
	try {
		const candidate = await llamaCppLogits(loaded.sequences[0]!, options.tokens, options.vocabSize);
		return {
			...compareLogits(reference, candidate, options.vocabSize),
			fimFamily: loaded.fim.template.family,
			fimOrder: loaded.promptTemplate.order,
			fimTemplate: loaded.promptTemplate.displayName,
			spmAvailable: loaded.fim.spmTemplate !== undefined,
			fimReason: loaded.fim.reason,
		};
	} finally {
		await loaded.dispose();
	}
}
