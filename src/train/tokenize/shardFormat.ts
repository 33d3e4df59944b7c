/**
 * The token shard format ("hearth-token-shards/1") shared with the PyTorch trainer
 * (models/recipe/data.py) and the evaluation:
 * - `<split>-NNNNN.tokens.gz`: gzip of little-endian uint16 token ids, documents back to back, each
 *   ending with `<|endoftext|>`;
 * - `<split>-NNNNN.docs.gz`: gzip of little-endian uint32 triples per document
 *   (startToken, tokenCount, headerTokenCount): start within the shard, count including the
 *   trailing `<|endoftext|>`, header = the `<filename>path\n` tokens, so FIM split points can be
 *   chosen after it;
 * - `manifest.json`: the splits, shards, special token ids and vocabulary.
 */

export const SHARD_FORMAT = 'hearth-token-shards/1';
export const MANIFEST_FILE_NAME = 'manifest.json';
export const HELDOUT_FILES_NAME = 'heldout-files.jsonl';

export interface SpecialTokenIds {
	readonly endoftext: number;
	readonly fim_prefix: number;
	readonly fim_middle: number;
	readonly fim_suffix: number;
	readonly fim_pad: number;
	readonly filename: number;
}

/**
 * The spellings each special token may have, first found wins. The document header token is named
 * "filename" in the format, after StarCoder's `<filename>`; but llama.cpp's
 * ggml-vocab-starcoder.gguf is StarCoder2's vocabulary, which has no `<filename>` and uses
 * `<file_sep>` (id 6) before a file's path instead, and that is the header the engine's StarCoder2
 * template writes. The manifest records which spelling was used (`specialTokenTexts`).
 */
export const SPECIAL_TOKEN_SPELLINGS: Readonly<Record<keyof SpecialTokenIds, readonly string[]>> = {
	endoftext: ['<|endoftext|>'],
	fim_prefix: ['<fim_prefix>'],
	fim_middle: ['<fim_middle>'],
	fim_suffix: ['<fim_suffix>'],
	fim_pad: ['<fim_pad>'],
	filename: ['<filename>', '<file_sep>'],
};

export interface ShardEntry {
	readonly tokens: string;
	readonly docs: string;
	readonly documents: number;
	readonly tokenCount: number;
}

export interface LanguageCounts {
	files: number;
	documents: number;
	tokenCount: number;
}

export interface SplitEntry {
	readonly shards: ShardEntry[];
	readonly documents: number;
	readonly tokenCount: number;
	readonly files: number;
	readonly byLanguage: Record<string, LanguageCounts>;
}

export interface ShardManifest {
	readonly format: typeof SHARD_FORMAT;
	readonly vocabulary: string;
	readonly vocabSize: number;
	readonly specialTokens: SpecialTokenIds;
	/** The vocabulary's spelling of each special token above ("filename" is `<file_sep>` in StarCoder2's vocabulary). */
	readonly specialTokenTexts: Readonly<Record<keyof SpecialTokenIds, string>>;
	/** How a document starts, and how the editor's prompt for this vocabulary is laid out, for the trainer's FIM samples. */
	readonly documentLayout: string;
	readonly promptLayout: string;
	readonly maxDocumentTokens: number;
	readonly splits: { readonly train: SplitEntry; readonly heldout: SplitEntry };
	readonly heldoutFiles: string;
	readonly corpus: { readonly file: string; readonly sha1OfRecords: string };
	readonly createdAt: string;
}

export function shardFileNames(split: string, index: number): { tokens: string; docs: string } {
	const number = String(index).padStart(5, '0');
	return { tokens: `${split}-${number}.tokens.gz`, docs: `${split}-${number}.docs.gz` };
}
