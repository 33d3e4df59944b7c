#!/usr/bin/env node
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli, UsageError } from '../tooling/cliArguments.js';
import { ensureTestModelDetailed } from '../tooling/testModels/ensureModel.js';
import { DEFAULT_ACTION_ROUNDS, DEFAULT_ACTION_TOKENS } from './actions/runActionsBench.js';
import { parseBenchOptions, USAGE, type BenchOptions, type ModelChoice } from './benchOptions.js';
import { machineInfo, nodeLlamaCppVersion } from './machine.js';
import { checkTargets, type Targets } from './metrics/targets.js';
import { machineSpeedChange, raceModel, type ModelRace } from './race/raceModel.js';
import { raceKernels } from './race/sameKernels.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { loadTraces } from './traces/loadTraces.js';
import { soakMain } from './soak/soakMain.js';
import { qualityMain } from './quality/qualityMain.js';
import { DOCUMENT_THIS_USAGE, documentThisMain, parseDocumentThisOptions } from './actions/documentThisMain.js';
import { parseQualityOptions, QUALITY_USAGE } from './quality/qualityOptions.js';
import type { ModelRunReport, WorkerJob, WorkerMessage } from './workerProtocol.js';
import { messageOf } from '../shared/errorMessage.js';
import { MODEL_PROCESS_EXEC_ARGV, modelProcessEnv } from '../shared/modelProcess.js';

