/** The options of `npm run bench -- --quality`, parsed apart from the typing-trace bench's. */
import fs from 'node:fs';
import path from 'node:path';
import { integerOption, parseArguments, stringOption, UsageError } from '../../tooling/cliArguments.js';
import { projectRoot } from '../../tooling/projectRoot.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../shared/bundledModel.js';
import type { QualityOptions as EngineQualitySwitches } from '../../engine/completion/completionTypes.js';
import { isQualityLanguage, QUALITY_LANGUAGES, type QualityLanguage } from './qualityFixtures.js';

/** The engine's quality switches (CompletionRequest.quality), each measured off in its own variant. */
export const QUALITY_SWITCHES = [
	'keepDedent',
	'lineEndContinue',
	'tokenHealing',
	'documentIndent',
	'syntaxCheck',
	'unsureCut',
] as const satisfies readonly (keyof EngineQualitySwitches)[];

export const QUALITY_USAGE = `Usage: npm run bench -- --quality [options]

Replays held-out files the bundled model never trained on (test/fixtures/quality/) at cursor points
where people ask for suggestions (a new line after Enter, a few characters into a line, the end of a
line, inside an argument list) through Hearth's completion path and, on the same model, through
llama.vscode's (/infill on llama-server), and prints one JSON report: per language and per cursor
kind, shown, precision, characters saved, wrong suggestions per 100 points, latency and tokens
generated, and Hearth ÷ llama.vscode for characters saved and wrong suggestions shown.

Options:
  --points N          points per language, spread over the four kinds (default 32; with --quick 12); each
                      point costs a full prompt evaluation per side (about 1.5 s on 2 idle cores)
  --languages LIST    comma-separated: ${QUALITY_LANGUAGES.join(', ')} (default: all; with --quick: python)
  --variants LIST     Hearth variants: hearth (the defaults), before (every issue-17 switch off), no-SWITCH
                      (one switch off: ${QUALITY_SWITCHES.join(', ')}), cut-N (the unsure-token cut at
                      N % instead of hearth.inlineCompletion.minTokenConfidence's default), gate-N (the
                      confidence gate at N % instead of hearth.inlineCompletion.minConfidence's), ungated
                      (no gate; the confidence sweep uses it when present), all, or none (llama.vscode's side only) (default: hearth,before; with --quick: hearth)
  --quick             a short run: python, 12 points, only the default variant
  --models PATH       the .gguf to replay (default: the bundled model)
  --threads N         CPU threads for both sides (default: the machine's core count)
  --seed N            where the points fall (default 17)
  --race-llama-server PATH
                      llama-server for llama.vscode's side (default HEARTH_LLAMA_SERVER, else
                      .cache/llama-server/build/bin/llama-server when built)
  --no-llama-server   Hearth's side only
  --time-limits       keep the time limits (Hearth's timeBudgetMs, llama.vscode's t_max_prompt_ms and
                      t_max_predict_ms): without it both sides run untimed, so that the figures do not
                      depend on what else loads the machine
  --per-point         include every point's suggestion and score in the report
  --out FILE          also write the report to FILE`;

export interface QualityOptions {
	modelPath: string;
	languages: QualityLanguage[];
	pointsPerLanguage: number;
	variants: string[];
	threads?: number;
	seed: number;
	llamaServer?: string;
	perPoint: boolean;
	timeLimits: boolean;
	quick: boolean;
	out?: string;
}

export function parseQualityOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): QualityOptions | 'help' {
	const { positionals, options } = parseArguments(argv, ['quality', 'quick', 'no-llama-server', 'per-point', 'time-limits', 'help']);
	if (options.has('help')) {
		return 'help';
	}
	if (positionals.length > 0) {
		throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	}
	const known = new Set([
		'quality',
		'quick',
		'points',
		'languages',
		'variants',
		'models',
		'threads',
		'seed',
		'race-llama-server',
		'no-llama-server',
		'per-point',
		'time-limits',
		'out',
	]);
	for (const name of options.keys()) {
		if (!known.has(name)) {
			throw new UsageError(`--quality does not take --${name}`);
		}
	}
	const quick = options.has('quick');
	const languages = list(stringOption(options, 'languages')) ?? (quick ? ['python'] : [...QUALITY_LANGUAGES]);
	for (const language of languages) {
		if (!isQualityLanguage(language)) {
			throw new UsageError(`Unknown language ${language}: use ${QUALITY_LANGUAGES.join(', ')}`);
		}
	}
	const allVariants = ['hearth', 'before', ...QUALITY_SWITCHES.map((name) => `no-${name}`)];
	const variantList = list(stringOption(options, 'variants')) ?? (quick ? ['hearth'] : ['hearth', 'before']);
	const variants = variantList.includes('all') ? allVariants : variantList.includes('none') ? [] : variantList;
	for (const variant of variants) {
		if (!allVariants.includes(variant) && variant !== 'ungated' && !/^(cut|gate)-\d{1,2}$/.test(variant)) {
			throw new UsageError(
				`Unknown variant ${variant}: use ${allVariants.join(', ')}, ungated, cut-N (the unsure-token cut at N %), gate-N (the confidence gate at N %) or all`,
			);
		}
	}
	const model = list(stringOption(options, 'models'));
	if (model && (model.length !== 1 || !model[0]!.endsWith('.gguf'))) {
		throw new UsageError('--quality replays one model, given as a .gguf path');
	}
	const builtServer = path.join(projectRoot(), '.cache', 'llama-server', 'build', 'bin', 'llama-server');
	const llamaServer = options.has('no-llama-server')
		? undefined
		: (stringOption(options, 'race-llama-server') ??
			(env.HEARTH_LLAMA_SERVER || (fs.existsSync(builtServer) ? builtServer : undefined)));
	const out = stringOption(options, 'out');
	return {
		modelPath: model ? path.resolve(model[0]!) : path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH),
		languages: languages as QualityLanguage[],
		pointsPerLanguage: integerOption(options, 'points', { min: 4, max: 1000 }) ?? (quick ? 12 : 32),
		variants,
		threads: integerOption(options, 'threads', { min: 1, max: 256 }),
		seed: integerOption(options, 'seed', { min: 0, max: 2 ** 31 }) ?? 17,
		llamaServer: llamaServer === undefined ? undefined : path.resolve(llamaServer),
		perPoint: options.has('per-point'),
		timeLimits: options.has('time-limits'),
		quick,
		out: out === undefined ? undefined : path.resolve(out),
	};
}

function list(value: string | undefined): string[] | undefined {
	return value
		?.split(',')
		.map((item) => item.trim())
		.filter((item) => item !== '');
}
