// Last-resort cleanup: code-server runs detached in its own process group, so if the test
// process ends without teardown (crash, Ctrl+C) nothing else would stop it.
const groups = new Set<number>();
let installed = false;

function killAll(): void {
	for (const pgid of groups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	}
	groups.clear();
}

function install(): void {
	if (installed) return;
	installed = true;
	process.once('exit', killAll);
	const signals: Array<[NodeJS.Signals, number]> = [
		['SIGINT', 2],
		['SIGTERM', 15],
		['SIGHUP', 1],
	];
	for (const [signal, n] of signals) {
		process.once(signal, () => {
			killAll();
			// Exit as the default handler would, unless someone else (mocha) handles the signal.
			if (process.listenerCount(signal) === 0) process.exit(128 + n);
		});
	}
}

/** Remembers a process group to kill if this process ends before stopping it. */
export function trackGroup(pgid: number): void {
	install();
	groups.add(pgid);
}

export function untrackGroup(pgid: number): void {
	groups.delete(pgid);
}
