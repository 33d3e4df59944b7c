/**
 * FIM prompt layouts of the model families Hearth knows, each checked against its
 * reference implementation or model card (cited per template).
 *
 * Templates never contain BOS: the runtime adds it when the GGUF asks for it.
 * Text pieces are tokenized verbatim (see `PromptPiece`), so where a reference
 * implementation encodes the prefix with SentencePiece's implicit leading space,
 * the template writes that space explicitly.
 */
import type { ContextChunk, FimFamily, FimInput, FimTemplate, PromptPiece } from './fimTypes.js';
import { joinPieces, special, text } from './promptPieces.js';

// Re-exported so callers can take the template types and the templates from one module.
export type { ContextChunk, FimFamily, FimInput, FimTemplate, PromptPiece } from './fimTypes.js';

interface TemplateSpec {
	family: FimFamily;
	displayName: string;
	order: 'psm' | 'spm';
	supportsSuffix?: boolean;
	requiredSpecialTokens: readonly string[];
	stopStrings: readonly string[];
	layout(input: FimInput): PromptPiece[];
	/** How one context chunk is written ahead of the FIM part, for families with a multi-file format. */
	contextChunk?(chunk: ContextChunk): PromptPiece[];
}

function defineTemplate(spec: TemplateSpec): FimTemplate {
	return Object.freeze({
		family: spec.family,
		displayName: spec.displayName,
		supportsSuffix: spec.supportsSuffix ?? true,
		order: spec.order,
		supportsContextChunks: spec.contextChunk !== undefined,
		requiredSpecialTokens: Object.freeze([...spec.requiredSpecialTokens]),
		stopStrings: Object.freeze([...spec.stopStrings]),
		build: (input: FimInput) => {
			const chunks = spec.contextChunk ? (input.contextChunks ?? []).flatMap((chunk) => chunkPieces(chunk, spec.contextChunk!)) : [];
			return joinPieces([...chunks, ...spec.layout(input)]);
		},
	});
}

/** A chunk without text adds nothing; one without a usable path is still written, under a neutral name. */
function chunkPieces(chunk: ContextChunk, write: (chunk: ContextChunk) => PromptPiece[]): PromptPiece[] {
	if (chunk.text.trim() === '') return [];
	const text = chunk.text.endsWith('\n') ? chunk.text : chunk.text + '\n';
	return write({ path: headerPath(chunk.path) ?? 'context', text });
}

/** A path is only usable as a header when it is non-empty and stays on one line. */
function headerPath(filePath: string | undefined): string | undefined {
	if (filePath === undefined) return undefined;
	const singleLine = filePath.replace(/[\r\n]+/g, ' ').trim();
	return singleLine === '' ? undefined : singleLine;
}

/**
 * SentencePiece encodes a non-empty string with a leading "▁" (its dummy prefix); the
 * CodeLlama and Codestral reference encoders keep it on the prefix and strip it from the
 * suffix, so the prefix text carries an explicit space. An empty prefix encodes to nothing.
 */
function withSentencePieceDummySpace(prefix: string): string {
	return prefix === '' ? '' : ' ' + prefix;
}

// ---------------------------------------------------------------------------------------
// Qwen2.5-Coder
// Source: Qwen2.5-Coder model card / README ("file-level code completion") and technical
// report (arXiv 2409.12186, Figure 4 "Repo-Level FIM format"):
//   <|fim_prefix|>{code_pre}<|fim_suffix|>{code_suf}<|fim_middle|>{code_mid}<|endoftext|>
//   <|repo_name|>{repo}\n<|file_sep|>{path1}\n{content1}\n<|file_sep|>{path3}\n<|fim_prefix|>...
// The file header `<|file_sep|>{path}\n` before <|fim_prefix|> is the trained repo-level form.
// ---------------------------------------------------------------------------------------
const QWEN_STOPS = [
	'<|endoftext|>',
	'<|fim_prefix|>',
	'<|fim_suffix|>',
	'<|fim_middle|>',
	'<|fim_pad|>',
	'<|file_sep|>',
	'<|repo_name|>',
	'<|im_start|>',
	'<|im_end|>',
];

