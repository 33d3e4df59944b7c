// Throwaway folders for tests: a workspace with given files, removed by the caller.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function makeTempDir(prefix: string): string {
	return mkdtempSync(join(tmpdir(), `hearth-e2e-${prefix}-`));
}

/** Creates a folder holding `files` (relative path -> content) and returns its path. */
export function makeWorkspace(files: Record<string, string>): string {
	const dir = makeTempDir('ws');
	for (const [rel, content] of Object.entries(files)) {
		const file = join(dir, rel);
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, content);
	}
	return dir;
}

/** Removes a temp folder unless HEARTH_E2E_KEEP=1 asks to keep it for debugging. */
export function removeTempDir(dir: string): void {
	if (process.env.HEARTH_E2E_KEEP === '1') return;
	rmSync(dir, { recursive: true, force: true });
}
