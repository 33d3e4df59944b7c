/**
 * Where the default model lives, relative to the extension's (and the repository's) root: the
 * project's own starter code model, trained from scratch by the recipe in models/recipe/ and
 * committed to git (models/README.md is its model card). Q8_0, about 18 MB.
 */
export const BUNDLED_MODEL_RELATIVE_PATH = 'models/starter/hearth-starter-cpu-small.Q8_0.gguf';
