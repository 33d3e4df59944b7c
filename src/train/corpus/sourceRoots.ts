/**
 * Where the corpus comes from. By default: what this machine has installed that is source code
 * under a known licence — Debian's packaged JavaScript libraries, Python's standard library and
 * Debian's Python packages, Go's and Rust's standard library sources when golang-*-src and
 * rust-src are installed, and the project's own node_modules. `--roots` replaces the list (tests
 * point it at fixtures).
 *
 * Java: openjdk-17-source ships its sources as a zip under GPL-2.0 with the Classpath exception,
 * which the licence policy does not accept, so it is not a default root.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

export type SourceRoot =
	{ readonly kind: 'npm'; readonly directory: string } | { readonly kind: 'debian'; readonly directory: string; readonly base: string };

export interface FoundRoots {
	readonly roots: SourceRoot[];
	/** Each default location looked at, and whether it was there: the report says what was found. */
	readonly looked: { readonly location: string; readonly found: boolean }[];
}

/** Folders matching `prefix*` inside `parent`, newest version last (sorted by name). */
function versionedFolders(parent: string, prefix: string): string[] {
	if (!existsSync(parent)) return [];
	return readdirSync(parent)
		.filter((name) => name.startsWith(prefix))
		.sort()
		.map((name) => path.join(parent, name));
}

export function defaultSourceRoots(projectRoot: string): FoundRoots {
	const looked: FoundRoots['looked'] = [];
	const roots: SourceRoot[] = [];
	const debian = (directory: string, base = directory) => {
		const found = existsSync(directory);
		looked.push({ location: directory, found });
		// Resolved, because dpkg records the real paths (/usr/lib/rustlib/src/rust is a link to /usr/src/rustc-*).
		if (found) roots.push({ kind: 'debian', directory: realpathSync(directory), base: realpathSync(base) });
	};
	debian('/usr/share/nodejs');
	debian('/usr/lib/nodejs');
	const pythons = versionedFolders('/usr/lib', 'python3.').filter((directory) => /python3\.\d+$/.test(directory));
	if (pythons.length === 0) looked.push({ location: '/usr/lib/python3.*', found: false });
	// Only the newest: older standard libraries are mostly the same files again.
	if (pythons.length > 0) debian(pythons.at(-1)!);
	debian('/usr/lib/python3/dist-packages');
	const goSources = [...versionedFolders('/usr/lib', 'go-'), ...versionedFolders('/usr/share', 'go-')].filter((directory) =>
		existsSync(path.join(directory, 'src')),
	);
	if (goSources.length === 0) looked.push({ location: '/usr/lib/go-*/src, /usr/share/go-*/src (golang-src)', found: false });
	if (goSources.length > 0) debian(path.join(goSources.at(-1)!, 'src'), goSources.at(-1)!);
	const rust = '/usr/lib/rustlib/src/rust';
	if (existsSync(path.join(rust, 'library'))) debian(path.join(rust, 'library'), rust);
	else looked.push({ location: `${rust}/library (rust-src)`, found: false });
	const nodeModules = path.join(projectRoot, 'node_modules');
	looked.push({ location: nodeModules, found: existsSync(nodeModules) });
	if (existsSync(nodeModules)) roots.push({ kind: 'npm', directory: nodeModules });
	return { roots, looked };
}

/**
 * Parses `--roots`: comma-separated `npm:DIR` (a node_modules folder) or `debian:DIR[=BASE]`
 * (files owned by Debian packages, header paths relative to BASE, default DIR).
 */
export function parseRootsOption(value: string): SourceRoot[] {
	return value
		.split(',')
		.filter((item) => item.trim() !== '')
		.map((item) => {
			const [kind, rest] = item.split(/:(.*)/s, 2) as [string, string | undefined];
			if (rest === undefined || rest === '') throw new Error(`--roots entry "${item}" must be npm:DIR or debian:DIR[=BASE]`);
			if (kind === 'npm') return { kind: 'npm', directory: path.resolve(rest) };
			if (kind === 'debian') {
				const [directory, base] = rest.split('=', 2) as [string, string | undefined];
				return { kind: 'debian', directory: path.resolve(directory), base: path.resolve(base ?? directory) };
			}
			throw new Error(`--roots entry "${item}": unknown kind "${kind}" (npm or debian)`);
		});
}
