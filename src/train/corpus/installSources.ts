/**
 * Puts the sources a sources list names on this machine, then turns its roots into the folders
 * the corpus builder reads: Debian packages through apt-get (only as root; otherwise the error
 * names the command to run), npm packages at their exact versions into a scratch folder with
 * `npm install --ignore-scripts --no-save` (no package's install script runs). What is already
 * there is not installed again.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CorpusSourcesError, type CorpusSources, type NpmPackageSpec } from './corpusSources.js';
import type { SourceRoot } from './sourceRoots.js';

export interface PrepareSourcesOptions {
	/** Folder for the npm packages (they go into <scratch>/node_modules). */
	readonly scratch: string;
	/** False: only check, and fail with the commands to run when something is missing. */
	readonly install: boolean;
	readonly log?: (line: string) => void;
}

/** The packages `dpkg-query -W -f '${Package}\t${db:Status-Abbrev}\n'` reports as installed ("ii"). */
export function installedFromDpkgQuery(output: string): Set<string> {
	const installed = new Set<string>();
	for (const line of output.split('\n')) {
		const [name, status] = line.split('\t');
		if (name && status?.startsWith('ii')) installed.add(name.split(':')[0]!);
	}
	return installed;
}

export function aptInstallCommand(packages: readonly string[]): string {
	return `apt-get update && apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Packages from the list that are missing from <scratch>/node_modules or there at another version. */
export async function npmPackagesToInstall(scratch: string, packages: readonly NpmPackageSpec[]): Promise<NpmPackageSpec[]> {
	const missing: NpmPackageSpec[] = [];
	for (const spec of packages) {
		const manifest = path.join(scratch, 'node_modules', ...spec.name.split('/'), 'package.json');
		const version = await readFile(manifest, 'utf8').then(
			(text) => (JSON.parse(text) as { version?: unknown }).version,
			() => undefined,
		);
		if (version !== spec.version) missing.push(spec);
	}
	return missing;
}

function run(command: string, args: readonly string[], captureOutput = false): Promise<{ code: number; stdout: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {
			stdio: captureOutput ? ['ignore', 'pipe', 'ignore'] : ['ignore', 2, 2],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
		let stdout = '';
		child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.on('error', (error) => reject(new CorpusSourcesError(`could not run ${command}: ${error.message}`)));
		child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
	});
}

async function missingDebianPackages(packages: readonly string[]): Promise<string[]> {
	// dpkg-query exits 1 when a name is unknown to it; the installed ones are still printed.
	const { stdout } = await run('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Abbrev}\n', ...packages], true);
	const installed = installedFromDpkgQuery(stdout);
	return packages.filter((name) => !installed.has(name));
}

async function ensureDebianPackages(packages: readonly string[], options: PrepareSourcesOptions): Promise<void> {
	if (packages.length === 0) return;
	if (!existsSync('/var/lib/dpkg'))
		throw new CorpusSourcesError(
			`the sources list names ${packages.length} Debian packages, and this machine has no dpkg: build on Debian (or a derivative), or use --roots`,
		);
	const missing = await missingDebianPackages(packages);
	if (missing.length === 0) {
		options.log?.(`debian: all ${packages.length} packages installed`);
		return;
	}
	const command = aptInstallCommand(missing);
	const isRoot = process.getuid?.() === 0;
	if (!options.install || !isRoot) {
		throw new CorpusSourcesError(
			`${missing.length} Debian packages of the sources list are not installed; ${isRoot ? 'run' : 'as root, run'}:\n  ${command}`,
		);
	}
	options.log?.(`debian: installing ${missing.length} packages: ${missing.join(' ')}`);
	if ((await run('apt-get', ['update'])).code !== 0) throw new CorpusSourcesError('apt-get update failed (its output is above)');
	if ((await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing])).code !== 0)
		throw new CorpusSourcesError(`apt-get install failed (its output is above); the command was:\n  ${command}`);
	const still = await missingDebianPackages(missing);
	if (still.length > 0) throw new CorpusSourcesError(`apt-get did not install ${still.join(' ')}`);
}

async function ensureNpmPackages(packages: readonly NpmPackageSpec[], options: PrepareSourcesOptions): Promise<void> {
	if (packages.length === 0) return;
	const missing = await npmPackagesToInstall(options.scratch, packages);
	if (missing.length === 0) {
		options.log?.(`npm: all ${packages.length} packages already in ${options.scratch}/node_modules`);
		return;
	}
	const specs = packages.map((spec) => `${spec.name}@${spec.version}`);
	const args = ['install', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund', '--prefix', options.scratch, ...specs];
	if (!options.install)
		throw new CorpusSourcesError(
			`${missing.length} npm packages are not in ${options.scratch}/node_modules; run:\n  npm ${args.join(' ')}`,
		);
	await mkdir(options.scratch, { recursive: true });
	// A package.json of its own keeps npm from treating a folder above as the project.
	const manifest = path.join(options.scratch, 'package.json');
	if (!existsSync(manifest))
		await writeFile(
			manifest,
			JSON.stringify(
				{ name: 'hearth-corpus-sources', private: true, description: 'Scratch folder of npm run corpus -- --sources' },
				null,
				'\t',
			) + '\n',
		);
	options.log?.(`npm: installing ${packages.length} packages (${missing.length} missing) into ${options.scratch}`);
	if ((await run('npm', args)).code !== 0)
		throw new CorpusSourcesError(`npm install failed (its output is above); the command was:\n  npm ${args.join(' ')}`);
	const still = await npmPackagesToInstall(options.scratch, packages);
	if (still.length > 0)
		throw new CorpusSourcesError(
			`after npm install, these are still missing or at another version: ${still.map((spec) => `${spec.name}@${spec.version}`).join(' ')}`,
		);
}

/** The roots of a sources list as the corpus builder takes them; every folder must exist. */
export function resolveSourcesRoots(sources: CorpusSources, scratch: string): SourceRoot[] {
	const needed = (directory: string, what: string) => {
		if (!existsSync(directory))
			throw new CorpusSourcesError(
				`${what} ${directory} does not exist${what.startsWith('debian') ? ' (is the Debian package that provides it in debian.packages and installed?)' : ''}`,
			);
		// Resolved, because dpkg records real paths (/usr/lib/rustlib/src/rust is a link to /usr/src/rustc-*).
		return realpathSync(directory);
	};
	return sources.roots.map((root): SourceRoot => {
		if (root.kind === 'npm-packages')
			return { kind: 'npm', directory: needed(path.join(scratch, 'node_modules'), 'npm scratch folder') };
		if (root.kind === 'npm') return { kind: 'npm', directory: needed(root.directory, 'npm root') };
		return { kind: 'debian', directory: needed(root.directory, 'debian root'), base: needed(root.base, 'debian root base') };
	});
}

/** Installs what is missing (or says how to), then returns the roots to read. */
export async function prepareCorpusSources(sources: CorpusSources, options: PrepareSourcesOptions): Promise<SourceRoot[]> {
	await ensureDebianPackages(sources.debianPackages, options);
	await ensureNpmPackages(sources.npmPackages, options);
	return resolveSourcesRoots(sources, options.scratch);
}
