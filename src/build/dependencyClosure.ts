import fs from 'node:fs';
import path from 'node:path';

interface PackageManifest {
	name: string;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * The installed folders of `root` and everything it needs at run time, found the way Node resolves
 * them (nearest node_modules upwards). Optional dependencies that are not installed (other
 * platforms) are skipped; `exclude` drops packages on purpose (the other platforms' binaries).
 */
export function dependencyClosure(projectDirectory: string, root: string, exclude: (name: string) => boolean): string[] {
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
		found.add(directory);
		const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as PackageManifest;
		for (const dependency of Object.keys(manifest.dependencies ?? {})) {
			visit(dependency, directory, false);
		}
		for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) {
			visit(dependency, directory, true);
		}
		for (const dependency of Object.keys(manifest.peerDependencies ?? {})) {
			visit(dependency, directory, manifest.peerDependenciesMeta?.[dependency]?.optional === true);
		}
	};
	visit(root, projectDirectory, false);
	return [...found].sort();
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
