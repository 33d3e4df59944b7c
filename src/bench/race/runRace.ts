import os from 'node:os';
import path from 'node:path';
import type { Trace } from '../traces/traceTypes.js';
import { httpInfillClient } from './infillClient.js';
import { LLAMA_VSCODE_DEFAULTS, LLAMA_VSCODE_SERVER_FLAGS, type LlamaVscodeSettings } from './llamaVscodeSettings.js';
import { startLlamaServer } from './llamaServerProcess.js';
import { replayLlamaVscode } from './replayLlamaVscode.js';
import { summarizeServerReplay, type ServerTraceSummary } from './summarizeServerReplay.js';

export interface RaceJob {
	binary: string;
	modelPath: string;
	threads: number;
	contextSize: number;
	spmInfill: boolean;
	traces: readonly Trace[];
	replay: { maxTokens: number; maxEvents?: number; warmUp: boolean; acceptWaitLimitMs: number; drainLimitMs: number };
	settings?: LlamaVscodeSettings;
}

export interface LlamaServerRaceReport {
	binary: string;
	serverArgs: readonly string[];
	settings: LlamaVscodeSettings;
	serverFlags: typeof LLAMA_VSCODE_SERVER_FLAGS;
	traces: (ServerTraceSummary & { loadMs: number; peakRssMiB: number | null; logFile: string })[];
}

/**
 * Replays each trace against a llama-server of its own (a fresh process per trace: an empty KV
 * cache like Hearth's cleared sequences, and a peak RSS that is this trace's), started with the
 * same model, threads and context size as Hearth's run.
 */
export async function runLlamaServerRace(job: RaceJob, progress: (message: string) => void): Promise<LlamaServerRaceReport> {
	const settings = job.settings ?? LLAMA_VSCODE_DEFAULTS;
	const traces: LlamaServerRaceReport['traces'] = [];
	let serverArgs: readonly string[] = [];
	for (const trace of job.traces) {
		const logFile = path.join(os.tmpdir(), `hearth-race-llama-server-${process.pid}-${trace.name}.log`);
		const loadStartedAt = performance.now();
		const server = await startLlamaServer({
			binary: job.binary,
			modelPath: job.modelPath,
			threads: job.threads,
			contextSize: job.contextSize,
			spmInfill: job.spmInfill,
			logFile,
		});
		const loadMs = Math.round(performance.now() - loadStartedAt);
		serverArgs = server.args;
		try {
			progress(`llama-server (pid ${server.pid}) ready in ${loadMs} ms; replaying ${trace.name} as llama.vscode`);
			const replay = await replayLlamaVscode(trace, httpInfillClient(server.url), {
				...job.replay,
				fixedLength: true,
				settings,
				cpuSeconds: () => server.cpuSeconds(),
			});
			const summary = summarizeServerReplay(replay);
			traces.push({ ...summary, loadMs, peakRssMiB: server.peakRssMiB(), logFile });
			progress(
				`llama-server ${trace.name}: ${summary.keystrokes} keys, ${summary.serverRequests.requests} requests + ${summary.serverRequests.prefetches} prefetches ` +
					`(${summary.serverRequests.stale} stale), ${summary.outcomes.delivered} delivered, latency p50 ${summary.latencyMs.p50} ms, ` +
					`${summary.promptTokens.evaluated} prompt tokens, ${summary.cpuSeconds} CPU s`,
			);
		} finally {
			await server.stop();
		}
	}
	return { binary: job.binary, serverArgs, settings, serverFlags: LLAMA_VSCODE_SERVER_FLAGS, traces };
}