export function createQwenCoderTemplate(options: { withFileHeader: boolean }): FimTemplate {
	const markers = ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'];
	return defineTemplate({
		family: 'qwen2.5-coder',
		displayName: 'Qwen2.5-Coder',
		order: 'psm',
		requiredSpecialTokens: options.withFileHeader ? [...markers, '<|file_sep|>'] : markers,
		stopStrings: QWEN_STOPS,
		// The repo-level form: each other file as `<|file_sep|>{path}\n{content}` before the one being completed.
		contextChunk: options.withFileHeader ? (chunk) => [special('<|file_sep|>'), text(`${chunk.path}\n${chunk.text}`)] : undefined,
		layout: ({ prefix, suffix, filePath }) => {
			const path = options.withFileHeader ? headerPath(filePath) : undefined;
			return [
				...(path !== undefined ? [special('<|file_sep|>'), text(path + '\n')] : []),
				special('<|fim_prefix|>'),
				text(prefix),
				special('<|fim_suffix|>'),
				text(suffix),
				special('<|fim_middle|>'),
			];
		},
	});
}

export const qwenCoderTemplate = createQwenCoderTemplate({ withFileHeader: true });

// ---------------------------------------------------------------------------------------
// StarCoder (1) / StarCoderBase
// Source: bigcode/starcoder model card (`<fim_prefix>…<fim_suffix>…<fim_middle>`) and the
// bigcode Megatron-LM FIM code, which applies FIM to whole documents in both orders
// (fim_spm_rate 0.5): PSM `<fim_prefix>pre<fim_suffix>suf<fim_middle>mid` and SPM
// `<fim_prefix><fim_suffix>suf<fim_middle>pre mid`.
// File-name metadata was prepended to the document text before FIM was applied
// (`<filename>{path}\n{code}`, StarCoder paper), so the header sits at the start of the
// prefix text, after <fim_prefix> (PSM) or after <fim_middle> (SPM).
// ---------------------------------------------------------------------------------------
const STARCODER_STOPS = ['<|endoftext|>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<fim_pad>', '<filename>', '<reponame>'];

export function createStarCoderTemplate(options: { order: 'psm' | 'spm'; withFileNameHeader: boolean; headerToken?: string }): FimTemplate {
	const markers = ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'];
	// StarCoder's own is <filename>; a model trained on StarCoder2's vocabulary (which has none)
	// marks the file name with <file_sep> instead, and declares so in its metadata.
	const headerToken = options.headerToken ?? '<filename>';
	const header = (filePath: string | undefined): PromptPiece[] => {
		const path = options.withFileNameHeader ? headerPath(filePath) : undefined;
		return path !== undefined ? [special(headerToken), text(path + '\n')] : [];
	};
	return defineTemplate({
		family: 'starcoder',
		displayName: options.order === 'spm' ? 'StarCoder (SPM)' : 'StarCoder',
		order: options.order,
		requiredSpecialTokens: options.withFileNameHeader ? [...markers, headerToken] : markers,
		stopStrings: STARCODER_STOPS,
		layout: ({ prefix, suffix, filePath }) =>
			options.order === 'psm'
				? [
						special('<fim_prefix>'),
						...header(filePath),
						text(prefix),
						special('<fim_suffix>'),
						text(suffix),
						special('<fim_middle>'),
					]
				: [
						special('<fim_prefix>'),
						special('<fim_suffix>'),
						text(suffix),
						special('<fim_middle>'),
						...header(filePath),
						text(prefix),
					],
	});
}

export const starCoderTemplate = createStarCoderTemplate({ order: 'psm', withFileNameHeader: true });
/** SPM: generated tokens directly follow the prefix, so typing only appends to the prompt. */
export const starCoderSpmTemplate = createStarCoderTemplate({ order: 'spm', withFileNameHeader: true });

// ---------------------------------------------------------------------------------------
// StarCoder2
// Source: StarCoder2 paper (arXiv 2402.19173, §5.1 "repo-context file-level FIM"):
//   <repo_name>reponame<file_sep>filepath0\ncode0<file_sep><fim_prefix>filepath1\n
//   code1_pre<fim_suffix>code1_suf<fim_middle>code1_mid<file_sep> ...<|endoftext|>
// Note the path is INSIDE the FIM prefix, after `<file_sep><fim_prefix>`. Without a path
// we emit the plain file-level form from the model card.
// ---------------------------------------------------------------------------------------
const STARCODER2_STOPS = ['<|endoftext|>', '<file_sep>', '<repo_name>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<fim_pad>'];

