// Packages an extension folder as a VSIX with the repo's @vscode/vsce, offline.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HarnessError } from './errors.js';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/**
 * `vsce package` in `extensionDir`, writing `outFile`. Flags keep it non-interactive:
 * it would otherwise stop to ask about a missing LICENSE or repository.
 */
export async function packageVsix(extensionDir: string, outFile: string, extraArgs: string[] = []): Promise<string> {
	const vsce = join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
	const args = ['package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', outFile, ...extraArgs];
	try {
		await run(vsce, args, { cwd: extensionDir, timeout: 120_000 });
	} catch (err) {
		const e = err as Error & { stdout?: string; stderr?: string };
		throw new HarnessError(`vsce package failed in ${extensionDir}: ${e.message.split('\n')[0]}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
	}
	if (!existsSync(outFile)) throw new HarnessError(`vsce package reported success but ${outFile} is missing`);
	return outFile;
}
