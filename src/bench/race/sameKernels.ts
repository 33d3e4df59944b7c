/**
 * llama-server computing with the very CPU kernels Hearth computes with.
 *
 * The race's llama-server is built here from the llama.cpp release node-llama-cpp bundles
 * (src/bench/setup/buildLlamaServer.sh), but its CPU backend is this machine's compiler's, while
 * node-llama-cpp's prebuilt binaries choose one of their own CPU variants at load. On a Xeon with
 * AMX the two differ most: the prebuilt Sapphire Rapids variant multiplies with AMX, and GCC 12's
 * AMX kernels die with SIGILL, so the build leaves AMX out and evaluates prompts at a quarter of the
 * speed. A race between them would measure the compilers.
 *
 * So on Linux the race runs llama-server with node-llama-cpp's own ggml libraries: the CPU variant
 * node-llama-cpp loads on this machine, as llama-server's `libggml-cpu.so.0`, and its
 * `libggml-base.so`, found first through LD_LIBRARY_PATH (llama-server's libraries name their own
 * folder in RUNPATH, which LD_LIBRARY_PATH precedes). Both come from the same llama.cpp release, so
 * they have the same interface; llama-server's own llama and server code stay its own.
 */

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The CPU kernels llama-server computes with in the race. */
export interface RaceKernels {
	/** For LD_LIBRARY_PATH; absent: llama-server's own build. */
	libraryPath?: string;
	/** In the report: whose kernels, and which file. */
	description: string;
}

/** What node-llama-cpp logs (debug level) when ggml loads a CPU variant. */
const LOADED_CPU_BACKEND = /loaded CPU backend from (.+\.so)\s*$/;

export function parseLoadedCpuBackend(log: string): string | undefined {
	for (const line of log.split('\n')) {
		const match = LOADED_CPU_BACKEND.exec(line.trim());
		if (match) {
			return match[1];
		}
	}
	return undefined;
}

/**
 * The CPU variant node-llama-cpp's prebuilt binaries load on this machine, asked of a Node process of
 * its own (the bench's main process never loads a binding).
 */
export async function nodeLlamaCppCpuBackend(): Promise<string | undefined> {
	// A script file, not `node -e`: node-llama-cpp tests its binding in a child started with this
	// process's arguments, which would run an -e script again.
	const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-kernels-'));
	try {
		const script = path.join(directory, 'cpuBackend.mjs');
		fs.writeFileSync(
			script,
			[
				`const { getLlama, LlamaLogLevel } = await import(${JSON.stringify(import.meta.resolve('node-llama-cpp'))});`,
				// llama.cpp's log lines reach JavaScript through a queue that getLlama does not wait for:
				// the script waits for the line it is after (for a few seconds at most) before it exits.
				'let seen; const loaded = new Promise((resolve) => (seen = resolve));',
				"await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.debug, logger: (_level, message) => { process.stdout.write(message.trimEnd() + '\\n'); if (message.includes('loaded CPU backend')) seen(); } });",
				'await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, 10_000))]);',
				'process.exit(0);',
			].join('\n'),
		);
		const { stdout } = await execFileAsync(process.execPath, [script], { maxBuffer: 16 << 20 });
		return parseLoadedCpuBackend(stdout);
	} finally {
		fs.rmSync(directory, { recursive: true, force: true });
	}
}

/**
 * A folder of links that makes llama-server load `cpuBackend` and the ggml base library beside it:
 * `libggml-cpu.so.0` and both names llama-server's libraries and the variant ask for the base by.
 */
export function sameKernelsLibraryDir(cpuBackend: string, cacheRoot: string): string {
	const base = path.join(path.dirname(cpuBackend), 'libggml-base.so');
	if (!fs.existsSync(cpuBackend) || !fs.existsSync(base)) {
		throw new Error(`node-llama-cpp's ${fs.existsSync(cpuBackend) ? base : cpuBackend} is missing`);
	}
	const directory = path.join(cacheRoot, 'llama-server', 'prebuilt-ggml', path.basename(cpuBackend, '.so'));
	fs.mkdirSync(directory, { recursive: true });
	for (const [name, target] of [
		['libggml-cpu.so.0', cpuBackend],
		['libggml-base.so.0', base],
		['libggml-base.so', base],
	] as const) {
		const link = path.join(directory, name);
		fs.rmSync(link, { force: true });
		fs.symlinkSync(target, link);
	}
	return directory;
}

/**
 * The kernels for the race: node-llama-cpp's own where that works (Linux, and it names the variant
 * it loaded), llama-server's own build otherwise or when asked (`ownBuild`).
 */
export async function raceKernels(projectRoot: string, ownBuild: boolean): Promise<RaceKernels> {
	const own: RaceKernels = { description: "llama-server's own build of ggml (compiled on this machine)" };
	if (ownBuild) {
		return own;
	}
	if (process.platform !== 'linux') {
		return { description: `${own.description}: node-llama-cpp's kernels are shared only on Linux` };
	}
	const cpuBackend = await nodeLlamaCppCpuBackend();
	if (cpuBackend === undefined) {
		return { description: `${own.description}: node-llama-cpp did not say which CPU variant it loads` };
	}
	return {
		libraryPath: sameKernelsLibraryDir(cpuBackend, path.join(projectRoot, '.cache')),
		description: `node-llama-cpp's prebuilt ggml, the CPU variant Hearth runs on this machine (${path.basename(cpuBackend)})`,
	};
}
