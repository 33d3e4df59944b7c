/**
 * `npm run bench -- --quality`: the quality replay. Loads the model once in this process, asks the
 * planned points through llama.vscode's pipeline on a llama-server with the same model file and
 * threads, then through each Hearth variant, and prints one JSON report (also to --out, rewritten
 * after each side so that a run stopped halfway leaves what it measured, with "complete": false).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stderrLogger } from '../../engine/logger.js';
import { loadModel, type LoadedModel } from '../../engine/runtime/loadModel.js';
import { messageOf } from '../../shared/errorMessage.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import { machineInfo, nodeLlamaCppVersion } from '../machine.js';
import { httpInfillClient } from '../race/infillClient.js';
import { startLlamaServer } from '../race/llamaServerProcess.js';
import { sweepThresholds, type SweepResult } from './confidenceSweep.js';
import { CURSOR_KINDS } from './cursorPoints.js';
import { runHearthVariant, type HearthPointOutcome, type HearthVariant } from './hearthQuality.js';
import { LLAMA_VSCODE_N_PREDICT, runLlamaVscode, type LlamaVscodePointOutcome } from './llamaVscodeQuality.js';
import { loadQualityFiles } from './qualityFixtures.js';
import { round, summarizeOutcomes, type PointOutcome, type QualitySummary } from './qualityMetrics.js';
import { QUALITY_SWITCHES, type QualityOptions } from './qualityOptions.js';
import { planPoints, type FilePoints } from './pointPlan.js';

export const QUALITY_DEFINITIONS = {
	files: "held-out files of the bundled model's corpus (src/train/corpus/heldoutSplit.ts: never trained on), copied with their licences to test/fixtures/quality/ by src/bench/quality/pickFixtures.ts; each with up to two files of its own package folder, open beside it",
	points: 'per language, --points cursor points split evenly over four kinds and spread over the files, drawn with a seeded generator (--seed): new-line (Enter pressed at the end of the line above, the cursor after the auto-indentation VS Code gives: the line above\'s, one unit deeper after an opening bracket or a Python colon; only lines at least that deep), mid-line (2–6 characters of the line typed), line-end (cursor at the end of the complete line above; the truth starts with the line break and the indentation), argument-list (after "(" or ", " of a call, its closing parenthesis and the rest of the line present). In the first three the rest of the target line is not in the document; everything after it is',
	truth: 'what the person types next: the rest of the target line (line-end: a line break and the whole line; argument-list: the arguments up to the closing parenthesis)',
	shown: 'share of points where a suggestion with something besides whitespace appears',
	precision:
		"share of shown suggestions whose first line (from its first non-blank character) is exactly the truth's first line and whose whole text (trailing whitespace aside) is a prefix of the truth",
	charsSaved:
		"characters the person does not type, over all truth characters: the whole suggestion when it is a prefix of the truth, else accept-word (VS Code's Accept Next Word: whitespace plus one run of word characters or of other symbols per step) up to the last step within the part that agrees with the truth",
	wrongPer100Points: 'shown suggestions that are not a prefix of the truth (accepting one leaves text to delete), per 100 points',
	latencyMs:
		'request to answer at each point, one point at a time (nothing else queued); Hearth: the scheduler with no adaptive wait (it changes when a run starts while typing, not what a pause gets); llama.vscode: the /infill round trip',
	generatedTokensPerPoint: 'tokens the model generated per point (points not asked count 0)',
	hearth: "the language server's path as far as the engine: coarseWindow, extra context (selectExtraContext over the recent edit places and the package's other open files, the server's budgets), the scheduler and its cache, the pipeline's mode choice and post-processing, the extension's default settings (maxTokens, mode auto, contextBudget, extraContext; timeBudgetMs only with --time-limits); greedy decoding",
	variants:
		"hearth: the engine's defaults; before: every issue-17 switch off (request.quality all false); no-X: only switch X off. A switch the engine does not know changes nothing",
	llamaVscode: `llama.vscode's defaults as its source has them: /infill with 256 whole lines before and 64 after, the cursor line's prefix as prompt (left out when it is only indentation, which is then taken off the answer), input_extra from its ring buffer (the package's other files opened at their top: their first 32 lines), n_predict ${LLAMA_VSCODE_N_PREDICT}, n_indent, t_max_prompt_ms and t_max_predict_ms 500 (only with --time-limits), cache_prompt; no request when more than 8 characters follow the cursor; the answer's trailing blank lines dropped, shouldDiscardSuggestion (blank, or repeating the rest of the line or the next lines), only the first line when text follows the cursor; greedy decoding (top_k 1) instead of its top-k 40 sampling, so that runs repeat; the same model file, threads and context size`,
	timeLimits:
		"off by default: Hearth runs without its timeBudgetMs and llama-server without t_max_prompt_ms/t_max_predict_ms (0), so that what is suggested does not depend on the machine's load (on a loaded machine both cut generation early); --time-limits keeps them as the settings have them",
	ratios: 'Hearth variant ÷ llama.vscode, over all points: characters saved (target ≥ 1.3) and wrong suggestions shown (target ≤ 0.5)',
	confidence:
		"with a confidence on Hearth's results (mean and minimum natural-log probability of the generated tokens that make up the shown text): the thresholds a gate could use, each holding back the shown suggestions below it, and the one the issue's rule picks",
};

export async function qualityMain(options: QualityOptions): Promise<number> {
	const startedAt = new Date();
	const machine = machineInfo();
	const files = loadQualityFiles(undefined, options.languages);
	const plan = planPoints(files, options.pointsPerLanguage, options.seed);
	const pointCount = plan.reduce((sum, entry) => sum + entry.points.length, 0);
	progress(`${pointCount} points in ${plan.length} files (${options.languages.join(', ')}); model ${options.modelPath}`);

	const logger = stderrLogger({ verbose: false });
	const loaded = await loadModel({
		modelPath: options.modelPath,
		threads: options.threads,
		contextSize: DEFAULT_SETTINGS.performance.contextSize,
		gpu: 'auto',
		logger,
	});
	const sides: Record<string, SideReport> = {};
	const hearthOutcomes = new Map<string, HearthPointOutcome[][]>();
	let failed = false;
	let llamaVscode: LlamaVscodePointOutcome[][] | undefined;
	let llamaVscodeError: string | undefined;
	if (options.llamaServer) {
		try {
			llamaVscode = await replayOnLlamaServer(options, loaded, plan);
			sides['llama.vscode'] = {
				...sideReport(plan, llamaVscode, undefined),
				outcomes: countBy(llamaVscode.flat().map((outcome) => outcome.outcome)),
			};
			progress(`llama.vscode: ${oneLine(sides['llama.vscode']!.total)}`);
		} catch (error) {
			llamaVscodeError = messageOf(error);
			failed = true;
			progress(`llama.vscode side failed: ${llamaVscodeError}`);
		}
	}

	const writeReport = (complete: boolean): void => {
		const reference = sides['llama.vscode']?.total;
		const ratios = reference
			? Object.fromEntries(
					options.variants
						.filter((name) => sides[name])
						.map((name) => {
							const total = sides[name]!.total;
							const charsSaved = reference.charsSaved === 0 ? null : round(total.charsSaved / reference.charsSaved, 3);
							const wrongShown = reference.wrong === 0 ? null : round(total.wrong / reference.wrong, 3);
							return [
								name,
								{
									charsSaved,
									wrongShown,
									targets: {
										charsSaved: charsSaved !== null && charsSaved >= 1.3,
										wrongShown: wrongShown !== null && wrongShown <= 0.5,
									},
								},
							];
						}),
				)
			: null;

		const report = {
			benchmark: 'hearth quality replay',
			complete,
			startedAt: startedAt.toISOString(),
			durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
			machine,
			nodeLlamaCpp: nodeLlamaCppVersion(),
			model: {
				path: options.modelPath,
				...pick(loaded.info, ['displayName', 'fimFamily', 'fimOrder', 'threads', 'contextSize', 'backend']),
			},
			options: {
				languages: options.languages,
				pointsPerLanguage: options.pointsPerLanguage,
				variants: options.variants,
				seed: options.seed,
				timeLimits: options.timeLimits,
				threads: options.threads ?? 'machine cores',
				llamaServer: options.llamaServer ?? null,
				settings: DEFAULT_SETTINGS.inlineCompletion,
			},
			definitions: QUALITY_DEFINITIONS,
			points: {
				total: pointCount,
				files: plan.map((entry) => ({
					path: entry.file.path,
					language: entry.file.language,
					origin: entry.file.origin,
					points: entry.points.length,
				})),
			},
			sides,
			...(llamaVscodeError ? { llamaVscodeError } : {}),
			ratios,
			confidence: confidenceReport(
				hearthOutcomes.get('ungated') ?? hearthOutcomes.get('hearth') ?? hearthOutcomes.get(options.variants[0]!),
			),
			...(options.perPoint ? { perPoint: perPointListing(plan, hearthOutcomes, llamaVscode) } : {}),
		};
		const json = JSON.stringify(report, null, 2) + '\n';
		if (complete) {
			process.stdout.write(json);
		}
		if (options.out) {
			// Written after each side too, so that a run stopped halfway still leaves what it measured.
			fs.mkdirSync(path.dirname(options.out), { recursive: true });
			fs.writeFileSync(options.out, json);
			if (complete) progress(`report written to ${options.out}`);
		}
	};

	writeReport(false);
	try {
		for (const name of options.variants) {
			const variant = variantNamed(name);
			const began = performance.now();
			const outcomes = await runHearthVariant(loaded, logger, variant, plan, options.timeLimits);
			hearthOutcomes.set(name, outcomes);
			sides[name] = sideReport(plan, outcomes, (performance.now() - began) / 1000);
			progress(`${name}: ${oneLine(sides[name]!.total)} (${Math.round((performance.now() - began) / 1000)} s)`);
			writeReport(false);
		}
	} finally {
		await loaded.dispose();
	}

	writeReport(true);
	return failed ? 1 : 0;
}

async function replayOnLlamaServer(
	options: QualityOptions,
	loaded: LoadedModel,
	plan: readonly FilePoints[],
): Promise<LlamaVscodePointOutcome[][]> {
	const logFile = path.join(os.tmpdir(), `hearth-quality-llama-server-${process.pid}.log`);
	progress(`llama.vscode side: ${options.llamaServer} (log ${logFile})`);
	const server = await startLlamaServer({
		binary: options.llamaServer!,
		modelPath: options.modelPath,
		threads: loaded.info.threads,
		contextSize: loaded.info.contextSize,
		spmInfill: loaded.info.fimOrder === 'spm',
		logFile,
	});
	try {
		return await runLlamaVscode(httpInfillClient(server.url), plan, options.timeLimits);
	} finally {
		await server.stop();
	}
}

export function variantNamed(name: string): HearthVariant {
	if (name === 'hearth') {
		return { name };
	}
	if (name === 'before') {
		return { name, quality: Object.fromEntries(QUALITY_SWITCHES.map((key) => [key, false])), minConfidence: 0 };
	}
	if (name === 'ungated') {
		return { name, minConfidence: 0 };
	}
	const cut = /^cut-(\d+)$/.exec(name);
	if (cut) {
		return { name, minTokenConfidence: Number(cut[1]) };
	}
	const gated = /^gate-(\d+)$/.exec(name);
	if (gated) {
		return { name, minConfidence: Number(gated[1]) };
	}
	const off = name.replace(/^no-/, '');
	return { name, quality: { [off]: false } };
}

interface SideReport {
	total: QualitySummary;
	byLanguage: Record<string, QualitySummary>;
	byKind: Record<string, QualitySummary>;
	byLanguageAndKind: Record<string, Record<string, QualitySummary>>;
	wallS?: number;
	outcomes?: Record<string, number>;
}

function sideReport(plan: readonly FilePoints[], outcomes: readonly (readonly PointOutcome[])[], wallS: number | undefined): SideReport {
	const rows = plan.flatMap((entry, fileIndex) =>
		entry.points.map((point, pointIndex) => ({
			language: entry.file.language,
			kind: point.kind,
			outcome: outcomes[fileIndex]![pointIndex]!,
		})),
	);
	const summarize = (test: (row: (typeof rows)[number]) => boolean) => summarizeOutcomes(rows.filter(test).map((row) => row.outcome));
	const languages = [...new Set(rows.map((row) => row.language))];
	return {
		total: summarize(() => true),
		byLanguage: Object.fromEntries(languages.map((language) => [language, summarize((row) => row.language === language)])),
		byKind: Object.fromEntries(CURSOR_KINDS.map((kind) => [kind, summarize((row) => row.kind === kind)])),
		byLanguageAndKind: Object.fromEntries(
			languages.map((language) => [
				language,
				Object.fromEntries(CURSOR_KINDS.map((kind) => [kind, summarize((row) => row.language === language && row.kind === kind)])),
			]),
		),
		...(wallS !== undefined ? { wallS: Math.round(wallS) } : {}),
	};
}

function confidenceReport(outcomes: HearthPointOutcome[][] | undefined): { mean: SweepResult; min: SweepResult } | { note: string } {
	const flat = outcomes?.flat() ?? [];
	if (!flat.some((outcome) => outcome.shown && outcome.confidence)) {
		return { note: 'no confidence on the results (the engine does not report one yet)' };
	}
	const sweep = (figure: 'meanLogProb' | 'minLogProb') =>
		sweepThresholds(
			flat.map((outcome) => ({
				shown: outcome.shown,
				wrong: outcome.wrong,
				charsSaved: outcome.charsSaved,
				confidence: outcome.confidence?.[figure],
			})),
		);
	return { mean: sweep('meanLogProb'), min: sweep('minLogProb') };
}

function perPointListing(
	plan: readonly FilePoints[],
	hearth: ReadonlyMap<string, HearthPointOutcome[][]>,
	llamaVscode: LlamaVscodePointOutcome[][] | undefined,
): unknown[] {
	return plan.flatMap((entry, fileIndex) =>
		entry.points.map((point, pointIndex) => ({
			file: entry.file.path,
			line: point.line + 1,
			kind: point.kind,
			linePrefix: point.prefix.slice(point.prefix.lastIndexOf('\n') + 1),
			truth: point.truth,
			hearth: Object.fromEntries(
				[...hearth.entries()].map(([name, outcomes]) => {
					const outcome = outcomes[fileIndex]![pointIndex]!;
					return [
						name,
						{
							text: outcome.text,
							charsSaved: outcome.charsSaved,
							wrong: outcome.wrong,
							stopReason: outcome.stopReason,
							confidence: outcome.confidence,
						},
					];
				}),
			),
			...(llamaVscode
				? {
						llamaVscode: (({ text, charsSaved, wrong, outcome }) => ({ text, charsSaved, wrong, outcome }))(
							llamaVscode[fileIndex]![pointIndex]!,
						),
					}
				: {}),
		})),
	);
}

function countBy(values: readonly string[]): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
	return counts;
}

function pick<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Pick<T, K> {
	return Object.fromEntries(keys.map((key) => [key, object[key]])) as Pick<T, K>;
}

function oneLine(summary: QualitySummary): string {
	return (
		`shown ${(100 * summary.shownRate).toFixed(0)} %, precision ${summary.precision === null ? '-' : (100 * summary.precision).toFixed(0) + ' %'}, ` +
		`chars saved ${(100 * summary.charsSavedRate).toFixed(1)} %, wrong ${summary.wrongPer100Points}/100, latency p50 ${summary.latencyMs.p50} ms`
	);
}

function progress(message: string): void {
	process.stderr.write(`[bench quality] ${message}\n`);
}
