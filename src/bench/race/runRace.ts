import os from 'node:os';
import path from 'node:path';
import type { Trace } from '../traces/traceTypes.js';
import { httpInfillClient } from './infillClient.js';
import { raceSampling } from './infillRequest.js';
import { LLAMA_VSCODE_DEFAULTS, LLAMA_VSCODE_SERVER_FLAGS, type LlamaVscodeSettings } from './llamaVscodeSettings.js';
import { startLlamaServer } from './llamaServerProcess.js';
import type { RaceKernels } from './sameKernels.js';
import { replayLlamaVscode } from './replayLlamaVscode.js';
import { summarizeServerReplay, type ServerTraceSummary } from './summarizeServerReplay.js';

/** How llama-server is started for one run of the race. */
export interface RaceConfiguration {
	label: 'as-users-run-it' | 'spm-infill';
	description: string;
	/** --ctx-size (0: the model's trained context). */
	contextSize: number;
	/** --parallel; absent: the server's default slots. */
	parallel?: number;
	spmInfill: boolean;
}

/**
 * The peer as llama.vscode's users run it, and, for a model trained suffix-prefix-middle, a
 * separate run with --spm-infill (which llama.vscode's commands do not pass), labelled as such.
 */
export function raceConfigurations(spmModel: boolean): RaceConfiguration[] {
	const asUsersRunIt: RaceConfiguration = {
		label: 'as-users-run-it',
		description:
			"llama.vscode's launch command: -ub 1024 -b 1024 --ctx-size 0 (the model's trained context) --cache-reuse 256, the server's default slots, no --spm-infill",
		contextSize: LLAMA_VSCODE_SERVER_FLAGS.contextSize,
		spmInfill: false,
	};
	if (!spmModel) {
		return [asUsersRunIt];
	}
	return [
		asUsersRunIt,
		{
			...asUsersRunIt,
			label: 'spm-infill',
			description: `${asUsersRunIt.description.replace(', no --spm-infill', '')}, plus --spm-infill (not in llama.vscode's commands; shown for a model trained suffix-prefix-middle)`,
			spmInfill: true,
		},
	];
}

export interface RaceJob {
	binary: string;
	/** The CPU kernels llama-server computes with (sameKernels.ts). */
	kernels: RaceKernels;
	modelPath: string;
	threads: number;
	configurations: readonly RaceConfiguration[];
	traces: readonly Trace[];
	/** The extra context of a trace, sent as input_extra (what Hearth's side had in its prompt). */
	inputExtra: (trace: Trace) => readonly { filename: string; text: string }[];
	replay: { maxTokens: number; maxEvents?: number; warmUp: boolean; acceptWaitLimitMs: number; drainLimitMs: number };
	settings?: LlamaVscodeSettings;
}

export type ServerTraceReport = ServerTraceSummary & { loadMs: number; peakRssMiB: number | null; logFile: string };

export interface ConfigurationRun {
	configuration: RaceConfiguration;
	serverArgs: readonly string[];
	traces: ServerTraceReport[];
}

export interface LlamaServerRaceReport {
	binary: string;
	kernels: string;
	settings: LlamaVscodeSettings;
	serverFlags: typeof LLAMA_VSCODE_SERVER_FLAGS;
	/** What the race sent: llama.vscode's sampling, without the infill sampler under the fixed-length rule. */
	sampling: ReturnType<typeof raceSampling>;
	configurations: ConfigurationRun[];
}

/**
 * Replays each trace against a llama-server of its own per configuration (a fresh process per
 * trace: an empty KV cache like Hearth's cleared sequences, and a peak RSS that is this trace's),
 * started with the same model and threads as Hearth's run.
 */
export async function runLlamaServerRace(job: RaceJob, progress: (message: string) => void): Promise<LlamaServerRaceReport> {
	const settings = job.settings ?? LLAMA_VSCODE_DEFAULTS;
	const configurations: ConfigurationRun[] = [];
	for (const configuration of job.configurations) {
		const traces: ServerTraceReport[] = [];
		let serverArgs: readonly string[] = [];
		for (const trace of job.traces) {
			const logFile = path.join(os.tmpdir(), `hearth-race-llama-server-${process.pid}-${configuration.label}-${trace.name}.log`);
			const loadStartedAt = performance.now();
			const server = await startLlamaServer({
				binary: job.binary,
				modelPath: job.modelPath,
				threads: job.threads,
				contextSize: configuration.contextSize,
				parallel: configuration.parallel,
				spmInfill: configuration.spmInfill,
				logFile,
				libraryPath: job.kernels.libraryPath,
			});
			const loadMs = Math.round(performance.now() - loadStartedAt);
			serverArgs = server.args;
			try {
				progress(
					`llama-server ${configuration.label} (pid ${server.pid}) ready in ${loadMs} ms; replaying ${trace.name} as llama.vscode`,
				);
				const replay = await replayLlamaVscode(trace, httpInfillClient(server.url), {
					...job.replay,
					fixedLength: true,
					settings,
					cpuSeconds: () => server.cpuSeconds(),
					inputExtra: job.inputExtra(trace),
				});
				const summary = summarizeServerReplay(replay);
				traces.push({ ...summary, loadMs, peakRssMiB: server.peakRssMiB(), logFile });
				progress(
					`llama-server ${configuration.label} ${trace.name}: ${summary.keystrokes} keys, ${summary.serverRequests.requests} requests + ${summary.serverRequests.prefetches} prefetches ` +
						`(${summary.serverRequests.stale} stale), ${summary.outcomes.delivered} delivered, latency p50 ${summary.latencyMs.p50} ms, ` +
						`${summary.promptTokens.evaluated} prompt tokens, ${summary.cpuSeconds} CPU s`,
				);
			} finally {
				await server.stop();
			}
		}
		configurations.push({ configuration, serverArgs, traces });
	}
	return {
		binary: job.binary,
		kernels: job.kernels.description,
		settings,
		serverFlags: LLAMA_VSCODE_SERVER_FLAGS,
		sampling: raceSampling(true),
		configurations,
	};
}
