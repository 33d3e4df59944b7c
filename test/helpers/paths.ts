import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from the compiled test's location (out/test/helpers/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
