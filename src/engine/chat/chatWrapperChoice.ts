import { ChatMLChatWrapper, GeneralChatWrapper, resolveChatWrapper, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';

export interface ChatWrapperChoice {
	wrapper: ChatWrapper;
	/** node-llama-cpp's name for it, e.g. "ChatML", "JinjaTemplate", "General" */
	name: string;
	/** Where it came from: the GGUF's own template, node-llama-cpp's guess from the model's metadata, or ours from the vocabulary. */
	source: 'gguf-template' | 'model-metadata' | 'fallback';
	/** One line for the log. */
	reason: string;
}

/**
 * The chat layout for a model. The GGUF's `tokenizer.chat_template` wins (node-llama-cpp swaps in its
 * specialised wrapper when that renders the same text, else runs the Jinja template); then node-llama-cpp's
 * guess from the model's name, file name or architecture. Base code models often ship without a
 * template, and a Qwen2 one matches no guess: ChatML when the vocabulary
 * has its control tokens (Qwen2.5-Coder base was trained alongside its instruct twin and knows them),
 * else node-llama-cpp's plain-text General layout, which any model can at least continue.
 */
export function chooseChatWrapper(model: LlamaModel): ChatWrapperChoice {
	const template = model.fileInfo.metadata.tokenizer?.chat_template;
	if (typeof template === 'string' && template.trim() !== '') {
		const wrapper = resolveChatWrapper(model);
		return describe(wrapper, 'gguf-template', `the chat template in the GGUF (${wrapper.wrapperName})`);
	}
	const byName = resolveChatWrapper({
		bosString: model.tokens.bosString,
		architecture: model.fileInfo.metadata.general?.architecture,
		filename: model.filename,
		fileInfo: model.fileInfo,
		tokenizer: model.tokenizer,
		warningLogs: false,
	});
	if (byName) {
		return describe(
			byName,
			'model-metadata',
			`no chat template in the GGUF; ${byName.wrapperName}, node-llama-cpp's choice from the model's name, file name or architecture`,
		);
	}
	if (hasControlToken(model, '<|im_start|>') && hasControlToken(model, '<|im_end|>')) {
		return describe(
			new ChatMLChatWrapper(),
			'fallback',
			'no chat template in the GGUF; ChatML, because the vocabulary has its <|im_start|> and <|im_end|> tokens',
		);
	}
	return describe(
		new GeneralChatWrapper(),
		'fallback',
		'no chat template in the GGUF and no known model name; plain-text General layout',
	);
}

function describe(wrapper: ChatWrapper, source: ChatWrapperChoice['source'], reason: string): ChatWrapperChoice {
	return { wrapper, name: wrapper.wrapperName, source, reason };
}

function hasControlToken(model: LlamaModel, text: string): boolean {
	const tokens = model.tokenize(text, true);
	return tokens.length === 1 && model.detokenize(tokens, true) === text;
}
