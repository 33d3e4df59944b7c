// Shapes of the random-weight models the project generates. The tiny ones
// exist to exercise tokenizers and prompt formats quickly; the "-shape" ones
// copy real models' layer dimensions exactly so speed and memory measured with
// them match what a real model of that size would cost.

export type TestModelArchitecture = 'llama' | 'qwen2';

/**
 * Tokenizers: a vocabulary file from llama.cpp's test set, optionally with
 * the named special tokens a later model revision added in reserved slots.
 */
export type TestTokenizer = 'starcoder' | 'starcoder1' | 'gpt-2' | 'deepseek-coder' | 'qwen2.5';

/**
 * Token count of each tokenizer's llama.cpp vocabulary file, for listings and
 * estimates only; generation always uses the file's real token list.
 */
export const tokenizerVocabularySizes: Readonly<Record<TestTokenizer, number>> = {
	starcoder: 49152,
	starcoder1: 49152,
	'gpt-2': 50257,
	'deepseek-coder': 32256,
	'qwen2.5': 151936,
};

export interface TestModelShape {
	readonly preset: TestModelPreset;
	readonly description: string;
	/** `general.name`; always says the weights are random. */
	readonly generalName: string;
	readonly architecture: TestModelArchitecture;
	readonly tokenizer: TestTokenizer;
	readonly embeddingLength: number;
	readonly blockCount: number;
	readonly headCount: number;
	readonly headCountKv: number;
	readonly feedForwardLength: number;
	readonly contextLength: number;
	readonly ropeFreqBase: number;
	readonly rmsEpsilon: number;
	/** q/k/v projection biases, as Qwen2 has. */
	readonly attentionBiases: boolean;
	/** Output projection shares token_embd (no output.weight tensor). */
	readonly tiedEmbeddings: boolean;
	/** Embedding rows; the token list is padded to it. Default: the vocabulary's own length. */
	readonly vocabSize?: number;
	/** `tokenizer.chat_template`: a Jinja chat template, as instruct releases carry. */
	readonly chatTemplate?: string;
}

export const testModelPresets = [
	'tiny-fim',
	'tiny-starcoder1',
	'tiny-nofim',
	'tiny-deepseek-coder',
	'tiny-qwen2',
	'tiny-qwen2-instruct',
	'starter-placeholder',
	'qwen2.5-coder-0.5b-shape',
	'qwen2.5-coder-1.5b-shape',
	'starcoder-spm-1.5b-shape',
] as const;

export type TestModelPreset = (typeof testModelPresets)[number];

/** Fast to make and to run: what `makeModels` builds when given no names. */
export const defaultTestModelPresets: readonly TestModelPreset[] = ['tiny-fim', 'tiny-nofim', 'starter-placeholder'];

/** The ChatML Jinja template of Qwen2.5's instruct releases, shortened to its message loop. */
const CHATML_TEMPLATE =
	"{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
	"{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const tinyDimensions = {
	embeddingLength: 64,
	blockCount: 2,
	headCount: 4,
	headCountKv: 2,
	feedForwardLength: 128,
	contextLength: 2048,
} as const;

// Dimensions from Qwen/Qwen2.5-Coder-1.5B's config.json, shared by the two 1.5B shapes.
const qwen15bDimensions = {
	architecture: 'qwen2',
	embeddingLength: 1536,
	blockCount: 28,
	headCount: 12,
	headCountKv: 2,
	feedForwardLength: 8960,
	contextLength: 32768,
	ropeFreqBase: 1000000,
	rmsEpsilon: 1e-6,
	attentionBiases: true,
	tiedEmbeddings: true,
	vocabSize: 151936,
} as const;

