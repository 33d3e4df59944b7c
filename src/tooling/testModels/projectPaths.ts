// Where generated files go by default: under the project root (the nearest
// folder above this module with a package.json), so the compiled code in
// out/ and the sources agree on models/ regardless of the current directory.

import path from 'node:path';
import { projectRoot as findProjectRoot } from '../projectRoot.js';

export const projectRoot = findProjectRoot();
/** Extracted vocabulary GGUFs (gitignored). */
export const defaultVocabularyDirectory = path.join(projectRoot, 'models', 'vocab');
/** Generated random-weight models (gitignored). */
export const defaultGeneratedModelDirectory = path.join(projectRoot, 'models', 'generated');
