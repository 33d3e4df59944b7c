/**
 * Where the default model lives, relative to the extension's (and the repository's) root. Until the
 * project's own trained starter model exists, `npm run setup` generates a random-weight placeholder
 * here with the real StarCoder tokenizer: it exercises every part of the product but its
 * completions are noise.
 */
export const BUNDLED_MODEL_RELATIVE_PATH = 'models/generated/starter-placeholder.Q8_0.gguf';
