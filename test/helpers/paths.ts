import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from the compiled test's location (out/test/helpers/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The bundled language server, exactly as the extension ships it. */
export const serverBundlePath = path.join(repoRoot, 'dist', 'server.mjs');
