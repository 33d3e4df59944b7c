/**
 * Picks the FIM template for a loaded model from its GGUF metadata and vocabulary.
 *
 * The file name is never consulted: quantizers rename files freely, and a wrong template
 * silently produces garbage completions. Every marker a template emits must tokenize to a
 * single special token, otherwise the model would see the marker spelled out as text.
 */
import type { FimTemplate } from './fimTypes.js';
import {
	CODELLAMA_MARKERS,
	CODELLAMA_SENTENCEPIECE_MARKERS,
	type CodeLlamaMarkers,
	codeGemmaTemplate,
	codestralTemplate,
	createCodeLlamaTemplate,
	createDeclaredFimTemplate,
	createQwenCoderTemplate,
	createStarCoder2Template,
	createStarCoderTemplate,
	deepSeekCoderTemplate,
	prefixOnlyTemplate,
} from './templates.js';

/** What the runtime reads from node-llama-cpp for detection; kept abstract so this stays testable. */
export interface ModelVocabProbe {
	/** general.architecture, e.g. 'qwen2', 'llama', 'starcoder', 'starcoder2', 'gemma', 'deepseek2'. */
	architecture: string;
	/** general.name: a hint only, never decisive alone. */
	name?: string;
	/** tokenizer.ggml.pre, e.g. 'qwen2', 'deepseek-coder', 'starcoder', 'refact'. */
	tokenizerPre?: string;
	/** tokenizer.ggml.model, e.g. 'gpt2', 'llama'. */
	tokenizerModel?: string;
	/** true when `text` tokenizes (with special-token parsing) to exactly one token. */
	isSingleSpecialToken(text: string): boolean;
	/**
	 * FIM token texts declared by the GGUF metadata (tokenizer.ggml.fim_{pre,suf,mid}_token_id,
	 * or the older prefix_/suffix_/middle_token_id), when present.
	 */
	declaredFim?: { prefix: string; suffix: string; middle: string };
	/**
	 * The FIM layout the model says it was trained with (`hearth.fim.orders`, and the token that
	 * starts its file-name header, `hearth.fim.file_header_token`), as Hearth's own starter model
	 * declares: StarCoder markers in both orders, on a vocabulary that also has StarCoder2's tokens.
	 */
	trainedLayout?: { orders: readonly string[]; fileHeaderToken?: string };
}

export interface FimDetection {
	template: FimTemplate;
	/**
	 * A suffix-prefix-middle template of the same family when the model was trained with one
	 * (may be `template` itself when the family is SPM-only). With SPM the generated text
	 * directly follows the prefix, so text typed at the cursor only appends to the prompt.
	 */
	spmTemplate?: FimTemplate;
	/** One human-readable line explaining the choice. */
	reason: string;
}

const QWEN_GEMMA_MARKERS = ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'] as const;
const STARCODER_MARKERS = ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'] as const;
const DEEPSEEK_MARKERS = deepSeekCoderTemplate.requiredSpecialTokens;
const CODESTRAL_MARKERS = codestralTemplate.requiredSpecialTokens;

export function detectFimTemplate(probe: ModelVocabProbe): FimDetection {
	const vocab = new VocabLookup(probe);
	const meta = describeMetadata(probe);
	const notes: string[] = [];

	const detections = [
		detectDeepSeek(vocab, meta),
		detectQwenOrCodeGemma(vocab, probe, meta, notes),
		detectStarCoder(vocab, probe, meta),
		detectCodeLlama(vocab, meta),
		detectCodestral(vocab, meta),
	];
	for (const detection of detections) {
		if (detection !== undefined && isUsable(detection, vocab)) return detection;
	}

	notes.push(...describePartialMarkerSets(vocab));

	if (probe.declaredFim !== undefined) {
		const declared = createDeclaredFimTemplate(probe.declaredFim);
		const detection: FimDetection = {
			template: declared,
			reason: withNotes(`no known FIM family matched; using FIM tokens declared by the GGUF (${meta})`, notes),
		};
		if (isUsable(detection, vocab)) return detection;
		const { prefix, suffix, middle } = probe.declaredFim;
		notes.push(`GGUF declares FIM tokens ${prefix} ${suffix} ${middle} but they are not single special tokens`);
	}

	return {
		template: prefixOnlyTemplate,
		reason: withNotes(`no complete set of FIM tokens in the vocabulary; completing from the prefix only (${meta})`, notes),
	};
}

