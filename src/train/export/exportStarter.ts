// The whole export: checkpoint -> raw tensors (PyTorch) -> GGUF files (the project's writer) ->
// optionally the parity check. Used by `npm run export-model` and by the recipe test.

import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { ensureVocabularyFile } from '../../tooling/testModels/vocabularies.js';
import { checkParity, type LogitComparison, type ParityReport } from './parity.js';
import { runPythonChecked } from './python.js';
import { readRawTensors } from './rawTensors.js';
import { STARTER_VOCABULARY, writeStarterGguf, type StarterQuantization } from './writeStarterGguf.js';

/**
 * A FIM prompt in the SPM order, made of real text when there are held-out shards: the parity check
 * then covers the FIM markers and the document header as well as ordinary code.
 */
export function parityTokens(dataDirectory: string, count: number): number[] {
	let text: number[] = [];
	try {
		const manifest = JSON.parse(readFileSync(path.join(dataDirectory, 'manifest.json'), 'utf8')) as {
			splits: Record<string, { shards: Array<{ tokens: string }> }>;
		};
		const shard = (manifest.splits.heldout ?? manifest.splits.train)!.shards[0]!;
		const bytes = gunzipSync(readFileSync(path.join(dataDirectory, shard.tokens)));
		const ids = new Uint16Array(bytes.buffer, bytes.byteOffset, Math.min(bytes.length / 2, count));
		text = Array.from(ids);
	} catch {
		// No shards here: pseudo-random ordinary tokens (ids above the special ones) do as well for parity.
		let state = 12345;
		for (let i = 0; i < count; i++) {
			state = (state * 1103515245 + 12345) % 2 ** 31;
			text.push(100 + (state % 40000));
		}
	}
	return spmParityPrompt(text.slice(0, count - 3));
}

/** `body` cut in half and laid out as an SPM prompt: <fim_prefix><fim_suffix>suffix<fim_middle>prefix. */
export function spmParityPrompt(body: readonly number[], fim = { prefix: 1, suffix: 3, middle: 2 }): number[] {
	const cut = Math.floor(body.length / 2);
	return [fim.prefix, fim.suffix, ...body.slice(cut), fim.middle, ...body.slice(0, cut)];
}

/** Thresholds: F32 must match PyTorch to rounding; F16 weights move logits a little more. */
export function parityHolds(report: ParityReport, quantization: StarterQuantization): boolean {
	const relative = report.maxAbsDiff / Math.max(report.referenceStd, 1e-6);
	return report.top1Agreement >= 0.95 && relative < (quantization === 'F32' ? 0.01 : 0.25);
}

export interface ExportResult {
	readonly preset: string;
	readonly files: Array<{ quantization: StarterQuantization; path: string; bytes: number }>;
	readonly parameterCount: number;
	readonly fimTokenIds: Readonly<Record<string, number>>;
	readonly training: unknown;
	readonly parity?: { quantization: StarterQuantization; report: ParityReport; wrongRopeControl: LogitComparison };
}

export async function exportStarterModel(options: {
	/** models/recipe: export_tensors.py and logits.py. */
	recipeDirectory: string;
	checkpoint?: string;
	tensorsDirectory?: string;
	outDirectory: string;
	quantizations: readonly StarterQuantization[];
	name?: string;
	check?: { tokens: number; dataDirectory: string };
	log?: (line: string) => void;
}): Promise<ExportResult> {
	const recipe = options.recipeDirectory;
	const log = options.log ?? (() => undefined);
	const work = await mkdtemp(path.join(os.tmpdir(), 'hearth-export-'));
	try {
		let tensorsDirectory = options.tensorsDirectory;
		if (tensorsDirectory === undefined) {
			tensorsDirectory = path.join(work, 'tensors');
			log(`reading ${options.checkpoint}`);
			await runPythonChecked([path.join(recipe, 'export_tensors.py'), options.checkpoint!, tensorsDirectory, '--dtype', 'f32']);
		}
		const raw = await readRawTensors(tensorsDirectory);
		const vocabularyPath = await ensureVocabularyFile(STARTER_VOCABULARY);
		await mkdir(options.outDirectory, { recursive: true });

		const files: ExportResult['files'] = [];
		let summary: Awaited<ReturnType<typeof writeStarterGguf>> | undefined;
		for (const quantization of options.quantizations) {
			const target = path.join(options.outDirectory, `hearth-starter-${raw.index.preset}.${quantization}.gguf`);
			const partial = `${target}.${process.pid}.partial`;
			summary = await writeStarterGguf(raw, partial, { quantization, vocabularyPath, name: options.name });
			await rename(partial, target);
			files.push({ quantization, path: target, bytes: summary.fileSize });
			log(`wrote ${target} (${(summary.fileSize / 1024 ** 2).toFixed(1)} MiB)`);
		}

		let parity: ExportResult['parity'];
		if (options.check !== undefined) {
			const file = files.find((f) => f.quantization === 'F32') ?? files.find((f) => f.quantization === 'F16');
			if (file === undefined) throw new Error('the parity check needs an F32 or F16 file');
			const tokens = parityTokens(options.check.dataDirectory, Math.min(options.check.tokens, raw.index.hyperparameters.context));
			log(`parity: ${tokens.length} tokens, PyTorch float32 vs llama.cpp on ${path.basename(file.path)}`);
			const report = await checkParity({
				recipeDirectory: recipe,
				checkpointPath: options.checkpoint!,
				ggufPath: file.path,
				tokens,
				vocabSize: raw.index.hyperparameters.vocab_size,
			});
			// The same comparison against PyTorch computing with the wrong (Hugging Face) rotary
			// layout: it must disagree clearly, or the check could not tell the layouts apart.
			const control = await checkParity({
				recipeDirectory: recipe,
				checkpointPath: options.checkpoint!,
				ggufPath: file.path,
				tokens,
				vocabSize: raw.index.hyperparameters.vocab_size,
				wrongRope: true,
			});
			parity = { quantization: file.quantization, report, wrongRopeControl: stripDetection(control) };
		}
		return {
			preset: raw.index.preset,
			files,
			parameterCount: summary?.parameterCount ?? 0,
			fimTokenIds: summary?.fimTokenIds ?? {},
			training: raw.index.training,
			parity,
		};
	} finally {
		await rm(work, { recursive: true, force: true });
	}
}

function stripDetection(report: ParityReport): LogitComparison {
	const { positions, top1Agreement, maxAbsDiff, meanAbsDiff, referenceStd } = report;
	return { positions, top1Agreement, maxAbsDiff, meanAbsDiff, referenceStd };
}
