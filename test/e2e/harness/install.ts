// Makes sure code-server and chromium are installed before a test starts them.
// The shell installer is the single source of truth; a finished install is recognised
// by its marker without spawning anything.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CODE_SERVER_BIN, CODE_SERVER_MARKER, INSTALLER } from './paths.js';
import { HarnessError } from './errors.js';

/** Returns the code-server binary, running installCodeServer.sh first when needed (a minute or two on a fresh machine). */
export async function ensureCodeServer(): Promise<string> {
	if (existsSync(CODE_SERVER_MARKER) && existsSync(CODE_SERVER_BIN)) return CODE_SERVER_BIN;
	return new Promise((resolve, reject) => {
		const child = spawn('bash', [INSTALLER], { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let tail = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
		// Progress shows live (installs take minutes); the tail goes into the error.
		child.stderr.on('data', (d: Buffer) => {
			process.stderr.write(d);
			tail = (tail + d.toString()).slice(-6000);
		});
		const fail = (why: string): void =>
			reject(
				new HarnessError(
					`code-server install failed (bash ${INSTALLER}): ${why}\n--- installer output (tail) ---\n${tail.trimEnd()}\n---`,
				),
			);
		child.once('error', (err) => fail(err.message));
		child.once('close', (code, signal) => {
			if (code !== 0) return fail(signal ? `killed by ${signal}` : `exit code ${code}`);
			const bin = stdout.trim().split('\n').pop() ?? '';
			if (!existsSync(bin)) return fail(`it printed "${bin}", which does not exist`);
			resolve(bin);
		});
	});
}