/** How the numbers are defined, in the report itself, so that a JSON file read later still explains itself. */
const DEFINITIONS = {
	coldStart:
		'with warm-up (the default), one completion at the starting cursor from an empty KV cache before the first key, not counted in the other numbers (Hearth answers it from its small first prompt; the fill of the whole prompt that follows runs during the trace and counts there); the trace then measures typing in a file that was already open',
	keystroke:
		"one trace event: a typed key (Enter includes its auto-indentation), backspace, cursor move, Tab accept, paste, or a type-shown key (types the next character of the ghost text on screen, waiting for one as an accept does: the model's own suggestion typed out)",
	traces: 'ts-paused-typing and ts-thinking-typing (the race defaults) type the same 14 lines, key for key, with a thinking pause at every line end and after most punctuation: 2.5-4.5 s (enough for a fast model on both sides) and 12-16 s (enough for llama-server to answer a 1.5B model), so that each side delivers dozens of answers; ts-type-suggestions types what the model shows at six places (type-through with real suggestions: run it on the bundled model)',
	latencyMs:
		'key press to the settled result of a request the editor did not cancel (answers from the suggestion cache included); the editor and LSP hops are not part of it',
	requests:
		'the editor asks on every edit; the same scheduler as the language server answers: from earlier suggestions (cache), by following a running stream the typed text agrees with (joined), by a model run after the adaptive wait (model), or not at all when a newer key came during the wait (skipped)',
	modelCallsPerKeystroke: 'model runs started for requests (prefetches not counted) per keystroke',
	typeThrough:
		'keys that typed the next character of the ghost text on screen (the editor keeps showing its rest), and how many of them caused a model run; typedShown: type-shown keys, those that found no ghost text (missed) and how long they waited for one',
	suggestionShown:
		'share of keystrokes (edits that asked) that saw a suggestion on screen within 300 ms of the key: typed through one, or a non-empty answer delivered that fast; defined alike on both sides of the race',
	runs: "every model run in order, prefetches (the next suggestion computed as if the shown one were accepted) and fills (the whole prompt of a document first answered from its small first prompt) included; smallFirstPrompt: runs answered from that small prompt; token counts compare each run with the one before it whose KV state it found (a small-first-prompt run with the previous one, in the sequence beside the document's own)",
	newPerRun:
		"tokens of a run's prompt not in the previous run's prompt (insertions of the shortest edit script): what an engine that could shift KV entries would still have to evaluate",
	prefixReuseMinimumPerRun:
		"tokens after the prompt prefix shared with the previous run's prompt: the least an engine that keeps only the common prefix must evaluate",
	evaluatedPerRun:
		'prompt tokens that went through llama.cpp, counted per 64-token chunk, including chunks of runs that were then cancelled',
	computeBound:
		"new prompt tokens of the answering run / calibrated prompt speed + its generated tokens × calibrated seconds per generated token at the run's depth (its prompt length plus half its generated tokens; linear between calibration.generationTokensPerSecond, after a 255-token prompt, and calibration.deepGeneration, after a 1,535-token one, never below the faster), per delivered model answer; ratio = latency / bound (the adaptive wait is part of the latency)",
	latencyBreakdownMs:
		"where a delivered model answer's latency went (medians over answers their own run gave): beforeRun = latency − the run's time in the pipeline (the adaptive wait before it, the queue, delivery); toFirstToken = the run's start to its first generated token (the generation hold, the prompt's new tokens, the first decode); afterFirstToken = the rest of generation and post-processing; bound = the median compute bound beside them",
	cancelLatencyMs:
		'AbortController.abort() of a request to its settled promise: only how fast the request leaves, not when computing stops (see cancelToComputeStopMs)',
	cancelToComputeStopMs:
		"per model run that was cancelled: the editor's cancel (the last drop of a request the run answered; for a prefetch, the keystroke before the engine's abort) to the moment llama.cpp returned from its last batch or token for that run (CompletionStats.lastComputeEndedAt); 0 when it computed nothing after the cancel; p50/p95 over every cancelled run, also split by runs cancelled during prompt evaluation and during generation. On the race's llama-server side: a keystroke request VS Code cancelled while the server computed it, to the end of that computation (llama.vscode never aborts)",
	targets:
		"each target with its measured value, the count it rests on, and met: true/false, or null when there is nothing to judge (no samples; race latency and CPU with fewer than 30 answers on a side). Hearth's own over all traces: evaluated ÷ new ≤ 1.2, median latency ≤ 1.25 × compute bound, 0 model calls while typing through (count: type-through keys), cancel → compute stop p95 ≤ 50 ms (count: cancelled runs). Against llama-server as users run it, on the race's own traces where raced (otherwise every raced trace), the worst trace counting: latency p50 ≤ 1/3 and CPU ≤ 1/3, judged on the traces with ≥ 30 answers a side (null when none has: a server that answered a few times was saturated, and its CPU is the machine's), cold start ≤ 1.0×, peak RSS ≤ 1.0×",
	cpuSecondsPer100Keystrokes: 'process.cpuUsage() of the model worker (all llama.cpp threads) over the replay, per 100 keystrokes',
	process:
		"the model worker's memory settings, the language server's (src/shared/modelProcess.ts): its V8 options and MALLOC_ARENA_MAX, so that its peak RSS stands for the server's; weightsMapped: whether the weights file was mapped (with a GPU) or read into memory (on the CPU, where ggml copies the weights into its kernels' layout and a mapped file would stay resident beside that copy)",
	weights:
		"the shape models (0.5b, 1.5b, 1.5b-spm) have real shapes and tokenizers but random weights: the suggestions are noise and generation never stops on its own; 'bundled' is the trained starter model the extension ships, whose suggestions are real (type-through, prefetch and the cache do real work). Every request generates the full maxTokens on both sides (fixed length), unless post-processing cuts what is shown",
	actions:
		"after the traces, per model: a refactor-shaped chat request (system + user message with a real 74-line TypeScript method, getUrlComponents from test/fixtures/traces/sources/UrlString.ts) answered by the chat engine with maxTokens tokens, greedy, with tokenPredictor 'none' and then 'input-lookup' (node-llama-cpp's InputLookupTokenPredictor: the last generated tokens are looked up in the user message and up to 3 following tokens are verified in one batch). " +
		'Each mode has its own engine (its own KV state); after one warm-up run of each (not counted), the two run in alternating pairs (none then input-lookup, then the reverse, rounds times), so load changes on a shared machine fall on both; ' +
		'tokensPerSecond = generated tokens ÷ generation time (prompt evaluation excluded), the median of the measured runs; ratio = input-lookup ÷ none within each pair, the median of the pairs; predictions validated/refuted: of one measured run (greedy decoding repeats them). ' +
		'rewrite: free generation, whose acceptance is a lower bound (random weights do not copy their input). ' +
		"forcedCopy: the same request through the chat engine's generation path (LlamaChat, same wrapper and settings; the chat engine takes no grammar) with a GBNF grammar of token ids (llama.cpp's <[id]> elements) that forces the answer to be the input's fenced code, token for token as the user message has it, so every prediction is right; " +
		"node-llama-cpp 3.22.1 checks drafted tokens against a grammar state that does not advance between them, so under a grammar it drafts 1 token per step, and both modes pay the grammar check on every sampled token: the ratio is the predictor's ceiling under a grammar, not the mechanism's. " +
		"verificationCeiling: the mechanism's ceiling on this machine: the same copied tokens decoded after the same prompt with controlledEvaluate, one per step against batches of 1 + 3 (every prediction accepted), the next token sampled greedily at every position in both, no grammar, in alternating pairs as above",
	race:
		"with --race-llama-server, after Hearth's replays of a model: the raced traces (--traces, or ts-paused-typing and ts-thinking-typing) replayed in real time against a llama-server of the same llama.cpp, one fresh process per trace, with the model and thread count Hearth used, started as llama.vscode's README and launch commands start it: -ub 1024 -b 1024 --ctx-size 0 (the model's trained context) --cache-reuse 256, the server's default slots (no --parallel), no --spm-infill ('as-users-run-it', the configuration the targets use); for a model trained suffix-prefix-middle, a second, labelled run adds --spm-infill ('spm-infill'). Each configuration's server arguments and numbers are in race.configurations. On Linux llama-server computes with node-llama-cpp's prebuilt ggml, the CPU variant Hearth loads on the same machine (through LD_LIBRARY_PATH; race.kernels says which; --race-own-kernels: its own build), so that both sides multiply with the same kernels. " +
		"The client behaves as llama.vscode does by default: a provider call on every edit; POST /infill with whole lines around the cursor (256 before, 64 after, the cursor line's prefix as prompt), cache_prompt, llama.vscode's sampling (top_k 40, top_p 0.99, samplers top_k, top_p, infill), and as input_extra the same extra context Hearth's side has in its prompt (race.extraContext: Hearth's own selection, at the starting cursor, from the other trace sources as open files, 1,200 characters); no debounce; a call that finds the extension's request running waits for it, polling every 150 ms, until VS Code cancels it, and the running request is never aborted; answers cached per context and reused while typed through; after a shown suggestion at a line end, a request for the next one. " +
		'Both sides generate maxTokens per request (llama-server: n_predict = maxTokens, ignore_eos, no time or indentation stop, and no infill sampler, which on random weights answers end-of-text at the first token whatever ignore_eos says; Hearth decodes greedily); a server answer of fewer tokens stops the race with an error. ' +
		'Latency and the other side-by-side numbers are defined alike (key press to a delivered answer, with the count of answers; first key to last answer; prompt tokens through llama.cpp; CPU of the model process from /proc or process.cpuUsage(); peak RSS; cold start; cancel → compute stop p95; share of keys with a suggestion within 300 ms); ratios are Hearth ÷ llama-server, target ≤ 1/3 for latency and CPU (with ≥ 30 answers a side). ' +
		"race.machineSpeed: Hearth's calibration before its replays and the same calibration again after the server's (a fresh worker), with the change in each speed; drifted when either moved by more than a tenth, so that a ratio near a target may be the machine's",
	engine: "'current', or 'legacy' (--engine legacy): the engine before issue 21's speed changes (64-token prompt chunks, 30 ms grace before an orphaned run is stopped, generation never held back, the whole prompt on a cold cache instead of a small first one, prefetches whether or not they are used), for before/after runs on the same code",
};

