// Finding processes by their command line (Linux /proc), e.g. an extension's language server
// inside one test profile, so a test can kill it the way a native crash would.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
	pid: number;
	/** argv, as the kernel has it. */
	argv: string[];
}

/** Every process whose argv satisfies `match`. Processes that end while being read are skipped. */
export function findProcesses(match: (argv: string[]) => boolean): ProcessInfo[] {
	const found: ProcessInfo[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let argv: string[];
		try {
			argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
				.split('\0')
				.filter((a) => a !== '');
		} catch {
			continue;
		}
		if (argv.length > 0 && match(argv)) found.push({ pid: Number(entry), argv });
	}
	return found;
}

/**
 * Node processes running `entry` (e.g. 'dist/server.mjs') of an extension installed under
 * `extensionsDir`: the script argument must lie inside that folder, so servers of other
 * profiles (other test runs at the same time) never match.
 */
export function extensionProcesses(extensionsDir: string, entry: string): ProcessInfo[] {
	const dir = extensionsDir.endsWith('/') ? extensionsDir : `${extensionsDir}/`;
	return findProcesses((argv) => argv.some((a) => a.startsWith(dir) && a.endsWith(`/${entry}`)));
}

export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}
