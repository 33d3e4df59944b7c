// The starter model's whole recipe, tiny and on the CPU: token shards -> PyTorch training (a
// `test-tiny` preset) -> a run killed and resumed from its checkpoint -> export through the
// project's GGUF writer -> node-llama-cpp loads it, detects StarCoder FIM with the SPM order, and
// computes the same next-token logits as PyTorch. Needs Python with torch (Debian: apt-get install
// python3-torch python3-numpy); without it this suite fails rather than skips, so CI notices.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import type { LlamaModel } from 'node-llama-cpp';

import { readGgufFile, readGgufTensorData } from '../../src/engine/gguf/ggufReader.js';
import { GgmlType } from '../../src/engine/gguf/ggufTypes.js';
import { ggufNumber, ggufString, ggufStringArray } from '../../src/engine/gguf/ggufValues.js';
import { renderPromptForDisplay } from '../../src/engine/fim/promptPieces.js';
import { starCoderSpmTemplate, starCoderTemplate } from '../../src/engine/fim/templates.js';
import { silentLogger } from '../../src/engine/logger.js';
import { getLlamaInstance } from '../../src/engine/runtime/llamaInstance.js';
import { loadModel } from '../../src/engine/runtime/loadModel.js';
import { ensureVocabularyFile } from '../../src/engine/testModels/vocabularies.js';
import { exportStarterModel, parityHolds, parityTokens } from '../../src/train/export/exportStarter.js';
import { checkParity } from '../../src/train/export/parity.js';
import { pythonWithTorch, runPython, runPythonChecked, type StdoutLineHandler } from '../../src/train/export/python.js';
import { readRawTensors } from '../../src/train/export/rawTensors.js';
import { repoRoot } from '../helpers/paths.js';

const recipe = path.join(repoRoot, 'models', 'recipe');
const trainScript = path.join(recipe, 'train.py');

interface LogLine {
	step?: number;
	loss?: number;
	event?: string;
	reason?: string;
}

function logLines(stdout: string): LogLine[] {
	return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
}

function lossesByStep(stdout: string): Map<number, number> {
	return new Map(logLines(stdout).filter((l) => l.loss !== undefined).map((l) => [l.step!, l.loss!]));
}

/** Files of the repository the fixture corpus is made of (small, real code in three languages). */
function corpusFiles(): string[] {
	const pick = (directory: string, extension: string) =>
		readdirSync(path.join(repoRoot, directory)).filter((name) => name.endsWith(extension)).sort().map((name) => path.join(directory, name));
	return [...pick('src/engine/fim', '.ts'), ...pick('src/engine/gguf', '.ts'), ...pick('models/recipe', '.py'), 'test/fixtures/fibonacci.ts'];
}

/**
 * Writes hearth-token-shards/1: per document `<file_sep>path\n` + code + `<|endoftext|>`, the
 * header's token count recorded, as the real tokenizer (src/train/tokenize) does.
 */