async function main(argv: string[]): Promise<number> {
	if (argv.includes('--document-this')) {
		const documentThis = parseDocumentThisOptions(argv);
		if (documentThis === 'help') {
			console.log(DOCUMENT_THIS_USAGE);
			return 0;
		}
		return documentThisMain(documentThis);
	}
	if (argv.includes('--quality')) {
		const quality = parseQualityOptions(argv);
		if (quality === 'help') {
			console.log(QUALITY_USAGE);
			return 0;
		}
		return qualityMain(quality);
	}
	const options = parseBenchOptions(argv);
	if (options === 'help') {
		console.log(USAGE);
		return 0;
	}
	if (options.soak) {
		return soakMain(options, options.soak);
	}
	const traceNames = selectTraces(options);
	const startedAt = new Date();
	const machine = machineInfo();
	const models: (
		| (ModelRunReport & {
				label: string;
				modelFile: { generated: boolean; generateMs: number } | null;
				targets?: Targets;
				race?: ModelRace | { error: string };
		  })
		| { label: string; error: string }
	)[] = [];
	// Without --traces the race runs only its paused traces; each raced trace takes its real typing time.
	const raceTraces = options.traces ? traceNames : traceNames.filter((name) => RACE_TRACES.includes(name));
	for (const choice of options.models) {
		progress(`model ${choice.label}`);
		try {
			const { modelPath, modelFile } = await prepareModel(choice);
			const job: WorkerJob = {
				modelPath,
				traceNames,
				replay: {
					maxTokens: options.maxTokens,
					mode: options.mode,
					maxEvents: options.maxEvents,
					acceptWaitLimitMs: 60_000,
					drainLimitMs: 120_000,
					warmUp: options.warmUp,
					debounce: { minMs: 0, maxMs: options.debounceMaxMs },
					prefetch: options.prefetch,
				},
				threads: options.threads,
				contextSize: options.contextSize,
				perRequest: options.perRequest,
				legacyEngine: options.legacyEngine,
				decodeAbort: options.decodeAbort,
				actions: options.sections.actions ? { maxTokens: DEFAULT_ACTION_TOKENS, rounds: DEFAULT_ACTION_ROUNDS } : undefined,
			};
			const report = await runWorker(job);
			const race =
				options.raceLlamaServer && raceTraces.length > 0
					? await raceAgainstLlamaServer(options, options.raceLlamaServer, report, raceTraces, job)
					: undefined;
			models.push({
				label: choice.label,
				modelFile,
				...(report.allTraces ? { targets: checkTargets(report.allTraces, race, RACE_TRACES) } : {}),
				...report,
				...(race ? { race } : {}),
			});
		} catch (error) {
			const message = messageOf(error);
			progress(`model ${choice.label} failed: ${message}`);
			models.push({ label: choice.label, error: message });
		}
	}
	const report = {
		benchmark: 'hearth typing-trace replay',
		startedAt: startedAt.toISOString(),
		durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
		machine,
		nodeLlamaCpp: nodeLlamaCppVersion(),
		options: {
			traces: traceNames,
			quick: options.quick,
			maxEvents: options.maxEvents ?? null,
			maxTokens: options.maxTokens,
			mode: options.mode,
			warmUp: options.warmUp,
			debounceMaxMs: options.debounceMaxMs,
			prefetch: options.prefetch,
			threads: options.threads ?? 'machine cores',
			contextSize: options.contextSize ?? 'engine default',
			sections: options.sections,
			raceLlamaServer: options.raceLlamaServer ?? null,
			raceOwnKernels: options.raceOwnKernels,
			engine: options.legacyEngine ? 'legacy' : options.decodeAbort ? 'current' : 'no-decode-abort',
			actionTokens: options.sections.actions ? DEFAULT_ACTION_TOKENS : null,
			actionRounds: options.sections.actions ? DEFAULT_ACTION_ROUNDS : null,
		},
		definitions: DEFINITIONS,
		models,
	};
	const json = JSON.stringify(report, null, 2) + '\n';
	process.stdout.write(json);
	if (options.out) {
		fs.writeFileSync(options.out, json);
		progress(`report written to ${options.out}`);
	}
	return models.every((model) => !('error' in model) && !(model.race && 'error' in model.race)) ? 0 : 1;
}

