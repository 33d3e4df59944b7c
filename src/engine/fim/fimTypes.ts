/**
 * Shared types for fill-in-the-middle (FIM) prompt construction.
 *
 * A prompt is a list of pieces rather than one string so that the runtime can tokenize
 * the user's text WITHOUT special-token parsing (a file that contains the literal text
 * `<fim_prefix>` must never inject a control token) and the markers WITH it.
 */

/**
 * One part of a prompt.
 *
 * Runtime contract (see also `renderPromptForDisplay`):
 * - `special`: tokenize with special-token parsing; must yield exactly one token
 *   (detection guarantees this for every text in `FimTemplate.requiredSpecialTokens`).
 * - `text`: tokenize verbatim: no special-token parsing, no BOS, and no implicit
 *   SentencePiece leading space (node-llama-cpp: `tokenize(text, false, "trimLeadingSpace")`).
 *   Where a family was trained with a leading space (CodeLlama, Codestral) the template
 *   writes that space into the text itself, so the runtime never has to know.
 * - The runtime prepends BOS itself when the model asks for it (`tokenizer.ggml.add_bos_token`);
 *   templates never include BOS.
 */
export type PromptPiece = { kind: 'special'; text: string } | { kind: 'text'; text: string };

export type FimFamily =
	| 'qwen2.5-coder'
	| 'starcoder'
	| 'starcoder2'
	| 'deepseek-coder'
	| 'codellama'
	| 'codestral'
	| 'codegemma'
	| 'gguf-declared'
	| 'prefix-only';

export interface FimInput {
	/** Text before the cursor (already clamped by the caller). */
	prefix: string;
	/** Text after the cursor (already clamped by the caller). */
	suffix: string;
	/**
	 * Workspace-relative path of the file, used as a file-name header only by families that
	 * were trained with one (Qwen2.5-Coder, StarCoder, StarCoder2); ignored by the others.
	 */
	filePath?: string;
	/**
	 * Text from elsewhere (other files, far parts of this one) laid out ahead of the FIM part by
	 * families trained with a multi-file format; others leave it out. It comes first in the prompt
	 * so that the KV cache of it survives every keystroke.
	 */
	contextChunks?: readonly ContextChunk[];
}

export interface ContextChunk {
	/** Workspace-relative path shown as the chunk's file name. */
	path: string;
	text: string;
}

export interface FimTemplate {
	readonly family: FimFamily;
	readonly displayName: string;
	/** false only for prefix-only: the model sees no text after the cursor. */
	readonly supportsSuffix: boolean;
	/** Layout produced by build(): prefix-suffix-middle or suffix-prefix-middle. */
	readonly order: 'psm' | 'spm';
	/** true when build() lays out `contextChunks` (the family has a trained multi-file format). */
	readonly supportsContextChunks: boolean;
	/** Special-token texts this template can emit; detection checks each is one token in the vocab. */
	readonly requiredSpecialTokens: readonly string[];
	/** Texts that end a completion if generated (besides the model's own end-of-generation tokens). */
	readonly stopStrings: readonly string[];
	build(input: FimInput): PromptPiece[];
}
