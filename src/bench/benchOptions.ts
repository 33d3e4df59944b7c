import path from 'node:path';
import { integerOption, parseArguments, UsageError } from '../tooling/cliArguments.js';
import type { CompletionMode } from '../engine/postprocess/index.js';
import { DEFAULT_SETTINGS } from '../shared/settings.js';
import { isTestModelPreset, type TestModelPreset } from '../tooling/testModels/ensureModel.js';
import { FLAT_SLOPE_MIB_PER_10_MIN } from './soak/rssCurve.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';
import { projectRoot } from '../tooling/projectRoot.js';

/** Events replayed per trace with --quick: about 10-15 s of typing each. */
export const QUICK_EVENTS = 60;

export const DEFAULT_SOAK_MINUTES = 30;
export const DEFAULT_SOAK_SAMPLE_SECONDS = 5;

export const USAGE = `Usage: npm run bench -- [options]

Replays the recorded typing sessions in test/fixtures/traces/ against the completion engine in real
time and prints one JSON report (latency, tokens evaluated against tokens new, cancellation, CPU,
memory, and the compute bound measured on the same model). Then, per model, the "actions" section:
a rewrite request answered with and without input-lookup speculative decoding (tokens/s, ratio).

Options:
  --models LIST       comma-separated: 0.5b, 1.5b (the Qwen2.5-Coder shapes, Q8_0), 1.5b-spm (the
                      1.5B shape with StarCoder's tokenizer, laid out suffix-prefix-middle), bundled
                      (the trained starter model the extension ships; also: starter), any test-model
                      preset, or a .gguf path (default: 0.5b,1.5b,1.5b-spm; with --quick: 0.5b)
  --traces LIST       comma-separated trace names (default: all)
  --quick             a short run: the 0.5B shape and the first ${QUICK_EVENTS} events of each trace
  --max-events N      replay only the first N events of each trace
  --max-tokens N      tokens generated per request (default 16)
  --mode M            single-line | multi-line | auto (default multi-line)
  --threads N         CPU threads (default: the machine's core count)
  --context-size N    context window in tokens (default 2048)
  --cold              no warm-up: the first key of each trace meets an empty KV cache
  --debounce-max MS   upper bound of the adaptive wait before a model call (default 400, as the setting)
  --no-prefetch       do not compute the next suggestion ahead while one is shown
  --per-request       include every request's record in the report
  --actions           run only the actions section (no traces)
  --no-actions        skip the actions section
  --race-llama-server PATH
                      after Hearth, replay the same traces against this llama-server binary (the
                      same model and threads, started as llama.vscode's launch command starts it, with
                      the same extra context as input_extra) the way llama.vscode drives it,
                      and add a "race" section per model (default: the HEARTH_LLAMA_SERVER
                      environment variable; unset: no race). Without --traces it races only
                      ts-paused-typing and ts-thinking-typing (the same keys with 2.5-4.5 s and
                      12-16 s thinking pauses). Build one with: bash src/bench/setup/buildLlamaServer.sh
  --race-configurations LIST
                      which llama-server runs to race: as-users-run-it (llama.vscode's launch
                      command) and spm-infill (the same plus --spm-infill, SPM models only)
                      (default: both, where they apply)
  --race-own-kernels  llama-server computes with its own build of ggml (default on Linux: with
                      the CPU variant of node-llama-cpp's prebuilt ggml that Hearth loads on this
                      machine, through LD_LIBRARY_PATH, so that both sides multiply alike; on a
                      CPU with AMX the own build has no AMX and is ~4x slower at prompts)
  --engine legacy     Hearth's engine as it was before issue 21's speed changes (64-token prompt
                      chunks, the prompt's last token alone with the first generated one, 30 ms
                      grace before an orphaned run stops, generation never held
                      back, the whole prompt on a cold cache rather than a small first one,
                      prefetches whether or not they are used), for a before/after comparison on
                      the same code; --engine no-decode-abort: today's engine with cancellations
                      landing between llama.cpp's decodes only, as where the decode abort module
                      is not built (default: current, which stops a decode in flight with the
                      module npm run build compiles, dist/native/decodeAbort-*.node)
  --quality           instead of everything above: the quality replay (held-out files, cursor points,
                      Hearth's pipeline and llama.vscode's on the same model); --quality --help for its options
  --document-this     instead of everything above: Document This on the bundled model over documented
                      held-out functions, and how well its confidence separates good answers from bad
  --soak              instead of everything above: the real language server (dist/server.mjs) with
                      the bundled model (or the one .gguf path given with --models), the traces
                      replayed over LSP in a loop, its RSS sampled; the report's "soak" block has
                      the curve, start/end/peak, the slope over the second half (MiB per 10
                      minutes) and a verdict ("flat" below ${FLAT_SLOPE_MIB_PER_10_MIN} MiB per 10 min); exit 1 unless flat
  --minutes N         how long the soak types (default ${DEFAULT_SOAK_MINUTES})
  --sample-every S    seconds between RSS samples in the soak (default ${DEFAULT_SOAK_SAMPLE_SECONDS})
  --out FILE          also write the report to FILE`;

