// Parity of a finished GGUF file with the recipe's PyTorch model, without its training checkpoint:
// models/recipe/gguf_checkpoint.py rebuilds the recipe's StarterModel from the file's own tensors
// (Q8_0 dequantised as ggml does), PyTorch computes float32 logits with it, and llama.cpp computes
// them from the same file. The same next-token choices on real text show that the file computes the
// recipe's model (rotary layout, head order, tied output and the rest), which a file taken over from
// elsewhere (a GPU run) must show before it ships. A wrong-rope control shows the check can fail.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { silentLogger } from '../../engine/logger.js';
import { readGgufFile } from '../../engine/gguf/ggufReader.js';
import { loadModel } from '../../engine/runtime/loadModel.js';
import { spmParityPrompt } from './exportStarter.js';
import { checkParity, type LogitComparison, type ParityReport } from './parity.js';
import { runPythonChecked } from './python.js';

export interface GgufParityResult {
	readonly ggufPath: string;
	readonly tokens: number;
	readonly report: ParityReport;
	readonly wrongRopeControl?: LogitComparison;
}

/** Top-1 agreement the issue asks of a shipped file: the same next token at 99 % of positions. */
export const GGUF_PARITY_MIN_TOP1 = 0.99;

/** `count` tokens of `text` in the starter model's SPM fill-in-the-middle layout, cut in the middle. */
export async function textParityTokens(ggufPath: string, text: string, count: number): Promise<number[]> {
	const loaded = await loadModel({ modelPath: ggufPath, gpu: 'off', threads: 1, sequences: 1, contextSize: 256, logger: silentLogger });
	try {
		const body = (loaded.model.tokenize(text) as number[]).slice(0, count - 3);
		if (body.length < count - 3) throw new Error(`the text has ${body.length} tokens; ${count - 3} are needed`);
		return spmParityPrompt(body, fimTokenIds(ggufPath));
	} finally {
		await loaded.dispose();
	}
}

function fimTokenIds(ggufPath: string): { prefix: number; suffix: number; middle: number } {
	const metadata = readGgufFile(ggufPath).metadata;
	const id = (key: string): number => {
		const value = metadata.get(`tokenizer.ggml.fim_${key}_token_id`)?.value;
		if (typeof value !== 'number') throw new Error(`${path.basename(ggufPath)} declares no tokenizer.ggml.fim_${key}_token_id`);
		return value;
	};
	return { prefix: id('pre'), suffix: id('suf'), middle: id('mid') };
}

export async function checkGgufParity(options: {
	readonly recipeDirectory: string;
	readonly ggufPath: string;
	readonly tokens: readonly number[];
	readonly wrongRopeControl?: boolean;
}): Promise<GgufParityResult> {
	const work = await mkdtemp(path.join(os.tmpdir(), 'hearth-gguf-parity-'));
	try {
		const checkpointPath = path.join(work, 'from-gguf.pt');
		await runPythonChecked([path.join(options.recipeDirectory, 'gguf_checkpoint.py'), options.ggufPath, checkpointPath]);
		const vocabSize = vocabularySize(options.ggufPath);
		const common = {
			recipeDirectory: options.recipeDirectory,
			checkpointPath,
			ggufPath: options.ggufPath,
			tokens: options.tokens,
			vocabSize,
		};
		const report = await checkParity(common);
		const wrongRopeControl = options.wrongRopeControl ? await checkParity({ ...common, wrongRope: true }) : undefined;
		return { ggufPath: options.ggufPath, tokens: options.tokens.length, report, wrongRopeControl };
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

function vocabularySize(ggufPath: string): number {
	const embedding = readGgufFile(ggufPath).tensors.find((tensor) => tensor.name === 'token_embd.weight');
	if (embedding === undefined) throw new Error(`${path.basename(ggufPath)} has no token_embd.weight`);
	return embedding.shape[1]!;
}

/** The held-out split's first tokens, when `dataDirectory` holds shards from npm run tokenize. */
export function hasHeldoutShards(dataDirectory: string): boolean {
	try {
		const manifest = JSON.parse(readFileSync(path.join(dataDirectory, 'manifest.json'), 'utf8')) as {
			splits?: Record<string, { shards?: unknown[] }>;
		};
		return (manifest.splits?.heldout?.shards?.length ?? 0) > 0;
	} catch {
		return false;
	}
}
