// The starter model's whole recipe, tiny and on the CPU: token shards -> PyTorch training (a
// `test-tiny` preset) -> a run killed and resumed from its checkpoint -> export through the
// project's GGUF writer -> node-llama-cpp loads it, detects StarCoder FIM with the SPM order, and
// computes the same next-token logits as PyTorch. Also: the faster kernels (chunked cross-entropy,
// per-document attention) against the plain ones, a schedule fitted to a time budget
// (--fit-minutes) and resumed, and the GPU lease script's CPU dry run down to a reassembled GGUF.
// Needs Python with torch (Debian: apt-get install python3-torch python3-numpy); without it this
// suite fails rather than skips, so CI notices.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { ensureVocabularyFile } from '../../src/tooling/testModels/vocabularies.js';
import { exportStarterModel, parityHolds, parityTokens } from '../../src/train/export/exportStarter.js';
import { checkParity } from '../../src/train/export/parity.js';
import { pythonWithTorch, runPython, runPythonChecked, type StdoutLineHandler } from '../../src/train/export/python.js';
import { readRawTensors } from '../../src/train/export/rawTensors.js';
import { repoRoot } from '../helpers/paths.js';

const recipe = path.join(repoRoot, 'models', 'recipe');

interface Difference {
	max_abs_diff: number;
	scale: number;
}
const trainScript = path.join(recipe, 'train.py');

interface LogLine {
	step?: number;
	loss?: number;
	lr?: number;
	step_s?: number;
	event?: string;
	reason?: string;
	finished?: boolean;
	max_steps?: number | null;
	resumed_from_step?: number | null;
	schedule?: string;
	kernels?: { attention: string; loss: string };
}

/** train.py's "event": "fit" record: the figures --fit-minutes chose the schedule's length from. */
interface FitRecord {
	fit_minutes: number;
	decided_at_step: number;
	measured_steps: number;
	step_s: number;
	budget_s: number;
	effective_step_s: number;
	eval_s: number;
	checkpoint_s: number;
	max_steps: number;
}

