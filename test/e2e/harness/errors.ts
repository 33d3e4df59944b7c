// Harness failures must say which piece broke (code-server, chromium, the workbench) and
// carry the evidence, so an e2e run never fails silently or with a bare timeout.
import { readFileSync } from 'node:fs';

export class HarnessError extends Error {
	override name = 'HarnessError';
}

/** Last `lines` lines of a log file, or a note saying it could not be read. */
export function tailOfFile(path: string, lines = 40): string {
	try {
		const text = readFileSync(path, 'utf8').trimEnd();
		return text.split('\n').slice(-lines).join('\n') || '(log is empty)';
	} catch (err) {
		return `(cannot read ${path}: ${(err as Error).message})`;
	}
}

export function withLogTail(message: string, logFile: string): string {
	return `${message}\n--- last lines of ${logFile} ---\n${tailOfFile(logFile)}\n---`;
}