/** The race on one model; a failure is reported in its place, and Hearth's numbers stand. */
async function raceAgainstLlamaServer(
	options: BenchOptions,
	binary: string,
	report: ModelRunReport,
	raceTraces: string[],
	job: WorkerJob,
): Promise<ModelRace | { error: string }> {
	progress(`racing llama-server (${binary}) on ${raceTraces.join(', ')}`);
	try {
		const kernels = await raceKernels(projectRoot(), options.raceOwnKernels);
		progress(`llama-server computes with ${kernels.description}`);
		const race = await raceModel(
			binary,
			kernels,
			report,
			raceTraces,
			{
				maxTokens: options.maxTokens,
				maxEvents: options.maxEvents,
				warmUp: options.warmUp,
				acceptWaitLimitMs: 60_000,
				drainLimitMs: 120_000,
			},
			progress,
			options.raceConfigurations,
		);
		// The two sides ran minutes apart: the same calibration once more says how far the machine's speed moved.
		progress('calibrating again after the server replays');
		const after = await runWorker({ ...job, traceNames: [], actions: undefined });
		return { ...race, machineSpeed: machineSpeedChange(report.calibration, after.calibration) };
	} catch (error) {
		const message = messageOf(error);
		progress(`race failed: ${message}`);
		return { error: message };
	}
}

