import fs from 'node:fs';
import path from 'node:path';

interface PackageManifest {
	name: string;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
	os?: string[];
	cpu?: string[];
}

/**
 * The installed folders of `root` and everything it needs at run time, found the way Node resolves
 * them (nearest node_modules upwards). Optional dependencies that are not installed are skipped, and
 * so are optional peer dependencies (the host project's choice, never needed to run: node-llama-cpp's
 * `typescript`) and packages whose `os`/`cpu` rule out `platform` (another platform's binaries,
 * installed when packaging for a target other than this machine). `exclude` drops packages on purpose
 * (build-only packages, the GPU binaries not asked for) together with whatever only they need.
 */
export function dependencyClosure(
	projectDirectory: string,
	root: string,
	platform: { os: string; cpu: string },
	exclude: (name: string) => boolean,
): string[] {
	const found = new Set<string>();
	const visit = (name: string, fromDirectory: string, optional: boolean) => {
		if (exclude(name)) {
			return;
		}
		const directory = locatePackage(name, fromDirectory, projectDirectory);
		if (!directory) {
			if (optional) {
				return;
			}
			throw new Error(`${name} is needed at run time but is not installed (run npm ci)`);
		}
		if (found.has(directory)) {
			return;
		}
		const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as PackageManifest;
		if (!allows(manifest.os, platform.os) || !allows(manifest.cpu, platform.cpu)) {
			if (optional) {
				return;
			}
			throw new Error(`${name} is needed at run time but does not run on ${platform.os}-${platform.cpu}`);
		}
		found.add(directory);
		for (const dependency of Object.keys(manifest.dependencies ?? {})) {
			visit(dependency, directory, false);
		}
		for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
			visit(dependency, directory, true);
		}
		for (const dependency of Object.keys(manifest.peerDependencies ?? {})) {
			if (manifest.peerDependenciesMeta?.[dependency]?.optional !== true) {
				visit(dependency, directory, false);
			}
		}
	};
	visit(root, projectDirectory, false);
	return [...found].sort();
}

/** npm's rule for a package's `os` and `cpu` lists: `value` is allowed unless the list leaves it out or names it with `!`. */
function allows(list: string[] | undefined, value: string): boolean {
	if (!list?.length) {
		return true;
	}
	if (list.includes(`!${value}`)) {
		return false;
	}
	return list.includes(value) || list.every((entry) => entry.startsWith('!'));
}

function locatePackage(name: string, fromDirectory: string, projectDirectory: string): string | undefined {
	let directory = fromDirectory;
	for (;;) {
		const candidate = path.join(directory, 'node_modules', name);
		if (fs.existsSync(path.join(candidate, 'package.json'))) {
			return candidate;
		}
		if (directory === projectDirectory || path.dirname(directory) === directory) {
			return undefined;
		}
		directory = path.dirname(directory);
	}
}