/** train.py's learning_rate(): linear warmup, then a cosine to 10 % of the peak at `total` steps. */
function learningRate(step: number, peak: number, warmup: number, total: number): number {
	if (step < warmup) return (peak * (step + 1)) / warmup;
	const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
	return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

function fitRecord(stdout: string): FitRecord {
	const fit = logLines(stdout).find((l) => l.event === 'fit') as unknown as FitRecord | undefined;
	assert.ok(fit, 'a fit record is logged');
	return fit;
}

/** The fit's arithmetic, redone from the logged figures: the step time is the measured steps' mean. */
function assertFitConsistent(stdout: string, fit: FitRecord, warmupSteps: number): void {
	const steps = logLines(stdout).filter((l) => l.loss !== undefined && l.step! <= fit.decided_at_step);
	const measured = steps.slice(warmupSteps).map((l) => l.step_s!);
	assert.equal(measured.length, fit.measured_steps);
	const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
	assert.ok(Math.abs(mean - fit.step_s) <= 1e-4, `measured step time ${fit.step_s} is the mean of the logged steps' ${mean}`);
	assert.ok(fit.effective_step_s >= fit.step_s, 'evaluations and checkpoints are counted');
	assert.equal(fit.max_steps, fit.decided_at_step + Math.max(0, Math.floor(fit.budget_s / fit.effective_step_s)));
}

/** Runs a shell script to its end, collecting its output. */
function runScript(command: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

function logLines(stdout: string): LogLine[] {
	return stdout
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.map((line) => JSON.parse(line) as LogLine);
}

function lossesByStep(stdout: string): Map<number, number> {
	return new Map(
		logLines(stdout)
			.filter((l) => l.loss !== undefined)
			.map((l) => [l.step!, l.loss!]),
	);
}

/** Files of the repository the fixture corpus is made of (small, real code in three languages). */
function corpusFiles(): string[] {
	const pick = (directory: string, extension: string) =>
		readdirSync(path.join(repoRoot, directory))
			.filter((name) => name.endsWith(extension))
			.sort()
			.map((name) => path.join(directory, name));
	return [
		...pick('src/engine/fim', '.ts'),
		...pick('src/engine/gguf', '.ts'),
		...pick('models/recipe', '.py'),
		'test/fixtures/fibonacci.ts',
	];
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
		splits[split] = {
			shards: [{ tokens: `${name}.tokens.gz`, docs: `${name}.docs.gz`, documents: members.length, tokenCount: tokens.length }],
		};
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
			await writeFixtureShards(
				vocabulary,
				ggufStringArray(readGgufFile(vocabularyPath).metadata.get('tokenizer.ggml.tokens'))!.length,
				data,
			);
		} finally {
			await vocabulary.dispose();
		}
	});

	after(async () => {
		if (work !== undefined) await rm(work, { recursive: true, force: true });
	});

	const train = (runDirectory: string, extra: string[], onLine?: StdoutLineHandler) =>
		runPython(
			[
				trainScript,
				'--preset',
				'test-tiny',
				'--data',
				data,
				'--run-dir',
				runDirectory,
				'--vocab',
				vocabularyPath,
				'--threads',
				'1',
				...extra,
			],
			{
				onStdoutLine: onLine,
			},
		);

	let checkpoint: string;

	it('trains, and a run killed mid-way resumes from its checkpoint to the same losses as an uninterrupted one', async function () {
		const straight = await train(path.join(work, 'straight'), ['--max-steps', '12', '--save-every', '4']);
		assert.equal(straight.code, 0, straight.stderr);
		const expected = lossesByStep(straight.stdout);
		assert.equal(expected.size, 12);
		assert.ok(expected.get(12)! < expected.get(1)!, `loss falls: ${expected.get(1)} -> ${expected.get(12)}`);
		// On a CPU the defaults are per-document attention and the chunked cross-entropy; the dense
		// mask and full logits train to the same losses.
		const kernels = logLines(straight.stdout).find((l) => l.event === 'start')!.kernels!;
		assert.deepEqual([kernels.attention, kernels.loss], ['segments', 'chunked']);
		const plain = await train(path.join(work, 'plain'), [
			'--max-steps',
			'12',
			'--stop-at-step',
			'4',
			'--attention',
			'masked',
			'--loss',
			'plain',
		]);
		assert.equal(plain.code, 0, plain.stderr);
		for (const [step, loss] of lossesByStep(plain.stdout)) {
			assert.ok(
				Math.abs(loss - expected.get(step)!) < 1e-3,
				`step ${step}: masked + full logits ${loss}, segments + chunked ${expected.get(step)}`,
			);
		}

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
			assert.ok(
				Math.abs(loss - expected.get(step)!) < 1e-3,
				`step ${step}: resumed loss ${loss}, uninterrupted ${expected.get(step)}`,
			);
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
		assert.equal(parity.report.top1Agreement, 1, `F32: every position has the same top token (${JSON.stringify(parity.report)})`);
		assert.ok(parity.report.maxAbsDiff < 1e-2 * Math.max(1, parity.report.referenceStd), `F32 max |diff| ${parity.report.maxAbsDiff}`);
		assert.ok(parityHolds(parity.report, 'F32'));
		// The negative control: with Hugging Face's rotary layout PyTorch disagrees far more, so the
		// check above really does tell the layouts apart.
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
		assert.ok(parityHolds(f16, 'F16'), JSON.stringify(f16));

		const metadata = readGgufFile(files.Q8_0!).metadata;
		assert.equal(ggufString(metadata.get('general.architecture')), 'llama');
		assert.equal(ggufNumber(metadata.get('llama.context_length')), 128);
		assert.equal(ggufNumber(metadata.get('tokenizer.ggml.fim_pre_token_id')), 1);
		assert.equal(ggufNumber(metadata.get('tokenizer.ggml.fim_suf_token_id')), 3);
		assert.equal(ggufNumber(metadata.get('tokenizer.ggml.fim_mid_token_id')), 2);
		// The training data's header slot (StarCoder2's <file_sep>) carries StarCoder's name for it.
		assert.equal(ggufStringArray(metadata.get('tokenizer.ggml.tokens'))![6], '<filename>');
		assert.equal(
			readGgufFile(files.Q8_0!).tensors.some((t) => t.name === 'output.weight'),
			false,
			'tied embeddings',
		);
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
		const samples = JSON.parse((await runPythonChecked(['-c', script])).stdout) as Array<
			Record<string, number[]> & { order: 'spm' | 'psm' }
		>;
		const loaded = await loadModel({
			modelPath: files.Q8_0!,
			gpu: 'off',
			threads: 1,
			sequences: 1,
			contextSize: 256,
			logger: silentLogger,
		});
		try {
			const text = (tokens: number[], special = false) => loaded.model.detokenize(tokens as never, special);
			assert.equal(loaded.promptTemplate, loaded.fim.spmTemplate);
			for (const sample of samples) {
				const header = text(sample.header!, true);
				assert.match(header, /^<filename>[^\n]+\n$/);
				const template = sample.order === 'spm' ? starCoderSpmTemplate : starCoderTemplate;
				const prompt = template.build({
					prefix: text(sample.prefix!),
					suffix: text(sample.suffix!),
					filePath: header.slice('<filename>'.length, -1),
				});
				assert.equal(
					text(sample.tokens!, true),
					renderPromptForDisplay(prompt) + text(sample.middle!) + '<|endoftext|>',
					`${sample.order} sample`,
				);
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
		const loaded = await loadModel({
			modelPath: files.Q8_0!,
			gpu: 'off',
			threads: 1,
			sequences: 1,
			contextSize: 256,
			logger: silentLogger,
		});
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
	it('the faster kernels compute what the plain ones do: chunked cross-entropy, per-document attention (check_kernels.py)', async function () {
		const report = JSON.parse((await runPythonChecked([path.join(recipe, 'check_kernels.py'), '--device', 'cpu'])).stdout) as {
			attention: Record<string, unknown>;
			model: Record<string, unknown>;
			cross_entropy: { loss: { plain: number; chunked: number; abs_diff: number }; grad_hidden: Difference; grad_weight: Difference };
		};
		const ce = report.cross_entropy;
		assert.ok(ce.loss.abs_diff <= 1e-5 * Math.abs(ce.loss.plain), JSON.stringify(ce.loss));
		for (const grad of [ce.grad_hidden, ce.grad_weight]) assert.ok(grad.max_abs_diff <= 1e-5 * grad.scale, JSON.stringify(grad));
		// segments runs on any torch; flex needs a GPU and torch >= 2.5 (unavailable here, checked by gpu-lease.sh there).
		assert.notEqual(report.attention.segments, 'unavailable');
		for (const [kernel, result] of [...Object.entries(report.attention), ...Object.entries(report.model)]) {
			if (result === 'unavailable') continue;
			assert.equal(typeof result, 'object', `${kernel}: ${String(result)}`);
			const differences =
				'output' in (result as object) ? Object.values(result as Record<string, Difference>) : [result as Difference];
			for (const d of differences) assert.ok(d.max_abs_diff <= 1e-5 * Math.max(1, d.scale), `${kernel}: ${JSON.stringify(d)}`);
		}
	});

	it('--fit-minutes sizes the schedule from the measured step time, ends by itself, and a killed fitted run resumes on the same schedule', async function () {
		const fitArgs = ['--fit-warmup-steps', '1', '--fit-measure-steps', '2', '--save-every', '2', '--max-minutes', '8'];
		const fitted = await train(path.join(work, 'fitted'), ['--fit-minutes', '0.3', ...fitArgs]);
		assert.equal(fitted.code, 0, fitted.stderr);
		const fit = fitRecord(fitted.stdout);
		assertFitConsistent(fitted.stdout, fit, 1);
		const stop = logLines(fitted.stdout).find((l) => l.event === 'stop')!;
		assert.deepEqual([stop.reason, stop.finished, stop.max_steps, stop.step], ['max-steps', true, fit.max_steps, fit.max_steps]);

		// Killed without warning right after the decision's checkpoint; the resumed run keeps the
		// schedule (its own step times would fit another) and follows the same cosine to its end.
		const run = path.join(work, 'fitted-killed');
		const killed = await train(run, ['--fit-minutes', '0.5', ...fitArgs], (line, kill) => {
			if (line.includes('"reason": "fit"')) kill('SIGKILL');
		});
		assert.equal(killed.signal, 'SIGKILL');
		const decision = fitRecord(killed.stdout);
		assertFitConsistent(killed.stdout, decision, 1);
		assert.ok(decision.max_steps > decision.decided_at_step, JSON.stringify(decision));
		const resumed = await train(run, ['--fit-minutes', '0.5', ...fitArgs, '--resume']);
		assert.equal(resumed.code, 0, resumed.stderr);
		const lines = logLines(resumed.stdout);
		const start = lines.find((l) => l.event === 'start')!;
		assert.deepEqual([start.resumed_from_step, start.schedule], [decision.decided_at_step, 'fitted, from the checkpoint']);
		assert.equal(
			lines.some((l) => l.event === 'fit'),
			false,
			'no second fit',
		);
		const steps = lines.filter((l) => l.loss !== undefined);
		assert.deepEqual(
			steps.map((l) => l.step),
			Array.from({ length: decision.max_steps - decision.decided_at_step }, (_, i) => decision.decided_at_step + 1 + i),
		);
		for (const l of steps) {
			const lr = learningRate(l.step! - 1, 3e-3, 2, decision.max_steps);
			assert.ok(Math.abs(l.lr! - lr) < 2e-6, `step ${l.step}: lr ${l.lr}, the fitted cosine gives ${lr}`);
		}
		const resumedStop = lines.find((l) => l.event === 'stop')!;
		assert.deepEqual([resumedStop.finished, resumedStop.max_steps], [true, decision.max_steps]);
	});

	it('the GPU lease script, dry run on the CPU: trains fitted, exports Q8_0 parts within the transfer limits, continues with --resume, and the parts reassemble into a GGUF that loads', async function () {
		const out = path.join(work, 'lease-out');
		const run = path.join(work, 'lease-run');
		const lease = (extra: string[], trainArgs: string[]) =>
			runScript('bash', [
				path.join(recipe, 'gpu-lease.sh'),
				'--out',
				out,
				'--minutes',
				'0.5',
				'--reserve-minutes',
				'0.2',
				'--preset',
				'test-tiny',
				'--device',
				'cpu',
				'--data',
				data,
				'--run-dir',
				run,
				'--part-mib',
				'1',
				'--python',
				pythonWithTorch(),
				...extra,
				'--',
				'--vocab',
				vocabularyPath,
				'--threads',
				'1',
				'--fit-warmup-steps',
				'1',
				'--fit-measure-steps',
				'2',
				...trainArgs,
			]);
		const limits = () => {
			const names = readdirSync(out);
			assert.ok(names.length <= 8, `${names.length} files: ${names.join(', ')}`);
			for (const name of names) assert.ok(statSync(path.join(out, name)).size <= 16 * 1024 * 1024, name);
			return names;
		};
		// The first command is cut short (as a lease that runs out would be) a few steps after the fit.
		const first = await lease([], ['--stop-at-step', '5']);
		assert.equal(first.code, 0, first.stderr);
		const firstLog = readFileSync(path.join(out, 'train.log.jsonl'), 'utf8');
		const fit = fitRecord(firstLog);
		assertFitConsistent(firstLog, fit, 1);
		const firstStop = logLines(firstLog).find((l) => l.event === 'stop')!;
		limits();

		// Resumed until the run is done: a lease fitted to the first command's speed can still run out
		// on a machine that got busier since (CI shares its CPU), and a real lease is then resumed
		// again. Each resumed lease starts where the last one stopped and gets further.
		type LeaseSummary = { start: LogLine; stop: LogLine; parts: Array<{ name: string; bytes: number; sha256: string }> };
		let summary: LeaseSummary | undefined;
		let names: string[] = [];
		for (let stoppedAt = firstStop.step, leases = 1; ; leases++) {
			const resumed = await lease(['--resume'], []);
			assert.equal(resumed.code, 0, resumed.stderr);
			names = limits();
			summary = JSON.parse(readFileSync(path.join(out, 'lease.json'), 'utf8')) as LeaseSummary;
			assert.equal(summary.start.resumed_from_step, stoppedAt);
			if (summary.stop.finished) {
				break;
			}
			assert.ok(Number(summary.stop.step) > Number(stoppedAt), `lease ${leases + 1} got further than step ${stoppedAt}`);
			assert.ok(leases < 8, 'the run finishes within eight leases');
			stoppedAt = summary.stop.step;
		}
		assert.deepEqual([summary.stop.finished, summary.stop.max_steps], [true, fit.max_steps]);
		assert.ok(summary.parts.length > 1, 'cut into parts');
		assert.deepEqual(names.sort(), ['lease.json', 'tensors.json', ...summary.parts.map((p) => p.name), 'train.log.jsonl'].sort());

		// The lead's side: join and verify the parts, write the GGUF, load it and generate.
		const result = await exportStarterModel({
			recipeDirectory: recipe,
			tensorsDirectory: out,
			outDirectory: path.join(work, 'lease-gguf'),
			quantizations: ['Q8_0'],
		});
		assert.equal((result.training as { step: number }).step, fit.max_steps);
		const loaded = await loadModel({
			modelPath: result.files[0]!.path,
			gpu: 'off',
			threads: 1,
			sequences: 1,
			contextSize: 128,
			logger: silentLogger,
		});
		try {
			assert.equal(loaded.promptTemplate.displayName, 'StarCoder (SPM)');
			let generated = 0;
			for await (const _token of loaded.sequences[0]!.evaluate(loaded.model.tokenize('def add(a, b):\n', false), {
				temperature: 0,
			})) {
				if (++generated === 4) break;
			}
			assert.equal(generated, 4);
		} finally {
			await loaded.dispose();
		}

		// A part damaged on the way is named, not joined.
		const damaged = path.join(work, 'lease-damaged');
		await cp(out, damaged, { recursive: true });
		const part = path.join(damaged, summary.parts[1]!.name);
		const bytes = readFileSync(part);
		bytes[100] ^= 0xff;
		await writeFile(part, bytes);
		await assert.rejects(readRawTensors(damaged), new RegExp(`${summary.parts[1]!.name}: sha256`));
	});
});
