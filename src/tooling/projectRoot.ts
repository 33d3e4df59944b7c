import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder with package.json), wherever the compiled file runs from. */
export function projectRoot(): string {
	let directory = path.dirname(fileURLToPath(import.meta.url));
	while (!fs.existsSync(path.join(directory, 'package.json'))) {
		const parent = path.dirname(directory);
		if (parent === directory) {
			throw new Error('Cannot find the project root (no package.json above this file)');
		}
		directory = parent;
	}
	return directory;
}
