// The real Hearth VSIX for the end-to-end suite, built with the release packager
// (esbuild --production, then out/src/build/packageVsix.js) at most once per change of its
// inputs: the VSIX lands in .cache/e2e/ with a fingerprint of everything that goes into it,
// and a later run whose inputs hash the same reuses it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../../src/shared/bundledModel.js';
import { HarnessError } from '../harness/errors.js';
import { REPO_ROOT } from '../harness/paths.js';
import { findProcesses } from '../harness/processes.js';

const execFileP = promisify(execFile);

/** What the VSIX is made of: the sources esbuild bundles, the packager, the manifest and what it stages. */
const INPUT_DIRS = ['src/extension', 'src/server', 'src/engine', 'src/shared', 'src/build', 'media'];
const INPUT_FILES = [
	'src/tooling/projectRoot.ts',
	'esbuild.js',
	'package.json',
	'README.md',
	'CHANGELOG.md',
	'LICENSE',
	// The bundled starter model (committed to git).
	BUNDLED_MODEL_RELATIVE_PATH,
	// node-llama-cpp ships inside the VSIX; its version (and its binaries' version) are inputs too.
	'node_modules/node-llama-cpp/package.json',
	`node_modules/@node-llama-cpp/${process.platform}-${process.arch}/package.json`,
	// The decode abort module `npm run build` compiles (src/engine/native/decodeAbort.cpp), when it is built.
	`dist/native/decodeAbort-${process.platform}-${process.arch}.node`,
];

export const EXTENSION_VSIX_DIR = join(REPO_ROOT, '.cache', 'e2e');

export interface ExtensionVsix {
	path: string;
	/** False when an earlier run's VSIX had the same inputs and was reused. */
	built: boolean;
	/** Milliseconds spent: hashing alone when reused, or the whole build. */
	ms: number;
}

function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	const out: string[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...filesUnder(full));
		else if (entry.isFile()) out.push(full);
	}
	return out;
}

/** Waits (up to timeoutMs) until no process runs the packager (by any path to it); returns at once if none does. */
async function waitForOtherPackagers(timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	const others = (): number[] => findProcesses((argv) => argv.some((a) => a.endsWith('src/build/packageVsix.js'))).map((p) => p.pid);
	while (others().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
}

/** sha256 over the path and content of every input, in a fixed order. */
export function extensionInputsFingerprint(): string {
	const hash = createHash('sha256');
	const files = [...INPUT_DIRS.flatMap((d) => filesUnder(join(REPO_ROOT, d))), ...INPUT_FILES.map((f) => join(REPO_ROOT, f))].sort();
	for (const file of files) {
		hash.update(relative(REPO_ROOT, file));
		hash.update('\0');
		hash.update(existsSync(file) ? readFileSync(file) : '(missing)');
		hash.update('\0');
	}
	return hash.digest('hex');
}

async function run(what: string, args: string[]): Promise<void> {
	try {
		await execFileP(process.execPath, args, { cwd: REPO_ROOT, timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
	} catch (err) {
		const e = err as Error & { stdout?: string; stderr?: string };
		throw new HarnessError(
			`${what} failed: ${e.message.split('\n')[0]}\n${(e.stdout ?? '').slice(-3000)}${(e.stderr ?? '').slice(-3000)}`,
		);
	}
}

/**
 * Returns the packaged extension, building it when its inputs changed since the last build.
 * Needs the compiled packager (out/src/build/packageVsix.js, from `tsc -p .`, which the
 * e2e command runs first).
 */
export async function buildExtensionVsix(): Promise<ExtensionVsix> {
	const started = Date.now();
	const packager = join(REPO_ROOT, 'out', 'src', 'build', 'packageVsix.js');
	if (!existsSync(packager)) throw new HarnessError(`${packager} is missing: run \`npx tsc -p .\` (npm run build) before the e2e suite`);
	mkdirSync(EXTENSION_VSIX_DIR, { recursive: true });
	const vsix = join(EXTENSION_VSIX_DIR, 'hearth-extension.vsix');
	const stamp = `${vsix}.inputs`;
	const fingerprint = extensionInputsFingerprint();
	if (existsSync(vsix) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint && statSync(vsix).size > 0) {
		return { path: vsix, built: false, ms: Date.now() - started };
	}
	rmSync(stamp, { force: true });
	try {
		await packageWithProductionBundles(packager, vsix);
	} finally {
		// The release bundles replaced dist/; put back what `npm run build` makes (with source
		// maps), so debugging from the working tree keeps working after an e2e run.
		await run('esbuild (development bundles)', [join(REPO_ROOT, 'esbuild.js')]);
	}
	writeFileSync(stamp, fingerprint);
	return { path: vsix, built: true, ms: Date.now() - started };
}

async function packageWithProductionBundles(packager: string, vsix: string): Promise<void> {
	await run('esbuild --production', [join(REPO_ROOT, 'esbuild.js'), '--production']);
	// Written next to the final name and renamed, so a failed build never leaves a VSIX behind
	// that a later run would take for a good one.
	const partial = `${vsix}.partial-${process.pid}.vsix`;
	for (let attempt = 1; ; attempt++) {
		// The packager stages into one fixed folder (.cache/vsix/<target>): a second packager
		// running at the same moment (another test run, `npm run package`) wipes it under this one.
		await waitForOtherPackagers(5 * 60_000);
		try {
			await run('packaging the VSIX (node out/src/build/packageVsix.js)', [packager, '--out', partial]);
			break;
		} catch (err) {
			rmSync(partial, { force: true });
			if (attempt >= 3) throw err;
			console.log(
				`[e2e] packaging the VSIX failed (attempt ${attempt}), trying again: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}`,
			);
		}
	}
	renameSync(partial, vsix);
}
