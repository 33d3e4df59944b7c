// Builds the real extension's VSIX once per run, with the same packager a release uses.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/index.js';

/**
 * Packages the extension from the current build (dist/ and the default model must exist: the test
 * command runs `npm run build` first, and the model is generated here if missing).
 */
export function buildHearthVsix(): string {
	for (const bundle of ['dist/extension.cjs', 'dist/server.mjs']) {
		if (!existsSync(join(REPO_ROOT, bundle))) {
			throw new Error(`${bundle} is missing: run \`npm run build\` before the end-to-end suite`);
		}
	}
	execFileSync(process.execPath, [join(REPO_ROOT, 'out/src/cli/makeModels.js'), 'starter-placeholder'], { cwd: REPO_ROOT, stdio: 'ignore' });
	const directory = join(REPO_ROOT, '.cache', 'e2e');
	mkdirSync(directory, { recursive: true });
	const vsix = join(directory, 'hearth.vsix');
	execFileSync(process.execPath, [join(REPO_ROOT, 'out/src/build/packageVsix.js'), '--out', vsix], { cwd: REPO_ROOT, stdio: 'ignore' });
	return vsix;
}
