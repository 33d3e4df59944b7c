// Where generated files go by default: under the project root (the nearest
// folder above this module with a package.json), so the compiled code in
// out/ and the sources agree on models/ regardless of the current directory.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
	let directory = path.dirname(fileURLToPath(import.meta.url));
	for (;;) {
		if (existsSync(path.join(directory, 'package.json'))) return directory;
		const parent = path.dirname(directory);
		if (parent === directory) return process.cwd();
		directory = parent;
	}
}

export const projectRoot = findProjectRoot();
/** Extracted vocabulary GGUFs (gitignored). */
export const defaultVocabularyDirectory = path.join(projectRoot, 'models', 'vocab');
/** Generated random-weight models (gitignored). */
export const defaultGeneratedModelDirectory = path.join(projectRoot, 'models', 'generated');