export function createStarCoder2Template(options: { withFileHeader: boolean }): FimTemplate {
	const markers = ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'];
	return defineTemplate({
		family: 'starcoder2',
		displayName: 'StarCoder2',
		order: 'psm',
		requiredSpecialTokens: options.withFileHeader ? [...markers, '<file_sep>'] : markers,
		stopStrings: STARCODER2_STOPS,
		// The repo-context form: `<file_sep>{path}\n{code}` for each file before the FIM one.
		contextChunk: options.withFileHeader ? (chunk) => [special('<file_sep>'), text(`${chunk.path}\n${chunk.text}`)] : undefined,
		layout: ({ prefix, suffix, filePath }) => {
			const path = options.withFileHeader ? headerPath(filePath) : undefined;
			return [
				...(path !== undefined ? [special('<file_sep>')] : []),
				special('<fim_prefix>'),
				...(path !== undefined ? [text(path + '\n')] : []),
				text(prefix),
				special('<fim_suffix>'),
				text(suffix),
				special('<fim_middle>'),
			];
		},
	});
}

export const starCoder2Template = createStarCoder2Template({ withFileHeader: true });

// ---------------------------------------------------------------------------------------
// DeepSeek-Coder (v1 and V2-Lite share the FIM tokens)
// Source: deepseek-ai/DeepSeek-Coder README "Code Insertion":
//   <｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>
// The bars are U+FF5C FULLWIDTH VERTICAL LINE and "▁" is U+2581, exactly as in the vocab.
// `<|EOT|>` (ASCII bars) is the instruct models' end-of-turn token.
// ---------------------------------------------------------------------------------------
const DEEPSEEK_BEGIN = '<\uFF5Cfim\u2581begin\uFF5C>';
const DEEPSEEK_HOLE = '<\uFF5Cfim\u2581hole\uFF5C>';
const DEEPSEEK_END = '<\uFF5Cfim\u2581end\uFF5C>';
const DEEPSEEK_EOS = '<\uFF5Cend\u2581of\u2581sentence\uFF5C>';

export const deepSeekCoderTemplate = defineTemplate({
	family: 'deepseek-coder',
	displayName: 'DeepSeek-Coder',
	order: 'psm',
	requiredSpecialTokens: [DEEPSEEK_BEGIN, DEEPSEEK_HOLE, DEEPSEEK_END],
	stopStrings: ['<|EOT|>', DEEPSEEK_EOS, DEEPSEEK_BEGIN, DEEPSEEK_HOLE, DEEPSEEK_END],
	layout: ({ prefix, suffix }) => [special(DEEPSEEK_BEGIN), text(prefix), special(DEEPSEEK_HOLE), text(suffix), special(DEEPSEEK_END)],
});

// ---------------------------------------------------------------------------------------
// CodeLlama
// Source: facebookresearch/codellama llama/generation.py `infilling_prompt_tokens`:
//   PSM: [BOS, PRE] + encode(pre) + [SUF] + encode_infilling(suf) + [MID]
//        documented there as "<PRE> {pre} <SUF>{suf} <MID>"
//   SPM: [BOS, PRE, SUF] + encode_infilling(suf) + [MID] + encode(pre)
//        documented as "<PRE> <SUF>{suf} <MID> {pre}"
// Spacing, explained: the marker pieces are "▁<PRE>", "▁<SUF>", "▁<MID>" in the
// SentencePiece vocab, which is where the spaces BEFORE <SUF> and <MID> in the textual
// form come from; they are part of the marker tokens, not of the user text. The space
// AFTER <PRE> (and after <MID> in SPM) is SentencePiece's dummy prefix from `encode(pre)`;
// the suffix goes through `encode_infilling`, which strips that dummy space. So: the
// prefix text gets an explicit leading space, the suffix none. Stop token: "▁<EOT>".
// GGUF conversions keep either "<PRE>" or "▁<PRE>" as token text (llama.cpp accepts both),
// so detection picks the spelling the vocabulary actually has.
// ---------------------------------------------------------------------------------------
export interface CodeLlamaMarkers {
	prefix: string;
	suffix: string;
	middle: string;
}

export const CODELLAMA_MARKERS: CodeLlamaMarkers = { prefix: '<PRE>', suffix: '<SUF>', middle: '<MID>' };
export const CODELLAMA_SENTENCEPIECE_MARKERS: CodeLlamaMarkers = {
	prefix: '\u2581<PRE>',
	suffix: '\u2581<SUF>',
	middle: '\u2581<MID>',
};

