// Finds the extension's language-server process, so a test can kill it like a native crash would.
import { readdirSync, readFileSync } from 'node:fs';

/** PIDs of processes running the bundled server from under `extensionsDir`. */
export function languageServerPids(extensionsDir: string): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) {
			continue;
		}
		let commandLine: string;
		try {
			commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
		} catch {
			continue; // the process ended while we looked
		}
		if (commandLine.includes(extensionsDir) && commandLine.includes('dist/server.mjs')) {
			pids.push(Number(entry));
		}
	}
	return pids;
}
