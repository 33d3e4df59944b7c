import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/**
 * A deterministic sample of real source files on this machine, none of them holding a secret
 * meant to be one: the JavaScript and TypeScript under node_modules and Python's standard library
 * and installed packages. Files over the size cap are left out (minified bundles and generated
 * tables; the speed tests cover large inputs); of the rest, the sample is the first `size` by a
 * hash of their path, so it is the same on every run on the same machine and spread over every
 * package rather than the first few in name order.
 */

export interface SourceRoot {
	readonly directory: string;
	/** The label figures are reported under. */
	readonly label: string;
	readonly accept: (name: string) => boolean;
}

export const SOURCE_ROOTS: readonly SourceRoot[] = [
	{ directory: path.join(repoRoot, 'node_modules'), label: 'node_modules', accept: (name) => /\.(?:[cm]?js|[cm]?ts)$/.test(name) },
	{ directory: '/usr/lib/python3.11', label: 'python3.11 stdlib', accept: (name) => name.endsWith('.py') },
	{ directory: '/usr/lib/python3/dist-packages', label: 'python dist-packages', accept: (name) => name.endsWith('.py') },
	{ directory: '/usr/local/lib/python3.11/dist-packages', label: 'python dist-packages', accept: (name) => name.endsWith('.py') },
];

export const SIZE_CAP = 64 * 1024;

export interface SampledFile {
	readonly path: string;
	readonly root: string;
}

/** FNV-1a, 32 bits: a stable, well-spread order that does not follow the names. */
function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash;
}

function walk(directory: string, accept: (name: string) => boolean, out: string[]): void {
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(directory, { withFileTypes: true });
	} catch {
		return; // not on this machine, or not readable
	}
	for (const entry of entries) {
		const full = path.join(directory, entry.name);
		if (entry.isDirectory()) {
			walk(full, accept, out);
		} else if (entry.isFile() && accept(entry.name)) {
			out.push(full);
		}
	}
}

/** Every candidate under the roots (at most the cap in size), then the `size` first by hash. */
export function sampleRealSources(size: number): { files: SampledFile[]; candidates: number } {
	const candidates: SampledFile[] = [];
	for (const root of SOURCE_ROOTS) {
		const found: string[] = [];
		walk(root.directory, root.accept, found); // symbolic links are not followed: each file is met once
		for (const file of found) {
			if (fs.statSync(file).size <= SIZE_CAP) {
				candidates.push({ path: file, root: root.label });
			}
		}
	}
	const keyed = candidates.map((file) => ({
		file,
		key: fnv1a(file.path.startsWith(repoRoot) ? path.relative(repoRoot, file.path) : file.path),
	}));
	keyed.sort((a, b) => a.key - b.key || (a.file.path < b.file.path ? -1 : 1));
	return { files: keyed.slice(0, size).map(({ file }) => file), candidates: candidates.length };
}
