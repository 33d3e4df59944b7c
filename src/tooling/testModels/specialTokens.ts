// Token texts llama.cpp gives special meaning to, copied from its
// src/llama-vocab.cpp (auto-detection of FIM and end-of-generation tokens),
// plus the StarCoder2 names it does not list. Used to set the FIM token ids
// explicitly and to find every token a random model must never generate.

/** llama_token_type values stored in tokenizer.ggml.token_type. */
export enum TokenType {
	UNDEFINED = 0,
	NORMAL = 1,
	UNKNOWN = 2,
	CONTROL = 3,
	USER_DEFINED = 4,
	UNUSED = 5,
	BYTE = 6,
}

export type FimRole = 'prefix' | 'suffix' | 'middle' | 'pad' | 'repository' | 'fileSeparator';

/** Candidate texts per FIM role, most specific first. */
export const fimTokenTexts: Readonly<Record<FimRole, readonly string[]>> = {
	prefix: ['<|fim_prefix|>', '<fim_prefix>', '<fim-prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'],
	suffix: ['<|fim_suffix|>', '<fim_suffix>', '<fim-suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'],
	middle: ['<|fim_middle|>', '<fim_middle>', '<fim-middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'],
	pad: ['<|fim_pad|>', '<fim_pad>', '<fim-pad>', '<PAD>', '[PAD]'],
	// '<repo_name>' and '<file_sep>' are StarCoder2's spellings; llama.cpp only knows Qwen's.
	repository: ['<|repo_name|>', '<|fim_repo|>', '<repo_name>', '<fim-repo>', '<REPO>', '<reponame>'],
	fileSeparator: ['<|file_sep|>', '<file_sep>'],
};

/** The metadata key llama.cpp reads for each FIM role. */
export const fimMetadataKeys: Readonly<Record<FimRole, string>> = {
	prefix: 'tokenizer.ggml.fim_pre_token_id',
	suffix: 'tokenizer.ggml.fim_suf_token_id',
	middle: 'tokenizer.ggml.fim_mid_token_id',
	pad: 'tokenizer.ggml.fim_pad_token_id',
	repository: 'tokenizer.ggml.fim_rep_token_id',
	fileSeparator: 'tokenizer.ggml.fim_sep_token_id',
};

/** Texts llama.cpp treats as end of generation wherever they appear in a vocabulary. */
export const endOfGenerationTexts: ReadonlySet<string> = new Set([
	'<|eot_id|>',
	'<|im_end|>',
	'<|end|>',
	'<|return|>',
	'<|call|>',
	'<|flush|>',
	'<|calls|>',
	'<end_of_turn>',
	'<|endoftext|>',
	'</s>',
	'<|eom_id|>',
	'<EOT>',
	'_<EOT>',
	'<|EOT|>',
	'[EOT]',
	'[EOS]',
	'<|end_of_text|>',
	'<end_of_utterance>',
	'<eos>',
	'<turn|>',
	'<|tool_response>',
	'<｜end▁of▁sentence｜>',
	'[e~[',
]);

/** Metadata keys naming tokens that end generation (or must never be generated). */
export const endOfGenerationIdKeys: readonly string[] = [
	'tokenizer.ggml.eos_token_id',
	'tokenizer.ggml.eot_token_id',
	'tokenizer.ggml.eom_token_id',
	'tokenizer.ggml.bos_token_id',
	'tokenizer.ggml.padding_token_id',
	'tokenizer.ggml.unknown_token_id',
	fimMetadataKeys.pad,
	fimMetadataKeys.repository,
	fimMetadataKeys.fileSeparator,
];

/**
 * The named special tokens Qwen2.5 added after Qwen2's <|endoftext|>,
 * <|im_start|>, <|im_end|>, at their real ids (from Qwen2.5-Coder's
 * tokenizer_config.json). The qwen2 vocabulary file holds "[PAD<id>]"
 * placeholders in these slots; everything else (BPE tokens, merges, 151936
 * rows) is identical between the two tokenizers.
 */
export const qwen25AddedTokens: ReadonlyArray<readonly [id: number, text: string]> = [
	[151646, '<|object_ref_start|>'],
	[151647, '<|object_ref_end|>'],
	[151648, '<|box_start|>'],
	[151649, '<|box_end|>'],
	[151650, '<|quad_start|>'],
	[151651, '<|quad_end|>'],
	[151652, '<|vision_start|>'],
	[151653, '<|vision_end|>'],
	[151654, '<|vision_pad|>'],
	[151655, '<|image_pad|>'],
	[151656, '<|video_pad|>'],
	[151657, '<tool_call>'],
	[151658, '</tool_call>'],
	[151659, '<|fim_prefix|>'],
	[151660, '<|fim_middle|>'],
	[151661, '<|fim_suffix|>'],
	[151662, '<|fim_pad|>'],
	[151663, '<|repo_name|>'],
	[151664, '<|file_sep|>'],
];

/**
 * Token type convert_hf_to_gguf.py gives an added token: "<|...|>" looks
 * special and becomes CONTROL; the rest (e.g. "<tool_call>") stay USER_DEFINED.
 */
export function addedTokenType(text: string): TokenType {
	return text.startsWith('<|') && text.endsWith('|>') ? TokenType.CONTROL : TokenType.USER_DEFINED;
}
