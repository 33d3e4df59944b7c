/**
 * Source files installed by Debian packages: which package owns a file (dpkg's file lists in
 * /var/lib/dpkg/info/*.list, read once), and its licence from /usr/share/doc/<package>/copyright,
 * matched by the file's path in the upstream tree for machine-readable copyright files.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseDebianCopyright, licenceForPath, type DebianCopyright } from './debianCopyright.js';
import { walkFiles } from './fileWalk.js';
import { classifyFoundFile, type FoundFileSink } from './foundFile.js';
import type { SkipLedger } from './skipLedger.js';

export interface DebianRoot {
	/** The folder to collect from. */
	readonly directory: string;
	/**
	 * The top of the upstream source tree the files came from: header paths and copyright globs are
	 * relative to it (Go's "src/net/http/server.go" is relative to /usr/share/go-1.19).
	 */
	readonly base: string;
}

export interface DebianLocations {
	readonly dpkgInfoDirectory: string;
	readonly docDirectory: string;
}

export const SYSTEM_DEBIAN_LOCATIONS: DebianLocations = { dpkgInfoDirectory: '/var/lib/dpkg/info', docDirectory: '/usr/share/doc' };

/** Reads dpkg's file lists; maps each installed path to the package that owns it. */
export class DebianOwnership {
	private owners: Map<string, string> | undefined;
	private readonly copyrights = new Map<string, DebianCopyright | undefined>();

	constructor(private readonly locations: DebianLocations = SYSTEM_DEBIAN_LOCATIONS) {}

	async ownerOf(file: string): Promise<string | undefined> {
		if (this.owners === undefined) this.owners = await this.readFileLists();
		return this.owners.get(file);
	}

	private async readFileLists(): Promise<Map<string, string>> {
		const owners = new Map<string, string>();
		let names: string[];
		try {
			names = await readdir(this.locations.dpkgInfoDirectory);
		} catch {
			return owners;
		}
		for (const name of names.filter((entry) => entry.endsWith('.list')).sort()) {
			// "libpython3.11-stdlib:amd64.list": the architecture qualifier is not part of the doc folder name.
			const packageName = name.slice(0, -'.list'.length).split(':')[0]!;
			const listing = await readFile(path.join(this.locations.dpkgInfoDirectory, name), 'utf8');
			for (const line of listing.split('\n')) if (line !== '') owners.set(line, packageName);
		}
		return owners;
	}

	async copyrightOf(packageName: string): Promise<DebianCopyright | undefined> {
		if (!this.copyrights.has(packageName)) {
			const file = path.join(this.locations.docDirectory, packageName, 'copyright');
			this.copyrights.set(packageName, existsSync(file) ? parseDebianCopyright(await readFile(file, 'utf8')) : undefined);
		}
		return this.copyrights.get(packageName);
	}
}

/**
 * Passes every file under a Debian root to the sink's checks, with its package and licence. With
 * `packages`, files of other packages are skipped (a sources list names its packages, and what
 * else this machine has installed must not change the corpus).
 */
export async function collectDebianFiles(
	root: DebianRoot,
	ownership: DebianOwnership,
	ledger: SkipLedger,
	sink: FoundFileSink,
	packages?: ReadonlySet<string>,
): Promise<void> {
	// Packages installed into a stdlib folder by pip or by Debian are collected from their own
	// root (/usr/lib/python3/dist-packages), each file with its own package's licence.
	const enter = (directory: string, name: string) => {
		if (name !== 'dist-packages' && name !== 'site-packages') return true;
		ledger.record('third-party-packages-folder', directory);
		return false;
	};
	for await (const file of walkFiles(root.directory, ledger, { enter })) {
		const relativePath = path.relative(root.base, file).split(path.sep).join('/');
		// dpkg records the path it unpacked, which may sit behind a symbolic link we resolved.
		const owner = await ownerOfAnyName(ownership, file);
		if (owner === undefined) {
			ledger.record('not-from-a-debian-package', file);
			continue;
		}
		if (packages !== undefined && !packages.has(owner)) {
			ledger.record('debian-package-not-in-sources-list', `${relativePath} (${owner})`);
			continue;
		}
		const copyright = await ownership.copyrightOf(owner);
		const licence = copyright ? (licenceForPath(copyright, relativePath) ?? 'unknown') : 'unknown';
		await classifyFoundFile({ absolutePath: file, relativePath, origin: `debian:${owner}`, licence }, ledger, sink);
	}
}

async function ownerOfAnyName(ownership: DebianOwnership, file: string): Promise<string | undefined> {
	const direct = await ownership.ownerOf(file);
	if (direct !== undefined) return direct;
	const resolved = await realpath(file).catch(() => file);
	return resolved !== file ? ownership.ownerOf(resolved) : undefined;
}
