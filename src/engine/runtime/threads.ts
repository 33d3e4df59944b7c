import os from 'node:os';

/**
 * node-llama-cpp's CPU default is at least 4 threads. On a 2-core machine that oversubscription made
 * a 16-token infill on a 1.5B model take ~52 s instead of ~0.8 s, so the thread count always comes
 * from the machine's real parallelism unless the user overrides it.
 */
export function resolveThreadCount(userSetting: number | undefined): number {
	const available = Math.max(1, os.availableParallelism());
	if (userSetting === undefined || !Number.isFinite(userSetting) || userSetting <= 0) {
		return available;
	}
	return Math.max(1, Math.floor(userSetting));
}