const DEFAULT_MAX_TOKENS = 16;

/** The model the extension ships, by name. */
const BUNDLED_ALIASES = ['bundled', 'starter'];

const MODEL_ALIASES: Record<string, TestModelPreset> = {
	'0.5b': 'qwen2.5-coder-0.5b-shape',
	'1.5b': 'qwen2.5-coder-1.5b-shape',
	'1.5b-spm': 'starcoder-spm-1.5b-shape',
};

export type ModelChoice = { label: string; preset: TestModelPreset } | { label: string; path: string };

export interface BenchOptions {
	models: ModelChoice[];
	traces?: string[];
	quick: boolean;
	maxEvents?: number;
	maxTokens: number;
	mode: CompletionMode | 'auto';
	threads?: number;
	contextSize?: number;
	perRequest: boolean;
	/** Complete once at the starting cursor before the first key (default; --cold turns it off). */
	warmUp: boolean;
	debounceMaxMs: number;
	prefetch: boolean;
	/** What runs per model: the trace replays, then the rewrite-action measurements (both by default). */
	sections: { traces: boolean; actions: boolean };
	out?: string;
	/** llama-server binary to race against (--race-llama-server or HEARTH_LLAMA_SERVER); absent: no race. */
	raceLlamaServer?: string;
	/** --race-configurations: the llama-server runs to race (absent: every one that applies). */
	raceConfigurations?: string[];
	/** --race-own-kernels: llama-server with its own ggml build, not node-llama-cpp's (src/bench/race/sameKernels.ts). */
	raceOwnKernels: boolean;
	/** --engine legacy: the engine before issue 21's speed changes. */
	legacyEngine: boolean;
	/** False with --engine legacy or no-decode-abort: a cancellation never stops a decode in flight. */
	decodeAbort: boolean;
	/** --soak: only the memory soak, for this long, sampling this often; absent: the normal bench. */
	soak?: { minutes: number; sampleEverySeconds: number; modelPath?: string };
}

export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions | 'help' {
	const { positionals, options } = parseArguments(argv, [
		'quick',
		'per-request',
		'cold',
		'no-prefetch',
		'actions',
		'no-actions',
		'soak',
		'race-own-kernels',
		'help',
	]);
	if (options.has('help')) {
		return 'help';
	}
	if (positionals.length > 0) {
		throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	}
	const known = new Set([
		'models',
		'traces',
		'quick',
		'max-events',
		'max-tokens',
		'mode',
		'threads',
		'context-size',
		'per-request',
		'race-own-kernels',
		'cold',
		'out',
		'debounce-max',
		'no-prefetch',
		'actions',
		'no-actions',
		'race-llama-server',
		'soak',
		'minutes',
		'sample-every',
		'engine',
		'race-configurations',
	]);
	for (const name of options.keys()) {
		if (!known.has(name)) {
			throw new UsageError(`Unknown option --${name}`);
		}
	}
	const quick = options.has('quick');
	const mode = stringOption(options, 'mode') ?? 'multi-line';
	if (mode !== 'auto' && mode !== 'single-line' && mode !== 'multi-line') {
		throw new UsageError('--mode must be single-line, multi-line or auto');
	}
	const maxTokens = integerOption(options, 'max-tokens') ?? DEFAULT_MAX_TOKENS;
	if (maxTokens < 1) {
		throw new UsageError('--max-tokens must be at least 1');
	}
	const maxEvents = integerOption(options, 'max-events') ?? (quick ? QUICK_EVENTS : undefined);
	if (maxEvents !== undefined && maxEvents < 1) {
		throw new UsageError('--max-events must be at least 1');
	}
	const models = list(stringOption(options, 'models')) ?? (quick ? ['0.5b'] : ['0.5b', '1.5b', '1.5b-spm']);
	const out = stringOption(options, 'out');
	if (options.has('race-llama-server') && options.has('actions')) {
		throw new UsageError('--actions runs no traces, so there is nothing to race: drop one of --actions and --race-llama-server');
	}
	// The environment variable only names the binary; a run without traces simply has no race.
	const raceLlamaServer = options.has('actions')
		? undefined
		: (stringOption(options, 'race-llama-server') ?? (env.HEARTH_LLAMA_SERVER || undefined));
	const debounceMaxMs = integerOption(options, 'debounce-max') ?? DEFAULT_SETTINGS.inlineCompletion.debounceMaxMs;
	if (debounceMaxMs < 0) {
		throw new UsageError('--debounce-max must be 0 or more');
	}
	if (options.has('actions') && options.has('no-actions')) {
		throw new UsageError('--actions and --no-actions exclude each other');
	}
	if (options.has('actions') && options.has('traces')) {
		throw new UsageError('--actions runs no traces: drop --traces, or --actions to run both');
	}
	const soak = soakOptions(options);
	const engine = stringOption(options, 'engine') ?? 'current';
	if (engine !== 'current' && engine !== 'legacy' && engine !== 'no-decode-abort') {
		throw new UsageError('--engine must be current, legacy or no-decode-abort');
	}
	const raceConfigurations = list(stringOption(options, 'race-configurations'));
	const unknownConfiguration = raceConfigurations?.find((label) => label !== 'as-users-run-it' && label !== 'spm-infill');
	if (unknownConfiguration !== undefined) {
		throw new UsageError(`Unknown race configuration ${unknownConfiguration}: use as-users-run-it, spm-infill`);
	}
	return {
		legacyEngine: engine === 'legacy',
		decodeAbort: engine === 'current',
		raceOwnKernels: options.has('race-own-kernels'),
		...(raceConfigurations ? { raceConfigurations } : {}),
		...(soak ? { soak } : {}),
		models: models.map(modelChoice),
		traces: list(stringOption(options, 'traces')),
		quick,
		maxEvents,
		maxTokens,
		mode,
		threads: integerOption(options, 'threads'),
		contextSize: integerOption(options, 'context-size'),
		perRequest: options.has('per-request'),
		warmUp: !options.has('cold'),
		debounceMaxMs,
		prefetch: !options.has('no-prefetch'),
		sections: { traces: !options.has('actions'), actions: !options.has('no-actions') },
		out: out === undefined ? undefined : path.resolve(out),
		raceLlamaServer: raceLlamaServer === undefined ? undefined : path.resolve(raceLlamaServer),
	};
}

