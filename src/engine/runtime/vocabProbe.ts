import type { LlamaModel } from 'node-llama-cpp';
import type { ModelVocabProbe } from '../fim/detectFamily.js';

/** Adapts a loaded model to the engine's model-independent view of its vocabulary. */
export function probeVocabulary(model: LlamaModel): ModelVocabProbe {
	const metadata = model.fileInfo.metadata;
	const infill = model.tokens.infill;
	const declared =
		infill.prefixString !== null && infill.suffixString !== null && infill.middleString !== null
			? { prefix: infill.prefixString, suffix: infill.suffixString, middle: infill.middleString }
			: undefined;
	return {
		architecture: String(metadata.general?.architecture ?? ''),
		name: metadata.general?.name,
		tokenizerPre: metadata.tokenizer?.ggml?.pre,
		tokenizerModel: metadata.tokenizer?.ggml?.model,
		isSingleSpecialToken(text: string): boolean {
			const tokens = model.tokenize(text, true);
			return tokens.length === 1 && model.detokenize(tokens, true) === text;
		},
		declaredFim: declared,
		trainedLayout: trainedLayoutOf(metadata as { hearth?: { fim?: { orders?: unknown; file_header_token?: unknown } } }),
	};
}

/** `hearth.fim.orders` / `hearth.fim.file_header_token`, which Hearth's own exporter writes. */
function trainedLayoutOf(metadata: {
	hearth?: { fim?: { orders?: unknown; file_header_token?: unknown } };
}): ModelVocabProbe['trainedLayout'] {
	const fim = metadata.hearth?.fim;
	if (!Array.isArray(fim?.orders)) {
		return undefined;
	}
	const orders = fim.orders.filter((order): order is string => typeof order === 'string');
	return { orders, fileHeaderToken: typeof fim.file_header_token === 'string' ? fim.file_header_token : undefined };
}
