import { loadTraces } from '../traces/loadTraces.js';
import type { ModelRunReport } from '../workerProtocol.js';
import { compareRace, hearthSide, serverSide, type RaceComparison } from './compareRace.js';
import { runLlamaServerRace, type LlamaServerRaceReport, type RaceJob } from './runRace.js';

/** The "race" section of one model in the bench report. */
export interface ModelRace {
	llamaServer: LlamaServerRaceReport;
	/** Per raced trace: both sides' numbers and Hearth ÷ llama-server. */
	comparison: RaceComparison[];
}

/**
 * Races llama-server on the traces Hearth just replayed on this model, with the settings Hearth's
 * engine really used (its thread count and context size as loaded, its FIM order), then lines the
 * two up trace by trace.
 */
export async function raceModel(
	binary: string,
	hearth: ModelRunReport,
	traceNames: readonly string[],
	replay: RaceJob['replay'],
	progress: (message: string) => void,
): Promise<ModelRace> {
	const traces = loadTraces().filter((trace) => traceNames.includes(trace.name));
	const llamaServer = await runLlamaServerRace(
		{
			binary,
			modelPath: hearth.model.path,
			threads: hearth.model.threads,
			contextSize: hearth.model.contextSize,
			spmInfill: hearth.model.fimOrder === 'spm',
			traces,
			replay,
		},
		progress,
	);
	const comparison = llamaServer.traces.flatMap((server) => {
		const ours = hearth.traces.find((trace) => trace.trace === server.trace);
		return ours ? [compareRace(server.trace, hearthSide(ours, hearth.peakRssMiB), serverSide(server, server.peakRssMiB))] : [];
	});
	return { llamaServer, comparison };
}
