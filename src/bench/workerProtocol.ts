import type { ModelInfo } from '../engine/runtime/modelInfo.js';
import type { RequestRow, RunRow } from './metrics/requestRows.js';
import type { TraceSummary } from './metrics/summarizeTrace.js';
import type { Calibration } from './replay/calibrate.js';
import type { ReplayOptions } from './replay/replayTrace.js';

/** What the main process asks one model worker to do (one process per model, for a clean peak RSS). */
export interface WorkerJob {
	modelPath: string;
	traceNames: string[];
	replay: ReplayOptions;
	threads?: number;
	contextSize?: number;
	perRequest: boolean;
}

export type TraceReport = TraceSummary & { requestRows?: RequestRow[]; runRows?: RunRow[] };

export interface ModelRunReport {
	model: ModelInfo;
	loadMs: number;
	calibration: Calibration;
	rssAfterLoadMiB: number;
	/** process.resourceUsage().maxRSS of the worker, which only ever held this model. */
	peakRssMiB: number;
	/** Every trace pooled: enough delivered answers for percentiles that mean something. */
	allTraces: TraceSummary;
	traces: TraceReport[];
}

export type WorkerMessage = { ok: true; report: ModelRunReport } | { ok: false; error: string };
