import type { ModelSpeeds } from '../metrics/computeBound.js';
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
	/** Hearth's calibration before its replays and again after the server's: how far the machine's speed moved in between. */
	machineSpeed?: MachineSpeedChange;
}

/** The same calibration before Hearth's replays and after llama-server's, tokens/s. */
export interface MachineSpeedChange {
	beforeHearth: { promptTokensPerSecond: number; generationTokensPerSecond: number };
	afterServer: { promptTokensPerSecond: number; generationTokensPerSecond: number };
	/** after ÷ before − 1, e.g. −0.2: the machine was 20 % slower when the server's side ended. */
	promptChange: number;
	generationChange: number;
	/**
	 * Whether the machine's speed moved by more than a tenth in either measure: then a ratio near a
	 * target may be the machine's and not either side's.
	 */
	drifted: boolean;
}

/** Machine drift between the two sides of a race, from two runs of the same calibration. */
export function machineSpeedChange(before: ModelSpeeds, after: ModelSpeeds): MachineSpeedChange {
	const change = (from: number, to: number) => Math.round((to / from - 1) * 1000) / 1000;
	const promptChange = change(before.promptTokensPerSecond, after.promptTokensPerSecond);
	const generationChange = change(before.generationTokensPerSecond, after.generationTokensPerSecond);
	const speeds = ({ promptTokensPerSecond, generationTokensPerSecond }: ModelSpeeds) => ({
		promptTokensPerSecond,
		generationTokensPerSecond,
	});
	return {
		beforeHearth: speeds(before),
		afterServer: speeds(after),
		promptChange,
		generationChange,
		drifted: Math.abs(promptChange) > MACHINE_DRIFT_LIMIT || Math.abs(generationChange) > MACHINE_DRIFT_LIMIT,
	};
}

/** A change of machine speed beyond this share between a race's two sides is reported as drift. */
export const MACHINE_DRIFT_LIMIT = 0.1;

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
