import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';

/**
 * The model bundled with the package, for a server started without
 * `initializationOptions.defaultModelPath` (another editor running `hearth-lsp --stdio`): the
 * bundled model's path under the first folder above this file that holds it. The server runs as
 * dist/server.mjs, so that folder is the package root; from the compiled tree (out/src/server/) it is
 * the repository root. Where no folder holds it, the path under dist/'s parent, so that the error
 * names where the model was expected.
 */
export function bundledModelPath(): string {
	const here = path.dirname(fileURLToPath(import.meta.url));
	for (let directory = here; ; directory = path.dirname(directory)) {
		const candidate = path.join(directory, BUNDLED_MODEL_RELATIVE_PATH);
		if (fs.existsSync(candidate)) {
			return candidate;
		}
		if (path.dirname(directory) === directory) {
			return path.join(path.dirname(here), BUNDLED_MODEL_RELATIVE_PATH);
		}
	}
}