/** Memoizes the probe: tokenizing is not free and several detectors ask about the same texts. */
class VocabLookup {
	private readonly cache = new Map<string, boolean>();
	constructor(private readonly probe: ModelVocabProbe) {}

	has(tokenText: string): boolean {
		let known = this.cache.get(tokenText);
		if (known === undefined) {
			try {
				known = this.probe.isSingleSpecialToken(tokenText);
			} catch {
				// A tokenizer error means we cannot rely on the token, which is the same as not having it.
				known = false;
			}
			this.cache.set(tokenText, known);
		}
		return known;
	}

	hasAll(tokenTexts: readonly string[]): boolean {
		return tokenTexts.every((t) => this.has(t));
	}
}

function isUsable(detection: FimDetection, vocab: VocabLookup): boolean {
	return (
		vocab.hasAll(detection.template.requiredSpecialTokens) &&
		(detection.spmTemplate === undefined || vocab.hasAll(detection.spmTemplate.requiredSpecialTokens))
	);
}

function detectDeepSeek(vocab: VocabLookup, meta: string): FimDetection | undefined {
	if (!vocab.hasAll(DEEPSEEK_MARKERS)) return undefined;
	return { template: deepSeekCoderTemplate, reason: `DeepSeek-Coder FIM tokens present in vocabulary (${meta})` };
}

/**
 * Qwen2.5-Coder and CodeGemma share the `<|fim_prefix|>` marker spelling, so the markers
 * alone cannot tell them apart. Gemma architectures and the `<|file_separator|>` token mean
 * CodeGemma; `<|file_sep|>` / `<|im_start|>` mean Qwen.
 */
function detectQwenOrCodeGemma(vocab: VocabLookup, probe: ModelVocabProbe, meta: string, notes: string[]): FimDetection | undefined {
	if (!vocab.hasAll(QWEN_GEMMA_MARKERS)) return undefined;

	const gemmaArchitecture = /^gemma/i.test(probe.architecture);
	const hasGemmaSeparator = vocab.has('<|file_separator|>');
	const hasQwenFileSep = vocab.has('<|file_sep|>');
	const hasQwenMarkers = hasQwenFileSep || vocab.has('<|im_start|>');

	if (gemmaArchitecture || (hasGemmaSeparator && !hasQwenMarkers)) {
		const why = gemmaArchitecture ? `architecture=${probe.architecture}` : '<|file_separator|> token';
		return {
			template: codeGemmaTemplate,
			reason: withNotes(
				`CodeGemma FIM tokens present in vocabulary, identified by ${why} (${meta})`,
				nameHint(probe, /code/i, 'CodeGemma'),
			),
		};
	}
	if (hasQwenMarkers) {
		const why = hasQwenFileSep ? '<|file_sep|> token' : '<|im_start|> token';
		return {
			template: createQwenCoderTemplate({ withFileHeader: hasQwenFileSep }),
			reason: withNotes(
				`Qwen2.5-Coder FIM tokens present in vocabulary, identified by ${why} (${meta})`,
				nameHint(probe, /coder/i, 'Qwen Coder'),
			),
		};
	}
	notes.push(
		'<|fim_prefix|> markers found but neither Qwen (<|file_sep|>, <|im_start|>) nor CodeGemma (<|file_separator|>, gemma architecture) could be confirmed',
	);
	return undefined;
}