function soakOptions(options: Map<string, string | true>): BenchOptions['soak'] {
	if (!options.has('soak')) {
		if (options.has('minutes') || options.has('sample-every')) {
			throw new UsageError('--minutes and --sample-every belong to --soak');
		}
		return undefined;
	}
	for (const other of ['actions', 'race-llama-server', 'quick']) {
		if (options.has(other)) {
			throw new UsageError(`--soak runs only the soak: drop --${other}`);
		}
	}
	const minutes = positiveNumber(options, 'minutes') ?? DEFAULT_SOAK_MINUTES;
	const sampleEverySeconds = positiveNumber(options, 'sample-every') ?? DEFAULT_SOAK_SAMPLE_SECONDS;
	const models = list(stringOption(options, 'models'));
	if (models && (models.length !== 1 || !models[0]!.endsWith('.gguf'))) {
		throw new UsageError('--soak takes at most one model, as a .gguf path (default: the bundled model)');
	}
	return { minutes, sampleEverySeconds, ...(models ? { modelPath: path.resolve(models[0]!) } : {}) };
}

/** A number above 0 (fractions allowed: `--minutes 0.5` for a quick check). */
function positiveNumber(options: Map<string, string | true>, name: string): number | undefined {
	const value = stringOption(options, name);
	if (value === undefined) {
		return undefined;
	}
	const parsed = Number(value);
	if (!Number.isFinite(parsed) || parsed <= 0) {
		throw new UsageError(`--${name} must be a number above 0`);
	}
	return parsed;
}

function modelChoice(name: string): ModelChoice {
	const alias = MODEL_ALIASES[name.toLowerCase()];
	if (alias) {
		return { label: name.toLowerCase(), preset: alias };
	}
	if (BUNDLED_ALIASES.includes(name.toLowerCase())) {
		return { label: 'bundled', path: path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH) };
	}
	if (isTestModelPreset(name)) {
		return { label: name, preset: name };
	}
	if (name.endsWith('.gguf')) {
		return { label: path.basename(name), path: path.resolve(name) };
	}
	throw new UsageError(`Unknown model ${JSON.stringify(name)}: use 0.5b, 1.5b, 1.5b-spm, bundled, a test-model preset or a .gguf path`);
}

function stringOption(options: Map<string, string | true>, name: string): string | undefined {
	const value = options.get(name);
	if (value === true) {
		throw new UsageError(`--${name} needs a value`);
	}
	return value;
}

function list(value: string | undefined): string[] | undefined {
	if (value === undefined) {
		return undefined;
	}
	const items = value
		.split(',')
		.map((item) => item.trim())
		.filter((item) => item !== '');
	if (items.length === 0) {
		throw new UsageError('an empty list');
	}
	return items;
}
