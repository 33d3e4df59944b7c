/**
 * Where the default model lives, relative to the extension's (and the repository's) root: the
 * project's own starter code model, trained from scratch by the recipe in models/recipe/ and
 * committed to git (models/README.md is its model card). gpu-base preset, 48M parameters, Q8_0, 53 MB.
 */
export const BUNDLED_MODEL_RELATIVE_PATH = 'models/starter/hearth-starter-gpu-base.Q8_0.gguf';
