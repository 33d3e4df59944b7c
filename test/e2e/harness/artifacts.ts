// Files a run leaves behind for a person: logs and numbered screenshots, all in
// ARTIFACTS_DIR, whose path is printed once when the process exits.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ARTIFACTS_DIR } from './paths.js';

/** Runs kept under the default artifacts root; older ones are removed at the next run. */
const KEEP_RUNS = 10;

let announced = false;
let counter = 0;

function pruneOldRuns(): void {
	if (process.env.HEARTH_E2E_ARTIFACTS) return; // someone else's folder: leave it alone
	const root = dirname(ARTIFACTS_DIR);
	if (!existsSync(root)) return;
	// Run folders are named by ISO time, so name order is age order.
	const runs = readdirSync(root).sort();
	for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS))) rmSync(join(root, old), { recursive: true, force: true });
}

function announce(): void {
	if (announced) return;
	announced = true;
	pruneOldRuns();
	process.once('exit', () => {
		const shots = join(ARTIFACTS_DIR, 'screenshots');
		if (existsSync(shots)) console.log(`\n[e2e] screenshots: ${shots}`);
		console.log(`[e2e] logs:        ${ARTIFACTS_DIR}`);
	});
}

/** Path for a log file in the run's folder (created on demand). */
export function artifactPath(name: string): string {
	announce();
	mkdirSync(ARTIFACTS_DIR, { recursive: true });
	return join(ARTIFACTS_DIR, name);
}

/** Next numbered screenshot path, e.g. screenshots/03-ghost-text.png, so files sort in step order. */
export function screenshotPath(step: string): string {
	announce();
	const dir = join(ARTIFACTS_DIR, 'screenshots');
	mkdirSync(dir, { recursive: true });
	counter += 1;
	const safe = step.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'step';
	return join(dir, `${String(counter).padStart(2, '0')}-${safe}.png`);
}
