/**
 * Source files of installed npm packages: each package folder in a node_modules tree, its licence
 * from package.json (`license`, or the old `licenses` array), its files under "<name>/<path>".
 * Nested node_modules folders are packages of their own, with their own licence.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { walkFiles } from './fileWalk.js';
import type { SkipLedger } from './skipLedger.js';
import { classifyFoundFile, type FoundFileSink } from './foundFile.js';

export interface NpmPackageManifest {
	readonly name: string;
	readonly version: string;
	readonly licence: string;
}

/** The licence expression a package.json declares ("unknown" when it says nothing usable). */
export function licenceOfPackageJson(manifest: Record<string, unknown>): string {
	const license = manifest['license'] ?? manifest['licence'];
	if (typeof license === 'string' && license.trim() !== '') return license.trim();
	if (license !== null && typeof license === 'object' && typeof (license as { type?: unknown }).type === 'string') {
		return (license as { type: string }).type;
	}
	const licenses = manifest['licenses'];
	if (Array.isArray(licenses) && licenses.length > 0) {
		const names = licenses.map((entry) =>
			typeof entry === 'string' ? entry : typeof entry?.type === 'string' ? entry.type : 'unknown',
		);
		// The old array form listed alternatives the user may choose between.
		return names.length === 1 ? names[0]! : `(${names.join(' OR ')})`;
	}
	return 'unknown';
}

async function readManifest(packageDirectory: string): Promise<NpmPackageManifest | undefined> {
	try {
		const manifest = JSON.parse(await readFile(path.join(packageDirectory, 'package.json'), 'utf8')) as Record<string, unknown>;
		return {
			name: typeof manifest['name'] === 'string' ? manifest['name'] : path.basename(packageDirectory),
			version: typeof manifest['version'] === 'string' ? manifest['version'] : '0.0.0',
			licence: licenceOfPackageJson(manifest),
		};
	} catch {
		return undefined;
	}
}

/** Package folders directly inside a node_modules folder ("@scope/name" ones included). */
async function packageDirectories(nodeModules: string, ledger: SkipLedger): Promise<string[]> {
	const found: string[] = [];
	let entries;
	try {
		entries = await readdir(nodeModules, { withFileTypes: true });
	} catch {
		return found;
	}
	entries.sort((a, b) => (a.name < b.name ? -1 : 1));
	for (const entry of entries) {
		const full = path.join(nodeModules, entry.name);
		if (entry.name.startsWith('.')) {
			// .bin (links to executables), .package-lock.json, .cache: npm's own bookkeeping.
			ledger.record('npm-bookkeeping', full);
		} else if (entry.isSymbolicLink()) {
			ledger.record('symbolic-link', full);
		} else if (entry.isDirectory() && entry.name.startsWith('@')) {
			const scoped = await readdir(full, { withFileTypes: true });
			for (const inner of scoped.sort((a, b) => (a.name < b.name ? -1 : 1))) {
				if (inner.isDirectory()) found.push(path.join(full, inner.name));
				else ledger.record(inner.isSymbolicLink() ? 'symbolic-link' : 'not-in-a-package', path.join(full, inner.name));
			}
		} else if (entry.isDirectory()) {
			found.push(full);
		} else {
			ledger.record('not-in-a-package', full);
		}
	}
	return found;
}

/** Passes every file of every package under a node_modules folder to the sink's checks. */
export async function collectNpmFiles(nodeModules: string, ledger: SkipLedger, sink: FoundFileSink): Promise<void> {
	const pendingRoots = [nodeModules];
	while (pendingRoots.length > 0) {
		const root = pendingRoots.shift()!;
		for (const packageDirectory of await packageDirectories(root, ledger)) {
			const manifest = await readManifest(packageDirectory);
			const origin = manifest ? `npm:${manifest.name}@${manifest.version}` : `npm:${path.basename(packageDirectory)}`;
			const licence = manifest?.licence ?? 'unknown';
			const headerRoot = manifest?.name ?? path.basename(packageDirectory);
			const files = walkFiles(packageDirectory, ledger, {
				enter: (directory, name) => {
					if (name !== 'node_modules') return true;
					pendingRoots.push(directory);
					return false;
				},
			});
			for await (const file of files) {
				const relativePath = `${headerRoot}/${path.relative(packageDirectory, file).split(path.sep).join('/')}`;
				await classifyFoundFile({ absolutePath: file, relativePath, origin, licence }, ledger, sink);
			}
		}
	}
}