// Tiny llama-architecture models get their own output.weight: with tied
// embeddings the end-of-generation rows we zero (see writeRandomModel.ts) would
// also be zero input embeddings, and a prompt made only of such tokens (an
// empty FIM prompt) would leave an all-zero hidden state whose tied logits all
// tie at 0, letting greedy decoding pick token 0, which is an end token in
// StarCoder's vocabulary. Qwen2's random q/k/v biases keep its hidden state
// non-zero, so tied embeddings are safe there (and match the real models).
const shapes: Readonly<Record<TestModelPreset, TestModelShape>> = {
	'tiny-fim': {
		preset: 'tiny-fim',
		description: 'llama architecture, StarCoder vocabulary with FIM tokens, tiny dimensions',
		generalName: 'Hearth tiny-fim (random weights, not a trained model)',
		architecture: 'llama',
		tokenizer: 'starcoder',
		...tinyDimensions,
		ropeFreqBase: 10000,
		rmsEpsilon: 1e-5,
		attentionBiases: false,
		tiedEmbeddings: false,
	},
	'tiny-starcoder1': {
		preset: 'tiny-starcoder1',
		description: 'llama architecture, StarCoder (1) special tokens (<filename>, no <file_sep>), tiny dimensions',
		generalName: 'Hearth tiny-starcoder1 (random weights, not a trained model)',
		architecture: 'llama',
		tokenizer: 'starcoder1',
		...tinyDimensions,
		ropeFreqBase: 10000,
		rmsEpsilon: 1e-5,
		attentionBiases: false,
		tiedEmbeddings: false,
	},
	'tiny-nofim': {
		preset: 'tiny-nofim',
		description: 'llama architecture, GPT-2 vocabulary (no FIM tokens), tiny dimensions',
		generalName: 'Hearth tiny-nofim (random weights, not a trained model)',
		architecture: 'llama',
		tokenizer: 'gpt-2',
		...tinyDimensions,
		ropeFreqBase: 10000,
		rmsEpsilon: 1e-5,
		attentionBiases: false,
		tiedEmbeddings: false,
	},
	'tiny-deepseek-coder': {
		preset: 'tiny-deepseek-coder',
		description: 'llama architecture, DeepSeek-Coder vocabulary and FIM tokens, tiny dimensions',
		generalName: 'Hearth tiny-deepseek-coder (random weights, not a trained model)',
		architecture: 'llama',
		tokenizer: 'deepseek-coder',
		...tinyDimensions,
		ropeFreqBase: 100000,
		rmsEpsilon: 1e-6,
		attentionBiases: false,
		tiedEmbeddings: false,
	},
	'tiny-qwen2': {
		preset: 'tiny-qwen2',
		description: 'qwen2 architecture with q/k/v biases, Qwen2.5 vocabulary and FIM tokens, tiny dimensions',
		generalName: 'Hearth tiny-qwen2 (random weights, not a trained model)',
		architecture: 'qwen2',
		tokenizer: 'qwen2.5',
		...tinyDimensions,
		ropeFreqBase: 1000000,
		rmsEpsilon: 1e-6,
		attentionBiases: true,
		tiedEmbeddings: true,
	},
	'tiny-qwen2-instruct': {
		preset: 'tiny-qwen2-instruct',
		description:
			'qwen2 architecture, Qwen2.5 vocabulary and FIM tokens, and the ChatML chat template instruct releases carry; tiny dimensions',
		generalName: 'Hearth tiny-qwen2-Instruct (random weights, not a trained model)',
		architecture: 'qwen2',
		tokenizer: 'qwen2.5',
		...tinyDimensions,
		ropeFreqBase: 1000000,
		rmsEpsilon: 1e-6,
		attentionBiases: true,
		tiedEmbeddings: true,
		chatTemplate: CHATML_TEMPLATE,
	},
	'starter-placeholder': {
		preset: 'starter-placeholder',
		description: "llama architecture, StarCoder vocabulary, small: the project's default model until a trained one exists",
		generalName: 'Hearth starter placeholder (random weights, not a trained model: completions are gibberish)',
		architecture: 'llama',
		tokenizer: 'starcoder',
		embeddingLength: 256,
		blockCount: 4,
		headCount: 8,
		headCountKv: 4,
		feedForwardLength: 768,
		contextLength: 8192,
		ropeFreqBase: 10000,
		rmsEpsilon: 1e-5,
		attentionBiases: false,
		tiedEmbeddings: false,
	},
	// Dimensions from Qwen/Qwen2.5-Coder-0.5B's config.json.
	'qwen2.5-coder-0.5b-shape': {
		preset: 'qwen2.5-coder-0.5b-shape',
		description: 'exact tensor shapes of Qwen2.5-Coder-0.5B (qwen2, 24 layers, hidden 896), random weights',
		generalName: 'Hearth Qwen2.5-Coder-0.5B shape (random weights, not a trained model)',
		architecture: 'qwen2',
		tokenizer: 'qwen2.5',
		embeddingLength: 896,
		blockCount: 24,
		headCount: 14,
		headCountKv: 2,
		feedForwardLength: 4864,
		contextLength: 32768,
		ropeFreqBase: 1000000,
		rmsEpsilon: 1e-6,
		attentionBiases: true,
		tiedEmbeddings: true,
		vocabSize: 151936,
	},
	'qwen2.5-coder-1.5b-shape': {
		preset: 'qwen2.5-coder-1.5b-shape',
		description: 'exact tensor shapes of Qwen2.5-Coder-1.5B (qwen2, 28 layers, hidden 1536), random weights',
		generalName: 'Hearth Qwen2.5-Coder-1.5B shape (random weights, not a trained model)',
		tokenizer: 'qwen2.5',
		...qwen15bDimensions,
	},
	// The same tensors as the 1.5B shape above (the embedding rows padded to Qwen's 151,936), with
	// StarCoder's tokenizer, whose family was trained with the suffix-prefix-middle order too. It
	// measures what the SPM layout costs at this size: there the text being typed is the end of the
	// prompt, while Qwen's prefix-suffix-middle order puts two markers and the near suffix after it.
	'starcoder-spm-1.5b-shape': {
		preset: 'starcoder-spm-1.5b-shape',
		description: 'tensor shapes of Qwen2.5-Coder-1.5B with StarCoder (1) tokenizer and FIM tokens (PSM and SPM), random weights',
		generalName: 'Hearth 1.5B shape, StarCoder SPM tokenizer (random weights, not a trained model)',
		tokenizer: 'starcoder1',
		...qwen15bDimensions,
	},
};

export function isTestModelPreset(name: string): name is TestModelPreset {
	return (testModelPresets as readonly string[]).includes(name);
}

export function testModelShape(preset: TestModelPreset): TestModelShape {
	const shape = shapes[preset];
	if (shape === undefined) {
		throw new RangeError(`unknown test model preset "${String(preset)}"; known: ${testModelPresets.join(', ')}`);
	}
	return shape;
}

export function headDimension(shape: TestModelShape): number {
	return shape.embeddingLength / shape.headCount;
}