async function writeFixtureShards(model: LlamaModel, vocabSize: number, directory: string): Promise<void> {
	const special = (text: string): number => {
		const tokens = model.tokenize(text, true);
		assert.equal(tokens.length, 1, `${text} is one special token`);
		return tokens[0] as number;
	};
	const ids = {
		endoftext: special('<|endoftext|>'),
		fim_prefix: special('<fim_prefix>'),
		fim_middle: special('<fim_middle>'),
		fim_suffix: special('<fim_suffix>'),
		fim_pad: special('<fim_pad>'),
		filename: special('<file_sep>'),
	};
	const files = corpusFiles();
	const heldout = new Set(files.filter((file) => file.endsWith('float16.ts') || file.endsWith('fibonacci.ts')));
	const splits: Record<string, unknown> = {};
	for (const split of ['train', 'heldout'] as const) {
		const tokens: number[] = [];
		const docs: number[] = [];
		const members = files.filter((file) => heldout.has(file) === (split === 'heldout'));
		for (const file of members) {
			const header = [ids.filename, ...(model.tokenize(`${file}\n`, false) as number[])];
			const body = model.tokenize(readFileSync(path.join(repoRoot, file), 'utf8'), false) as number[];
			docs.push(tokens.length, header.length + body.length + 1, header.length);
			tokens.push(...header, ...body, ids.endoftext);
		}
		const name = `${split}-00000`;
		await writeFile(path.join(directory, `${name}.tokens.gz`), gzipSync(Buffer.from(new Uint16Array(tokens).buffer)));
		await writeFile(path.join(directory, `${name}.docs.gz`), gzipSync(Buffer.from(new Uint32Array(docs).buffer)));
		splits[split] = { shards: [{ tokens: `${name}.tokens.gz`, docs: `${name}.docs.gz`, documents: members.length, tokenCount: tokens.length }] };
	}
	const manifest = { format: 'hearth-token-shards/1', vocabSize, specialTokens: ids, splits };
	await writeFile(path.join(directory, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

describe('engine: the starter model recipe, end to end on a tiny preset', function () {
	this.timeout(600_000);
	let work: string;
	let data: string;
	let vocabularyPath: string;

	before(async function () {
		this.timeout(120_000);
		// Fails (not skips) without torch: the bundled model's recipe must stay runnable.
		pythonWithTorch();
		work = await mkdtemp(path.join(os.tmpdir(), 'hearth-recipe-test-'));
		data = path.join(work, 'data');
		await import('node:fs/promises').then((fs) => fs.mkdir(data));
		vocabularyPath = await ensureVocabularyFile('starcoder');
		const llama = await getLlamaInstance('off', silentLogger);
		const vocabulary = await llama.loadModel({ modelPath: vocabularyPath, vocabOnly: true });
		try {
			await writeFixtureShards(vocabulary, ggufStringArray(readGgufFile(vocabularyPath).metadata.get('tokenizer.ggml.tokens'))!.length, data);
		} finally {
			await vocabulary.dispose();
		}
	});

	after(async () => {
		if (work !== undefined) await rm(work, { recursive: true, force: true });
	});

	const train = (runDirectory: string, extra: string[], onLine?: StdoutLineHandler) =>
		runPython([trainScript, '--preset', 'test-tiny', '--data', data, '--run-dir', runDirectory, '--vocab', vocabularyPath, '--threads', '1', ...extra], {
			onStdoutLine: onLine,
		});

	let checkpoint: string;

	it('trains, and a run killed mid-way resumes from its checkpoint to the same losses as an uninterrupted one', async function () {
		const straight = await train(path.join(work, 'straight'), ['--max-steps', '12', '--save-every', '4']);
		assert.equal(straight.code, 0, straight.stderr);
		const expected = lossesByStep(straight.stdout);
		assert.equal(expected.size, 12);
		assert.ok(expected.get(12)! < expected.get(1)!, `loss falls: ${expected.get(1)} -> ${expected.get(12)}`);

		// Killed without warning (SIGKILL: no chance to save) after step 6; the last checkpoint is step 4.
		const resumedRun = path.join(work, 'resumed');
		const killed = await train(resumedRun, ['--max-steps', '12', '--save-every', '4'], (line, kill) => {
			if (line.startsWith('{"step": 6,')) kill('SIGKILL');
		});
		assert.equal(killed.signal, 'SIGKILL');
		const resumed = await train(resumedRun, ['--max-steps', '12', '--save-every', '4', '--resume']);
		assert.equal(resumed.code, 0, resumed.stderr);
		const start = logLines(resumed.stdout).find((l) => l.event === 'start') as { resumed_from_step?: number } | undefined;
		assert.equal(start?.resumed_from_step, 4);
		const after = lossesByStep(resumed.stdout);
		assert.deepEqual([...after.keys()], [5, 6, 7, 8, 9, 10, 11, 12]);
		for (const [step, loss] of after) {
			assert.ok(Math.abs(loss - expected.get(step)!) < 1e-3, `step ${step}: resumed loss ${loss}, uninterrupted ${expected.get(step)}`);
		}
		checkpoint = path.join(resumedRun, 'checkpoint.pt');
	});

	let files: Record<string, string> = {};

	it('exports F32, F16 and Q8_0 GGUFs whose logits in llama.cpp match PyTorch, with StarCoder SPM detected', async function () {
		assert.ok(checkpoint, 'the training test ran');
		const result = await exportStarterModel({
			recipeDirectory: recipe,
			checkpoint,
			outDirectory: path.join(work, 'gguf'),
			quantizations: ['F32', 'F16', 'Q8_0'],
			check: { tokens: 120, dataDirectory: data },
		});
		files = Object.fromEntries(result.files.map((f) => [f.quantization, f.path]));
		const parity = result.parity!;
		assert.equal(parity.quantization, 'F32');
		console.log(`      F32 parity: ${JSON.stringify(parity.report)}`);
		assert.equal(parity.report.top1Agreement, 1, 'F32: every position has the same top token');
		assert.ok(parity.report.maxAbsDiff < 1e-2 * Math.max(1, parity.report.referenceStd), `F32 max |diff| ${parity.report.maxAbsDiff}`);
		assert.ok(parityHolds(parity.report, 'F32'));
		// The negative control: with Hugging Face's rotary layout PyTorch disagrees far more, so the
		// check above really does tell the layouts apart.
		console.log(`      wrong-rope control: ${JSON.stringify(parity.wrongRopeControl)}`);
		assert.ok(parity.wrongRopeControl.maxAbsDiff > 20 * parity.report.maxAbsDiff, JSON.stringify(parity.wrongRopeControl));
		assert.equal(parity.report.fimFamily, 'starcoder');
		assert.equal(parity.report.spmAvailable, true);
		assert.equal(parity.report.fimOrder, 'spm', parity.report.fimReason);

		const f16 = await checkParity({
			recipeDirectory: recipe,
			checkpointPath: checkpoint,
			ggufPath: files.F16!,
			tokens: parityTokens(data, 120),
			vocabSize: 49152,
		});
		console.log(`      F16 parity: ${JSON.stringify({ ...f16, fimReason: undefined })}`);
		assert.ok(parityHolds(f16, 'F16'), JSON.stringify(f16));

		const metadata = readGgufFile(files.Q8_0!).metadata;
		assert.equal(ggufString(metadata.get('general.architecture')), 'llama');
		assert.equal(ggufNumber(metadata.get('llama.context_length')), 128);
		assert.equal(ggufNumber(metadata.get('tokenizer.ggml.fim_pre_token_id')), 1);
		assert.equal(ggufNumber(metadata.get('tokenizer.ggml.fim_suf_token_id')), 3);
		assert.equal(ggufNumber(metadata.get('tokenizer.ggml.fim_mid_token_id')), 2);
		// The training data's header slot (StarCoder2's <file_sep>) carries StarCoder's name for it.
		assert.equal(ggufStringArray(metadata.get('tokenizer.ggml.tokens'))![6], '<filename>');
		assert.equal(readGgufFile(files.Q8_0!).tensors.some((t) => t.name === 'output.weight'), false, 'tied embeddings');
	});

	it('quantizes to Q8_0 in Python byte for byte as the project (and ggml) does, for results brought back from a GPU', async function () {
		assert.ok(files.Q8_0, 'the export test ran');
		const q8 = path.join(work, 'q8-tensors');
		await runPythonChecked([path.join(recipe, 'export_tensors.py'), checkpoint, q8, '--dtype', 'q8_0', '--part-mib', '1']);
		const raw = await readRawTensors(q8);
		assert.ok(raw.index.parts.length > 1, 'cut into parts');
		const gguf = readGgufFile(files.Q8_0!);
		for (const entry of raw.index.tensors) {
			const tensor = gguf.tensors.find((t) => t.name === entry.name)!;
			assert.equal(entry.dtype, tensor.type === GgmlType.Q8_0 ? 'q8_0' : 'f32', entry.name);
			assert.ok(Buffer.from(raw.bytesOf(entry)).equals(readGgufTensorData(files.Q8_0!, tensor)), `${entry.name} bytes`);
		}
	});

	it('trains FIM samples in exactly the layout the engine prompts with, in both orders', async function () {
		assert.ok(files.Q8_0, 'the export test ran');
		// Samples straight from data.py (every piece FIM, with whole-line and token-level middles).
		const script = [
			'import json, sys',
			`sys.path.insert(0, ${JSON.stringify(recipe)})`,
			'import numpy as np',
			'from data import FimSettings, Split, assemble_fim, load_manifest, make_pieces, newline_token_mask, sample_parts, specials_of',
			`data, vocab = ${JSON.stringify(data)}, ${JSON.stringify(vocabularyPath)}`,
			'manifest = load_manifest(data); split = Split(data, manifest, "train"); specials = specials_of(manifest)',
			'newline = newline_token_mask(vocab, manifest["vocabSize"])',
			'pieces = make_pieces(split, 1024, newline)',
			'out = []',
			'for i, order in enumerate(["spm", "psm"] * 4):',
			'    fim = FimSettings(rate=1.0, spm_rate=1.0 if order == "spm" else 0.0, line_rate=0.5)',
			'    parts = sample_parts(split, pieces[(7 * i) % len(pieces)], newline, fim, np.random.default_rng([3, i]))',
			'    tokens, _ = assemble_fim(parts, specials)',
			'    out.append({k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in {**parts, "tokens": tokens}.items()})',
			'print(json.dumps(out))',
		].join('\n');
		const samples = JSON.parse((await runPythonChecked(['-c', script])).stdout) as Array<Record<string, number[]> & { order: 'spm' | 'psm' }>;
		const loaded = await loadModel({ modelPath: files.Q8_0!, gpu: 'off', threads: 1, sequences: 1, contextSize: 256, logger: silentLogger });
		try {
			const text = (tokens: number[], special = false) => loaded.model.detokenize(tokens as never, special);
			assert.equal(loaded.promptTemplate, loaded.fim.spmTemplate);
			for (const sample of samples) {
				const header = text(sample.header!, true);
				assert.match(header, /^<filename>[^\n]+\n$/);
				const template = sample.order === 'spm' ? starCoderSpmTemplate : starCoderTemplate;
				const prompt = template.build({ prefix: text(sample.prefix!), suffix: text(sample.suffix!), filePath: header.slice('<filename>'.length, -1) });
				assert.equal(text(sample.tokens!, true), renderPromptForDisplay(prompt) + text(sample.middle!) + '<|endoftext|>', `${sample.order} sample`);
			}
			assert.deepEqual(new Set(samples.map((s) => s.order)), new Set(['spm', 'psm']));
			// The engine's SPM template for this model is the one the SPM samples follow.
			assert.equal(loaded.promptTemplate.displayName, starCoderSpmTemplate.displayName);
		} finally {
			await loaded.dispose();
		}
	});

	it('the Q8_0 file completes a FIM prompt through the engine loader', async function () {
		assert.ok(files.Q8_0, 'the export test ran');
		const loaded = await loadModel({ modelPath: files.Q8_0!, gpu: 'off', threads: 1, sequences: 1, contextSize: 256, logger: silentLogger });
		try {
			assert.equal(loaded.promptTemplate.displayName, 'StarCoder (SPM)');
			const prompt = loaded.model.tokenize('<fim_prefix><fim_suffix>\n}\n<fim_middle><filename>a.ts\nfunction add(a, b) {\n', true);
			assert.equal(prompt[0], 1);
			let generated = 0;
			for await (const _token of loaded.sequences[0]!.evaluate(prompt, { temperature: 0 })) {
				if (++generated === 8) break;
			}
			assert.equal(generated, 8);
		} finally {
			await loaded.dispose();
		}
	});
});
