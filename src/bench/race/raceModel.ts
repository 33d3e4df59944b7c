import { traceExtraContext } from '../replay/traceExtraContext.js';
import { loadTraces } from '../traces/loadTraces.js';
import type { ModelRunReport } from '../workerProtocol.js';
import { compareRace, hearthSide, serverSide, type RaceComparison } from './compareRace.js';
import { raceConfigurations, runLlamaServerRace, type RaceConfiguration, type RaceJob, type ServerTraceReport } from './runRace.js';
import type { LlamaVscodeSettings } from './llamaVscodeSettings.js';
import type { RaceKernels } from './sameKernels.js';

/** One way of starting llama-server, its numbers per trace, and Hearth lined up against them. */
export interface RaceConfigurationReport {
	label: RaceConfiguration['label'];
	description: string;
	serverArgs: readonly string[];
	traces: ServerTraceReport[];
	/** Per raced trace: both sides' numbers and Hearth ÷ llama-server. */
	comparison: RaceComparison[];
}

/** The "race" section of one model in the bench report. */
export interface ModelRace {
	binary: string;
	/** Whose CPU kernels llama-server computed with: node-llama-cpp's own where they can be shared. */
	kernels: string;
	/** llama.vscode's client behaviour and request sampling, the same in every configuration. */
	client: { settings: LlamaVscodeSettings; sampling: Record<string, unknown>; serverFlags: Record<string, unknown> };
	/** Per trace: the extra context both sides had (Hearth in its prompt, llama-server as input_extra). */
	extraContext: { trace: string; chunks: number; chars: number }[];
	/** The configuration the targets are checked on: llama-server as llama.vscode's users run it. */
	comparison: RaceComparison[];
	/** Every configuration run, 'as-users-run-it' first; SPM models add a labelled 'spm-infill' run. */
	configurations: RaceConfigurationReport[];
}

/**
 * Races llama-server on the traces Hearth just replayed on this model, started as llama.vscode's
 * users start it (and, for an SPM model, once more with --spm-infill), with Hearth's thread count
 * and the same extra context, then lines the two up trace by trace.
 */
export async function raceModel(
	binary: string,
	kernels: RaceKernels,
	hearth: ModelRunReport,
	traceNames: readonly string[],
	replay: RaceJob['replay'],
	progress: (message: string) => void,
	/** Only these configurations (absent: every one that applies to the model). */
	only?: readonly string[],
): Promise<ModelRace> {
	const traces = loadTraces().filter((trace) => traceNames.includes(trace.name));
	const extra = new Map(traces.map((trace) => [trace.name, traceExtraContext(trace)]));
	const report = await runLlamaServerRace(
		{
			binary,
			kernels,
			modelPath: hearth.model.path,
			threads: hearth.model.threads,
			configurations: raceConfigurations(hearth.model.fimOrder === 'spm').filter(
				(configuration) => only === undefined || only.includes(configuration.label),
			),
			traces,
			inputExtra: (trace) => (extra.get(trace.name) ?? []).map((chunk) => ({ filename: chunk.path, text: chunk.text })),
			replay,
		},
		progress,
	);
	const configurations = report.configurations.map((run) => ({
		label: run.configuration.label,
		description: run.configuration.description,
		serverArgs: run.serverArgs,
		traces: run.traces,
		comparison: run.traces.flatMap((server) => {
			const ours = hearth.traces.find((trace) => trace.trace === server.trace);
			return ours ? [compareRace(server.trace, hearthSide(ours, hearth.peakRssMiB), serverSide(server, server.peakRssMiB))] : [];
		}),
	}));
	return {
		binary,
		kernels: report.kernels,
		client: { settings: report.settings, sampling: { ...report.sampling }, serverFlags: { ...report.serverFlags } },
		extraContext: [...extra].map(([trace, chunks]) => ({
			trace,
			chunks: chunks.length,
			chars: chunks.reduce((total, chunk) => total + chunk.text.length, 0),
		})),
		comparison: configurations[0]?.comparison ?? [],
		configurations,
	};
}
