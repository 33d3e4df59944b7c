/**
 * Walks a directory tree and yields its regular files. Symbolic links are not followed (a link
 * would let one tree be read twice, or escape its root) and version-control and cache folders are
 * not entered; both are recorded in the ledger, so nothing is dropped without a count.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SkipLedger } from './skipLedger.js';

const UNENTERED_DIRECTORIES = new Set(['.git', '.hg', '.svn', '__pycache__', '.cache', '.nyc_output', 'coverage']);

export interface WalkOptions {
	/** Called for each directory before it is entered; return false to leave it (it is then the caller's to count). */
	readonly enter?: (directory: string, name: string) => boolean;
}

export async function* walkFiles(root: string, ledger: SkipLedger, options: WalkOptions = {}): AsyncGenerator<string> {
	const pending = [root];
	while (pending.length > 0) {
		const directory = pending.pop()!;
		let entries: Dirent[];
		try {
			entries = await readdir(directory, { withFileTypes: true });
		} catch (error) {
			ledger.record('unreadable-directory', `${directory} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
			continue;
		}
		// Sorted, so the walk (and every example in the ledger) is the same on every run.
		entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
		const subdirectories: string[] = [];
		for (const entry of entries) {
			const full = path.join(directory, entry.name);
			if (entry.isSymbolicLink()) {
				ledger.record('symbolic-link', full);
			} else if (entry.isDirectory()) {
				if (UNENTERED_DIRECTORIES.has(entry.name)) ledger.record('vcs-or-cache-directory', full);
				else if (options.enter === undefined || options.enter(full, entry.name)) subdirectories.push(full);
			} else if (entry.isFile()) {
				yield full;
			} else {
				ledger.record('not-a-regular-file', full);
			}
		}
		// Reverse so that popping visits them in sorted order.
		pending.push(...subdirectories.reverse());
	}
}
