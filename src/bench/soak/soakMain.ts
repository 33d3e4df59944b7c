import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../tooling/cliArguments.js';
import { projectRoot } from '../../tooling/projectRoot.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../shared/bundledModel.js';
import { DEFAULT_SETTINGS, type HearthSettings } from '../../shared/settings.js';
import type { BenchOptions } from '../benchOptions.js';
import { machineInfo, nodeLlamaCppVersion } from '../machine.js';
import { loadTraces } from '../traces/loadTraces.js';
import { FLAT_SLOPE_MIB_PER_10_MIN, MIN_FIT_SAMPLES } from './rssCurve.js';
import { runSoak } from './runSoak.js';

const DEFINITIONS = {
	soak: 'the bundled language server (dist/server.mjs) forked with Node IPC and spoken to over LSP like the editor does, with the user-facing default settings (prefetch and extra context on) and the bundled model; the typing traces replayed in real time one after another in a loop (each pass opens the file under a new URI and closes it at the end), every edit sending didChange and an inline completion request and cancelling the previous one',
	curve: "the server process's VmRSS from /proc/PID/status, in MiB, every sampleEverySeconds, t in seconds since the model was ready",
	slopeMiBPer10Min: `least-squares slope of rss over t, over the samples of the second half of the run (the first half lets caches and the allocator settle), times 600 s; verdict "flat" when below ${FLAT_SLOPE_MIB_PER_10_MIN} MiB per 10 minutes, "growing" otherwise, "too-short" with fewer than ${MIN_FIT_SAMPLES} samples in the second half`,
};

/** `npm run bench -- --soak`: one soak, one JSON report on stdout (and in --out). Exit 1 unless the curve is flat. */
export async function soakMain(options: BenchOptions, soak: NonNullable<BenchOptions['soak']>): Promise<number> {
	const modelPath = soak.modelPath ?? path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH);
	const available = loadTraces();
	const traces = options.traces ? available.filter((trace) => options.traces!.includes(trace.name)) : available;
	if (options.traces && traces.length !== options.traces.length) {
		throw new UsageError(
			`Unknown trace in ${options.traces.join(', ')}; the traces are ${available.map((trace) => trace.name).join(', ')}`,
		);
	}
	const settings: HearthSettings = {
		...DEFAULT_SETTINGS,
		model: { ...DEFAULT_SETTINGS.model, path: modelPath },
		performance: {
			...DEFAULT_SETTINGS.performance,
			threads: options.threads ?? 0,
			contextSize: options.contextSize ?? DEFAULT_SETTINGS.performance.contextSize,
		},
	};
	const startedAt = new Date();
	const report = await runSoak({
		minutes: soak.minutes,
		sampleEverySeconds: soak.sampleEverySeconds,
		modelPath,
		settings,
		traces,
		progress,
	});
	progress(
		`soak: rss start ${report.rss.startMiB} MiB, end ${report.rss.endMiB}, peak ${report.rss.peakMiB}, slope ${report.rss.slopeMiBPer10Min} MiB/10 min over ${report.rss.fitSamples} of ${report.rss.samples} samples: ${report.rss.verdict}`,
	);
	const json =
		JSON.stringify(
			{
				benchmark: 'hearth soak',
				startedAt: startedAt.toISOString(),
				durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
				machine: machineInfo(),
				nodeLlamaCpp: nodeLlamaCppVersion(),
				options: {
					minutes: soak.minutes,
					sampleEverySeconds: soak.sampleEverySeconds,
					traces: traces.map((trace) => trace.name),
					settings,
				},
				definitions: DEFINITIONS,
				soak: report,
			},
			null,
			2,
		) + '\n';
	process.stdout.write(json);
	if (options.out) {
		fs.writeFileSync(options.out, json);
		progress(`report written to ${options.out}`);
	}
	return report.rss.verdict === 'flat' && !report.serverExitedEarly && report.requests.failed === 0 ? 0 : 1;
}

function progress(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}
