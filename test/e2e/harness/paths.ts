// Where the e2e harness finds the installer and puts its artifacts.
// Found by walking up from this file so it works from test/e2e (source) and from
// out/test/e2e (compiled) alike.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INSTALLER_FROM_ROOT = join('test', 'e2e', 'setup', 'installCodeServer.sh');

function findRepoRoot(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	for (;;) {
		if (existsSync(join(dir, INSTALLER_FROM_ROOT))) return dir;
		const parent = dirname(dir);
		if (parent === dir)
			throw new Error(`e2e harness: cannot find the repo root (no ${INSTALLER_FROM_ROOT} above ${fileURLToPath(import.meta.url)})`);
		dir = parent;
	}
}

export const REPO_ROOT = findRepoRoot();
export const INSTALLER = join(REPO_ROOT, INSTALLER_FROM_ROOT);
export const CODE_SERVER_VERSION = '4.100.3';

/** Matches DIR in installCodeServer.sh; both honour HEARTH_CODE_SERVER_DIR. */
export const CODE_SERVER_DIR = process.env.HEARTH_CODE_SERVER_DIR ?? join(REPO_ROOT, '.cache', `code-server-${CODE_SERVER_VERSION}`);
export const CODE_SERVER_BIN = join(CODE_SERVER_DIR, 'node_modules', '.bin', 'code-server');
export const CODE_SERVER_MARKER = join(CODE_SERVER_DIR, '.install-complete');

export const CHROMIUM = process.env.HEARTH_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** One folder per test process for logs and screenshots; .cache/ is gitignored. */
const RUN_ID = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`;
export const ARTIFACTS_DIR = process.env.HEARTH_E2E_ARTIFACTS ?? join(REPO_ROOT, '.cache', 'e2e-artifacts', RUN_ID);
