// Finds a Python interpreter that can import torch, for the training recipe's scripts
// (models/recipe/*.py). Debian's python3-torch lives in the system interpreter's dist-packages, so
// a python3 earlier on PATH (pyenv, a virtual environment) may lack it; HEARTH_PYTHON overrides.

import { execFileSync, spawn } from 'node:child_process';

export class PythonTorchMissingError extends Error {
	override readonly name = 'PythonTorchMissingError';
}

let found: string | undefined;

export function pythonWithTorch(): string {
	if (found !== undefined) return found;
	const candidates = [process.env.HEARTH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => !!c);
	for (const candidate of candidates) {
		try {
			execFileSync(candidate, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 60_000 });
			found = candidate;
			return candidate;
		} catch {
			// Not there, or no torch/numpy: try the next one.
		}
	}
	throw new PythonTorchMissingError(
		`no Python with torch and numpy found (tried ${candidates.join(', ')}); on Debian: apt-get install -y python3-torch python3-numpy, or set HEARTH_PYTHON`,
	);
}

export type StdoutLineHandler = (line: string, kill: (signal: NodeJS.Signals) => void) => void;

export interface PythonRun {
	readonly code: number | null;
	readonly signal: NodeJS.Signals | null;
	readonly stdout: string;
	readonly stderr: string;
}

/**
 * Runs a recipe script and collects its output. `onStarted` gets the child, so a caller (the
 * recipe test) can interrupt it, e.g. to prove that a killed training run resumes.
 */
export function runPython(
	args: readonly string[],
	options: { cwd?: string; nice?: number; onStdoutLine?: StdoutLineHandler; echo?: boolean } = {},
): Promise<PythonRun> {
	const python = pythonWithTorch();
	const [command, commandArgs] =
		options.nice !== undefined ? ['nice', ['-n', String(options.nice), python, ...args]] : [python, [...args]];
	return new Promise((resolve, reject) => {
		const child = spawn(command, commandArgs, {
			cwd: options.cwd,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, PYTHONUNBUFFERED: '1' },
		});
		let stdout = '';
		let stderr = '';
		let pending = '';
		const kill = (signal: NodeJS.Signals) => child.kill(signal);
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
			stdout += chunk;
			if (options.echo) process.stdout.write(chunk);
			pending += chunk;
			const lines = pending.split('\n');
			pending = lines.pop()!;
			for (const line of lines) options.onStdoutLine?.(line, kill);
		});
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
			stderr += chunk;
			if (options.echo) process.stderr.write(chunk);
		});
		child.on('error', reject);
		child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
	});
}

/** Like runPython, but a non-zero exit is an error carrying the script's stderr. */
export async function runPythonChecked(args: readonly string[], options: Parameters<typeof runPython>[1] = {}): Promise<PythonRun> {
	const result = await runPython(args, options);
	if (result.code !== 0) {
		throw new Error(`${args[0]} exited with ${result.code ?? result.signal}: ${result.stderr.trim().split('\n').slice(-8).join('\n')}`);
	}
	return result;
}