/** StarCoder2 adds `<file_sep>` (and its own architecture name) to the StarCoder marker set. */
function detectStarCoder(vocab: VocabLookup, probe: ModelVocabProbe, meta: string): FimDetection | undefined {
	if (!vocab.hasAll(STARCODER_MARKERS)) return undefined;

	const trained = probe.trainedLayout;
	if (trained && trained.orders.includes('spm')) {
		// The model's own word beats guessing from the vocabulary: it was trained in both orders.
		const headerToken = trained.fileHeaderToken && vocab.has(trained.fileHeaderToken) ? trained.fileHeaderToken : undefined;
		const layout = { withFileNameHeader: headerToken !== undefined, headerToken };
		return {
			template: createStarCoderTemplate({ order: 'psm', ...layout }),
			spmTemplate: createStarCoderTemplate({ order: 'spm', ...layout }),
			reason: `StarCoder FIM tokens, trained in both orders${headerToken ? ` with ${headerToken} file headers` : ''} as the model declares (hearth.fim.*) (${meta})`,
		};
	}
	const hasFileSep = vocab.has('<file_sep>');
	if (probe.architecture === 'starcoder2' || hasFileSep) {
		const why = probe.architecture === 'starcoder2' ? 'architecture=starcoder2' : '<file_sep> token';
		return {
			template: createStarCoder2Template({ withFileHeader: hasFileSep }),
			reason: `StarCoder2 FIM tokens present in vocabulary, identified by ${why} (${meta})`,
		};
	}
	const withFileNameHeader = vocab.has('<filename>');
	return {
		template: createStarCoderTemplate({ order: 'psm', withFileNameHeader }),
		spmTemplate: createStarCoderTemplate({ order: 'spm', withFileNameHeader }),
		reason: `StarCoder FIM tokens present in vocabulary (${meta})`,
	};
}

function detectCodeLlama(vocab: VocabLookup, meta: string): FimDetection | undefined {
	const markers = [CODELLAMA_MARKERS, CODELLAMA_SENTENCEPIECE_MARKERS].find((m) => vocab.hasAll(markerList(m)));
	if (markers === undefined) return undefined;
	return {
		template: createCodeLlamaTemplate({ order: 'psm', markers }),
		// CodeLlama was trained on both orders (Code Llama paper §2.3; reference infilling_prompt_tokens).
		spmTemplate: createCodeLlamaTemplate({ order: 'spm', markers }),
		reason: `CodeLlama FIM tokens present in vocabulary (${markers.prefix}) (${meta})`,
	};
}

function detectCodestral(vocab: VocabLookup, meta: string): FimDetection | undefined {
	if (!vocab.hasAll(CODESTRAL_MARKERS)) return undefined;
	return {
		template: codestralTemplate,
		spmTemplate: codestralTemplate,
		reason: `Codestral FIM tokens present in vocabulary (${meta})`,
	};
}

function markerList(m: CodeLlamaMarkers): string[] {
	return [m.prefix, m.suffix, m.middle];
}

/** Explains "almost FIM" vocabularies, which are the confusing case when a model falls back to prefix-only. */
function describePartialMarkerSets(vocab: VocabLookup): string[] {
	const sets: readonly (readonly string[])[] = [
		QWEN_GEMMA_MARKERS,
		STARCODER_MARKERS,
		DEEPSEEK_MARKERS,
		markerList(CODELLAMA_MARKERS),
		markerList(CODELLAMA_SENTENCEPIECE_MARKERS),
		CODESTRAL_MARKERS,
	];
	const notes: string[] = [];
	for (const set of sets) {
		const present = set.filter((t) => vocab.has(t));
		if (present.length > 0 && present.length < set.length) {
			const missing = set.filter((t) => !vocab.has(t));
			notes.push(`incomplete FIM token set: has ${present.join(' ')} but lacks ${missing.join(' ')}`);
		}
	}
	return notes;
}

function nameHint(probe: ModelVocabProbe, expected: RegExp, familyWord: string): string[] {
	if (probe.name === undefined || probe.name.trim() === '' || expected.test(probe.name)) return [];
	return [`general.name "${probe.name}" does not look like a ${familyWord} model; its FIM tokens may be untrained`];
}

function describeMetadata(probe: ModelVocabProbe): string {
	const parts = [`architecture=${probe.architecture || 'unknown'}`];
	if (probe.tokenizerPre) parts.push(`tokenizer.ggml.pre=${probe.tokenizerPre}`);
	if (probe.tokenizerModel) parts.push(`tokenizer.ggml.model=${probe.tokenizerModel}`);
	return parts.join(', ');
}

function withNotes(line: string, notes: readonly string[]): string {
	return notes.length === 0 ? line : `${line}; ${notes.join('; ')}`;
}
