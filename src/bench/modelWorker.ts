import { preloadSyntaxCheck } from '../engine/syntax/syntaxCheck.js';
import { stderrLogger } from '../engine/logger.js';
import { CompletionEngine } from '../engine/runtime/completionEngine.js';
import { loadModel } from '../engine/runtime/loadModel.js';
import { CompletionScheduler } from '../engine/scheduling/completionScheduler.js';
import { rewriteRequest } from './actions/rewriteRequest.js';
import { runActionsBench } from './actions/runActionsBench.js';
import { requestRows, runRows, type RequestRow, type RunRow } from './metrics/requestRows.js';
import { combineReplays, summarizeTrace } from './metrics/summarizeTrace.js';
import { calibrate } from './replay/calibrate.js';
import { replayTrace, RunLog, type ReplayResult } from './replay/replayTrace.js';
import { loadTraces } from './traces/loadTraces.js';
import { traceExtraContext } from './replay/traceExtraContext.js';
import type { ModelRunReport, TraceReport, WorkerJob, WorkerMessage } from './workerProtocol.js';

/**
 * Child process of `npm run bench`: loads one model, measures its speeds, replays the traces on it,
 * then measures the rewrite actions' speculative decoding (the "actions" section).
 * A process of its own per model, so that each model's peak RSS is its own.
 */
async function runJob(job: WorkerJob): Promise<ModelRunReport> {
	const logger = stderrLogger({ verbose: false });
	const traces = loadTraces().filter((trace) => job.traceNames.includes(trace.name));
	const loadStartedAt = performance.now();
	const loaded = await loadModel({ modelPath: job.modelPath, threads: job.threads, contextSize: job.contextSize, gpu: 'auto', logger });
	const loadMs = performance.now() - loadStartedAt;
	const rssAfterLoadMiB = mib(process.memoryUsage().rss);
	try {
		progress(
			`${loaded.info.displayName}: ${loaded.info.threads} threads, ${loaded.info.backend}, FIM ${loaded.info.fimFamily} (${loaded.info.fimOrder}); calibrating`,
		);
		const calibration = await calibrate(loaded.model, loaded.sequences[0]!, traces[0]?.initialText ?? rewriteRequest().source.code);
		progress(`prompt ${calibration.promptTokensPerSecond} tokens/s, generation ${calibration.generationTokensPerSecond} tokens/s`);

		const reports: TraceReport[] = [];
		/** Whether the engine stopped decodes in flight (Hearth's addon build, not switched off). */
		let decodeAbort = false;
		const replays: ReplayResult[] = [];
		const allRows: RequestRow[] = [];
		const allRuns: RunRow[] = [];
		for (const trace of traces) {
			// Every trace starts like a freshly opened file: empty KV caches, empty suggestion cache.
			for (const sequence of loaded.sequences) {
				await sequence.clearHistory();
			}
			// --engine legacy: the engine as it was before issue 21 (fixed 64-token prompt chunks, the prompt's
			// last token alone with the first generated one, a 30 ms grace before an orphaned run stops,
			// generation never held back, the whole prompt on a cold cache, prefetches whether or not they are used).
			const legacy = job.legacyEngine === true;
			const engine = new CompletionEngine(loaded, logger, {
				keepPromptTokens: true,
				decodeAbort: job.decodeAbort !== false,
				...(legacy ? { promptChunkTokens: 64, smallFirstPromptTokens: 0, lastBatchWithFirstToken: false } : {}),
			});
			decodeAbort = engine.abortsDecodes;
			const runLog = new RunLog();
			const scheduler = new CompletionScheduler(engine, {
				onRunFinished: runLog.onRunFinished,
				...(legacy ? { orphanGraceMs: 30, holdGeneration: false, stopUnusedPrefetches: false } : {}),
			});
			// The file is opened: the language server loads the parser its suggestions are checked with now.
			await preloadSyntaxCheck(trace.filePath);
			const replay = await replayTrace(trace, scheduler, runLog, job.replay, traceExtraContext(trace));
			scheduler.dispose();
			const runs = runRows(replay.runs);
			const runsById = new Map(runs.map((run) => [run.id, run]));
			const rows = requestRows(replay.requests, runsById, calibration);
			const warmUpRequest = replay.warmUp ? requestRows([replay.warmUp], runsById, calibration)[0] : undefined;
			const warmUpRun = replay.warmUp?.runId === undefined ? undefined : runsById.get(replay.warmUp.runId);
			const typingRuns = runs.filter((run) => run !== warmUpRun);
			const summary = summarizeTrace({
				replay,
				requests: rows,
				runs: typingRuns,
				warmUp: warmUpRequest && { request: warmUpRequest, run: warmUpRun },
				speeds: calibration,
			});
			replays.push(replay);
			allRows.push(...rows);
			allRuns.push(...typingRuns);
			reports.push(job.perRequest ? { ...summary, requestRows: rows, runRows: runs } : summary);
			progress(
				`${trace.name}: ${summary.keystrokes} keys, ${summary.requests} requests, ${summary.outcomes.delivered} delivered, ` +
					`latency p50 ${summary.latencyMs.p50} ms, evaluated/new ${summary.promptTokens.evaluatedToNewRatio}, bound ratio ${summary.computeBound.medianRatio}`,
			);
		}
		// Before the actions, whose chat contexts are memory the completion path never uses.
		const peakRssMiB = mib(process.resourceUsage().maxRSS * 1024);
		const actions = job.actions && (await runActionsBench(loaded, logger, job.actions, progress));
		return {
			model: loaded.info,
			loadMs: Math.round(loadMs),
			calibration,
			rssAfterLoadMiB,
			decodeAbort,
			peakRssMiB,
			process: {
				execArgv: process.execArgv,
				mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
				weightsMapped: loaded.model.useMmap,
			},
			allTraces:
				replays.length > 0
					? summarizeTrace({
							replay: combineReplays('all traces', replays),
							requests: allRows,
							runs: allRuns,
							speeds: calibration,
						})
					: undefined,
			traces: reports,
			...(actions ? { actions } : {}),
		};
	} finally {
		await loaded.dispose();
	}
}

function mib(bytes: number): number {
	return Math.round(bytes / 1024 ** 2);
}

function progress(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

function reply(message: WorkerMessage): void {
	// Exit only once the message is out: llama.cpp's threads would otherwise keep the process alive.
	process.send!(message, () => process.exit(message.ok ? 0 : 1));
}

// Without the main process nobody reads the report: stop instead of running minutes of inference.
process.once('disconnect', () => process.exit(1));

process.once('message', (job: WorkerJob) => {
	runJob(job).then(
		(report) => reply({ ok: true, report }),
		(error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
	);
});
