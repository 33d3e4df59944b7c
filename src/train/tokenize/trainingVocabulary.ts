/**
 * The tokenizer the starter model is trained with: StarCoder's vocabulary, loaded vocabulary-only
 * through node-llama-cpp, so training data is tokenized by exactly the code that tokenizes prompts
 * in the editor. Special token ids are read from the vocabulary, not assumed.
 */
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';
import { SPECIAL_TOKEN_SPELLINGS, type SpecialTokenIds } from './shardFormat.js';

export interface TrainingVocabulary {
	readonly model: LlamaModel;
	readonly vocabSize: number;
	readonly specialTokens: SpecialTokenIds;
	readonly specialTokenTexts: Readonly<Record<keyof SpecialTokenIds, string>>;
	/** Plain text to tokens; special-token spellings inside the text stay text. */
	tokenizeText(text: string): Token[];
	dispose(): Promise<void>;
}

// llama.cpp tries to estimate memory use by loading the model's tensors, which a vocabulary-only
// file does not have; it then falls back to a heuristic. Those lines are noise here.
const VOCAB_ONLY_NOISE = /missing tensor|Failed simulating model resource usage|failed to load model|error loading model/;

let llamaPromise: Promise<Llama> | undefined;

function cpuLlama(): Promise<Llama> {
	llamaPromise ??= getLlama({
		gpu: false,
		build: 'never',
		logLevel: LlamaLogLevel.error,
		logger: (_level, message) => {
			const text = message.trimEnd();
			if (text !== '' && !VOCAB_ONLY_NOISE.test(text)) console.error(`llama.cpp: ${text}`);
		},
	});
	return llamaPromise;
}

export async function loadTrainingVocabulary(vocabularyPath: string): Promise<TrainingVocabulary> {
	const llama = await cpuLlama();
	const model = await llama.loadModel({ modelPath: vocabularyPath, vocabOnly: true });
	const specialTokens = {} as Record<keyof SpecialTokenIds, number>;
	const specialTokenTexts = {} as Record<keyof SpecialTokenIds, string>;
	for (const [name, spellings] of Object.entries(SPECIAL_TOKEN_SPELLINGS) as [keyof SpecialTokenIds, readonly string[]][]) {
		const spelling = spellings.find((candidate) => isSingleSpecialToken(model, candidate));
		if (spelling === undefined) {
			await model.dispose();
			throw new Error(
				`${vocabularyPath}: none of ${spellings.join(', ')} is one special token; this is not a StarCoder-style vocabulary`,
			);
		}
		specialTokens[name] = model.tokenize(spelling, true)[0]! as number;
		specialTokenTexts[name] = spelling;
	}
	const vocabSize = vocabularySize(model);
	if (vocabSize > 65536) {
		await model.dispose();
		throw new Error(`${vocabularyPath}: ${vocabSize} tokens do not fit the shards' uint16 token ids`);
	}
	return {
		model,
		vocabSize,
		specialTokens,
		specialTokenTexts,
		tokenizeText: (text) => model.tokenize(text, false),
		dispose: () => model.dispose(),
	};
}

function isSingleSpecialToken(model: LlamaModel, text: string): boolean {
	const tokens = model.tokenize(text, true);
	return tokens.length === 1 && model.detokenize(tokens, true) === text;
}

function vocabularySize(model: LlamaModel): number {
	const tokens = (model.fileInfo.metadata as unknown as { tokenizer?: { ggml?: { tokens?: unknown[] } } }).tokenizer?.ggml?.tokens;
	if (!Array.isArray(tokens)) throw new Error('the vocabulary file has no tokenizer.ggml.tokens list');
	return tokens.length;
}
