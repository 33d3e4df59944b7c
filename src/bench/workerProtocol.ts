import type { ModelInfo } from '../engine/runtime/modelInfo.js';
import type { ActionsReport } from './actions/actionsReport.js';
import type { ActionsBenchOptions } from './actions/runActionsBench.js';
import type { RequestRow, RunRow } from './metrics/requestRows.js';
import type { TraceSummary } from './metrics/summarizeTrace.js';
import type { Calibration } from './replay/calibrate.js';
import type { ReplayOptions } from './replay/replayTrace.js';

/** What the main process asks one model worker to do (one process per model, for a clean peak RSS). */
export interface WorkerJob {
	modelPath: string;
	/** Empty: no trace replay (the calibration still runs, as the reference speed). */
	traceNames: string[];
	replay: ReplayOptions;
	/** The actions section, run after the traces; absent: skipped. */
	actions?: ActionsBenchOptions;
	threads?: number;
	contextSize?: number;
	perRequest: boolean;
	/** The engine as it was before issue 21's speed changes, for a before/after run on the same code. */
	legacyEngine?: boolean;
	/** False: a cancellation never stops a decode in flight (--engine legacy or no-decode-abort). */
	decodeAbort?: boolean;
}

export type TraceReport = TraceSummary & { requestRows?: RequestRow[]; runRows?: RunRow[] };

export interface ModelRunReport {
	model: ModelInfo;
	loadMs: number;
	calibration: Calibration;
	rssAfterLoadMiB: number;
	/** Whether a cancellation stopped llama.cpp inside a decode (Hearth's decode abort module, and not --engine legacy or no-decode-abort). */
	decodeAbort: boolean;
	/** process.resourceUsage().maxRSS of the worker, which only ever held this model, taken before the actions section. */
	peakRssMiB: number;
	/**
	 * The worker's memory settings, the language server's (src/shared/modelProcess.ts): V8 options and
	 * glibc's malloc arenas; and whether the weights file was mapped or read (loadModel's weightsMapped).
	 */
	process: { execArgv: string[]; mallocArenaMax: string | null; weightsMapped: boolean };
	/** Every trace pooled: enough delivered answers for percentiles that mean something. Absent when no trace ran. */
	allTraces?: TraceSummary;
	traces: TraceReport[];
	actions?: ActionsReport;
}

export type WorkerMessage = { ok: true; report: ModelRunReport } | { ok: false; error: string };