/**
 * The race's default traces, the same keys with thinking pauses of 2.5-4.5 s and of 12-16 s: the
 * first gives a fast model's peer dozens of answers, the second a 1.5B model's (llama-server needs
 * 6-10 s an answer there).
 */
const RACE_TRACES: readonly string[] = ['ts-paused-typing', 'ts-thinking-typing'];

function selectTraces(options: BenchOptions): string[] {
	if (!options.sections.traces) {
		return [];
	}
	const available = loadTraces().map((trace) => trace.name);
	if (!options.traces) {
		return available;
	}
	const unknown = options.traces.filter((name) => !available.includes(name));
	if (unknown.length > 0) {
		throw new UsageError(`Unknown trace ${unknown.join(', ')}; the traces are ${available.join(', ')}`);
	}
	return options.traces;
}

/** Generated in this process, so that writing a 1.6 GB model file does not count in the worker's peak RSS. */
async function prepareModel(
	choice: ModelChoice,
): Promise<{ modelPath: string; modelFile: { generated: boolean; generateMs: number } | null }> {
	if ('path' in choice) {
		return { modelPath: choice.path, modelFile: null };
	}
	const ensured = await ensureTestModelDetailed(choice.preset, { quantization: 'Q8_0' });
	if (ensured.generated) {
		progress(`generated ${ensured.path} in ${Math.round(ensured.milliseconds)} ms`);
	}
	return { modelPath: ensured.path, modelFile: { generated: ensured.generated, generateMs: Math.round(ensured.milliseconds) } };
}

function runWorker(job: WorkerJob): Promise<ModelRunReport> {
	const workerPath = fileURLToPath(new URL('./modelWorker.js', import.meta.url));
	// The worker's stdout goes to our stderr: stdout carries nothing but the report. It runs with the
	// language server's memory settings (V8 options, malloc arenas): its peak RSS stands for the server's.
	const worker = fork(workerPath, [], {
		stdio: ['ignore', 2, 'inherit', 'ipc'],
		execArgv: [...MODEL_PROCESS_EXEC_ARGV],
		env: modelProcessEnv(process.env),
	});
	return new Promise((resolve, reject) => {
		let answered = false;
		worker.once('message', (message: WorkerMessage) => {
			answered = true;
			if (message.ok) {
				resolve(message.report);
			} else {
				reject(new Error(message.error));
			}
		});
		worker.once('error', reject);
		worker.once('exit', (code, signal) => {
			if (!answered) {
				reject(new Error(`the model worker exited (${signal ?? `code ${code}`}) without a report`));
			}
		});
		worker.send(job);
	});
}

function progress(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => `Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
);
