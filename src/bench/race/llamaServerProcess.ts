import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { LLAMA_VSCODE_SERVER_FLAGS } from './llamaVscodeSettings.js';
import { processCpuSeconds, processPeakRssMiB } from './procStats.js';

export interface LlamaServerOptions {
	binary: string;
	modelPath: string;
	/** The same thread count as Hearth's engine on the same model. */
	threads: number;
	/** --ctx-size: 0 is the model's trained context, as llama.vscode's launch commands run it. */
	contextSize: number;
	/** --parallel; absent: the server's default slots, as llama.vscode's launch commands leave it. */
	parallel?: number;
	/** --spm-infill: suffix-prefix-middle prompts (not in llama.vscode's commands; a separate, labelled run). */
	spmInfill: boolean;
	/** Where the server's own log goes (it is too chatty for the bench's stderr). */
	logFile: string;
	/** How long loading the model may take before the race gives up. */
	startTimeoutMs?: number;
	/** More command-line flags, after the race's own (a later flag wins). */
	extraArgs?: readonly string[];
	/** Searched first for its shared libraries (LD_LIBRARY_PATH): node-llama-cpp's ggml (sameKernels.ts). */
	libraryPath?: string;
}

/**
 * llama-server's command line as llama.vscode's README and launch commands give it
 * (`-ub 1024 -b 1024 --ctx-size 0 --cache-reuse 256`, the server's default slots), with the
 * model and thread count Hearth used. Flash attention stays at the default "auto" on both sides
 * (node-llama-cpp's default too).
 */
export function llamaServerArguments(options: Omit<LlamaServerOptions, 'binary' | 'logFile'>, port: number): string[] {
	return [
		'--model',
		options.modelPath,
		'--host',
		'127.0.0.1',
		'--port',
		String(port),
		'--threads',
		String(options.threads),
		'--threads-batch',
		String(options.threads),
		'--ctx-size',
		String(options.contextSize),
		...(options.parallel === undefined ? [] : ['--parallel', String(options.parallel)]),
		'--batch-size',
		String(LLAMA_VSCODE_SERVER_FLAGS.batchSize),
		'--ubatch-size',
		String(LLAMA_VSCODE_SERVER_FLAGS.ubatchSize),
		'--cache-reuse',
		String(LLAMA_VSCODE_SERVER_FLAGS.cacheReuse),
		...(options.spmInfill ? ['--spm-infill'] : []),
		...(options.extraArgs ?? []),
	];
}

export interface RunningLlamaServer {
	readonly url: string;
	readonly pid: number;
	readonly args: readonly string[];
	cpuSeconds(): number;
	peakRssMiB(): number | null;
	stop(): Promise<void>;
}

/** Starts llama-server on a free port and resolves once /health says the model is loaded. */
export async function startLlamaServer(options: LlamaServerOptions): Promise<RunningLlamaServer> {
	if (!fs.existsSync(options.binary)) {
		throw new Error(`no llama-server at ${options.binary}: build it with bash src/bench/setup/buildLlamaServer.sh`);
	}
	const port = await freePort();
	const args = llamaServerArguments(options, port);
	const log = fs.openSync(options.logFile, 'w');
	const env = options.libraryPath === undefined ? process.env : { ...process.env, LD_LIBRARY_PATH: options.libraryPath };
	const child = spawn(options.binary, args, { stdio: ['ignore', log, log], env });
	fs.closeSync(log);
	// A bench that dies for any reason must not leave a server burning the CPU behind it.
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
	const url = `http://127.0.0.1:${port}`;
	try {
		await waitForHealth(url, exited, options.startTimeoutMs ?? 180_000, options.logFile);
	} catch (error) {
		await stopChild(child, exited);
		process.removeListener('exit', killOnExit);
		throw error;
	}
	const pid = child.pid!;
	return {
		url,
		pid,
		args,
		cpuSeconds: () => processCpuSeconds(pid),
		peakRssMiB: () => processPeakRssMiB(pid),
		stop: async () => {
			await stopChild(child, exited);
			process.removeListener('exit', killOnExit);
		},
	};
}

async function waitForHealth(url: string, exited: Promise<string>, timeoutMs: number, logFile: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let gone: string | undefined;
	void exited.then((how) => (gone = how));
	while (Date.now() < deadline) {
		if (gone !== undefined) {
			throw new Error(`llama-server exited (${gone}) before it was ready; its log: ${logFile}\n${logTail(logFile)}`);
		}
		try {
			// 503 while the model loads, 200 once a slot can take requests.
			const response = await fetch(`${url}/health`);
			if (response.ok) {
				return;
			}
		} catch {
			// Not listening yet.
		}
		await sleep(200);
	}
	throw new Error(`llama-server was not ready within ${timeoutMs} ms; its log: ${logFile}\n${logTail(logFile)}`);
}

async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
	await exited;
	clearTimeout(timer);
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

function logTail(logFile: string): string {
	try {
		return fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
	} catch {
		return '';
	}
}