export function createCodeLlamaTemplate(options: { order: 'psm' | 'spm'; markers?: CodeLlamaMarkers }): FimTemplate {
	const m = options.markers ?? CODELLAMA_MARKERS;
	return defineTemplate({
		family: 'codellama',
		displayName: options.order === 'spm' ? 'CodeLlama (SPM)' : 'CodeLlama',
		order: options.order,
		requiredSpecialTokens: [m.prefix, m.suffix, m.middle],
		// Only <EOT>: "<PRE>" is a plausible literal in HTML, so the markers are not stops.
		// "<EOT>" also matches the detokenized "▁<EOT>" (" <EOT>").
		stopStrings: ['<EOT>'],
		layout: ({ prefix, suffix }) =>
			options.order === 'psm'
				? [special(m.prefix), text(withSentencePieceDummySpace(prefix)), special(m.suffix), text(suffix), special(m.middle)]
				: [special(m.prefix), special(m.suffix), text(suffix), special(m.middle), text(withSentencePieceDummySpace(prefix))],
	});
}

export const codeLlamaTemplate = createCodeLlamaTemplate({ order: 'psm' });
export const codeLlamaSpmTemplate = createCodeLlamaTemplate({ order: 'spm' });

// ---------------------------------------------------------------------------------------
// Codestral
// Source: mistral_common `InstructTokenizerV2.encode_fim`:
//   [BOS, SUFFIX] + _encode_infilling(suffix) + [PREFIX] + encode(prompt)
// and the Mistral cookbook's tokenization guide: "<s>[SUFFIX]suffix[PREFIX] prefix".
// Same SentencePiece dummy-space rule as CodeLlama: the prefix keeps it, the suffix does not.
// The order is SPM: generation continues straight from the prefix.
// ---------------------------------------------------------------------------------------
export const codestralTemplate = defineTemplate({
	family: 'codestral',
	displayName: 'Codestral',
	order: 'spm',
	requiredSpecialTokens: ['[SUFFIX]', '[PREFIX]'],
	// "</s>" as text can also be a closing HTML tag; the runtime should prefer matching it
	// against special tokens only, but it is the family's documented end marker.
	stopStrings: ['</s>'],
	layout: ({ prefix, suffix }) => [special('[SUFFIX]'), text(suffix), special('[PREFIX]'), text(withSentencePieceDummySpace(prefix))],
});

// ---------------------------------------------------------------------------------------
// CodeGemma
// Source: google/codegemma model card ("Code completion"):
//   <|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>
// stopping on <|file_separator|> and the FIM markers. No file-name header is documented.
// ---------------------------------------------------------------------------------------
export const codeGemmaTemplate = defineTemplate({
	family: 'codegemma',
	displayName: 'CodeGemma',
	order: 'psm',
	requiredSpecialTokens: ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
	stopStrings: ['<|file_separator|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<eos>'],
	layout: ({ prefix, suffix }) => [
		special('<|fim_prefix|>'),
		text(prefix),
		special('<|fim_suffix|>'),
		text(suffix),
		special('<|fim_middle|>'),
	],
});

// ---------------------------------------------------------------------------------------
// Prefix-only: a model without FIM still continues the text before the cursor.
// ---------------------------------------------------------------------------------------
export const prefixOnlyTemplate = defineTemplate({
	family: 'prefix-only',
	displayName: 'Prefix only (no fill-in-the-middle)',
	order: 'psm',
	supportsSuffix: false,
	requiredSpecialTokens: [],
	stopStrings: [],
	layout: ({ prefix }) => [text(prefix)],
});

// ---------------------------------------------------------------------------------------
// gguf-declared: the FIM token texts a GGUF declares in tokenizer.ggml.fim_{pre,suf,mid}_token_id
// (or the older prefix_/suffix_/middle_token_id). The declaration says nothing about
// order, so we use PSM, the layout llama.cpp's own /infill uses when a middle token exists.
// ---------------------------------------------------------------------------------------
export interface DeclaredFimTokens {
	prefix: string;
	suffix: string;
	middle: string;
}

export function createDeclaredFimTemplate({ prefix, suffix, middle }: DeclaredFimTokens): FimTemplate {
	return defineTemplate({
		family: 'gguf-declared',
		displayName: `GGUF-declared FIM (${prefix} ${suffix} ${middle})`,
		order: 'psm',
		requiredSpecialTokens: [prefix, suffix, middle],
		// A model that emits one of its FIM markers has started a new infill round.
		stopStrings: [prefix, suffix, middle],
		layout: (input) => [special(prefix), text(input.prefix), special(suffix), text(input.suffix), special(middle)],
	});
}
