import { InputLookupTokenPredictor, LlamaChat, type LlamaContext, type LlamaGrammar, type LlamaModel, type Token } from 'node-llama-cpp';
import { toChatHistory } from '../../engine/chat/chatHistory.js';
import type { ChatMessage, ChatTokenPredictor } from '../../engine/chat/chatTypes.js';
import type { ChatWrapperChoice } from '../../engine/chat/chatWrapperChoice.js';
import type { LoadedModel } from '../../engine/runtime/loadModel.js';

/** Tokens evaluated per batch while filling the prompt, as the chat engine does. */
const PROMPT_CHUNK_TOKENS = 128;

/** node-llama-cpp's stop reasons in the chat engine's words, so that both sections read alike. */
const CHAT_STOP_REASONS: Record<string, string> = {
	maxTokens: 'max-tokens',
	abort: 'cancelled',
	eogToken: 'end-of-generation',
	stopGenerationTrigger: 'end-of-generation',
	customStopTrigger: 'end-of-generation',
};

/** The tokens LlamaChat evaluates for these messages, as the chat engine counts them. */
export function chatPromptTokens(model: LlamaModel, wrapperChoice: ChatWrapperChoice, messages: readonly ChatMessage[]): Token[] {
	return wrapperChoice.wrapper.generateContextState({ chatHistory: toChatHistory(messages) }).contextText.tokenize(model.tokenizer);
}

/**
 * The answer a rewrite that copies its input gives: the first `count` tokens of the fenced code, and
 * whether they appear as such in the user message's tokens (they do unless a token merges across the
 * fence's boundary), i.e. whether a perfect copy is one the input-lookup predictor can find.
 */
export function forcedCopyTokens(
	model: LlamaModel,
	userText: string,
	fencedCode: string,
	count: number,
): { tokens: Token[]; fromInput: boolean } {
	// LlamaChat hands the predictor the last user message tokenised on its own, exactly like this.
	const input = model.tokenize(userText);
	const fenced = model.tokenize(fencedCode);
	return { tokens: fenced.slice(0, count), fromInput: indexOfSequence(input, fenced) >= 0 };
}

/**
 * GBNF that accepts exactly these tokens in this order. llama.cpp's `<[id]>` matches a token by id,
 * so the copy keeps the input's tokenisation: a text literal would let a random model spell the same
 * text with other tokens, which no input lookup predicts.
 */
export function exactTokensGrammar(tokens: readonly Token[]): string {
	return `root ::= ${tokens.map((token) => `<[${token}]>`).join(' ')}`;
}

export interface ForcedRun {
	text: string;
	generatedTokens: number;
	promptTokens: number;
	reusedPromptTokens: number;
	tokensPerSecond: number;
	stopReason: string;
	predictions?: { validated: number; refuted: number };
}

/**
 * The chat engine's generation path (its own one-sequence context, the prompt filled in chunks and
 * kept between requests, LlamaChat with the same wrapper, greedy, no repeat penalty) with a grammar,
 * which the chat engine does not take. Speed is measured as the chat engine measures it. One
 * predictor mode per instance, as a sequence's predictor is fixed when it is made.
 */
export class ForcedCopyChat {
	private constructor(
		private readonly loaded: LoadedModel,
		private readonly wrapperChoice: ChatWrapperChoice,
		private readonly context: LlamaContext,
		private readonly chat: LlamaChat,
		private readonly predictor: ChatTokenPredictor,
	) {}

	static async create(
		loaded: LoadedModel,
		wrapperChoice: ChatWrapperChoice,
		contextSize: number,
		predictor: ChatTokenPredictor,
	): Promise<ForcedCopyChat> {
		const context = await loaded.model.createContext({ contextSize, threads: loaded.info.threads, sequences: 1 });
		const sequence = context.getSequence(predictor === 'input-lookup' ? { tokenPredictor: new InputLookupTokenPredictor() } : {});
		const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: wrapperChoice.wrapper });
		return new ForcedCopyChat(loaded, wrapperChoice, context, chat, predictor);
	}

	async generate(messages: readonly ChatMessage[], grammar: LlamaGrammar, maxTokens: number): Promise<ForcedRun> {
		const startedAt = performance.now();
		const history = toChatHistory(messages);
		const prompt = chatPromptTokens(this.loaded.model, this.wrapperChoice, messages);
		const sequence = this.chat.sequence;
		const { firstDifferentIndex } = sequence.compareContextTokens(prompt);
		const keep = Math.min(firstDifferentIndex, prompt.length - 1);
		if (keep < sequence.nextTokenIndex) {
			await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
		}
		for (let start = keep; start < prompt.length - 1; start += PROMPT_CHUNK_TOKENS) {
			await sequence.evaluateWithoutGeneratingNewTokens(
				prompt.slice(start, Math.min(start + PROMPT_CHUNK_TOKENS, prompt.length - 1)),
			);
		}
		const promptMs = performance.now() - startedAt;
		const before = sequence.tokenPredictions;
		let generatedTokens = 0;
		const response = await this.chat.generateResponse(history, {
			grammar,
			maxTokens,
			temperature: 0,
			repeatPenalty: false,
			onToken: (tokens) => {
				generatedTokens += tokens.length;
			},
		});
		const generationMs = performance.now() - startedAt - promptMs;
		const after = sequence.tokenPredictions;
		return {
			text: response.response,
			generatedTokens,
			promptTokens: prompt.length,
			reusedPromptTokens: keep,
			tokensPerSecond: generatedTokens / Math.max(generationMs / 1000, 1e-3),
			stopReason: CHAT_STOP_REASONS[response.metadata.stopReason] ?? response.metadata.stopReason,
			predictions:
				this.predictor === 'input-lookup'
					? { validated: after.validated - before.validated, refuted: after.refuted - before.refuted }
					: undefined,
		};
	}

	async dispose(): Promise<void> {
		const sequence = this.chat.sequence;
		this.chat.dispose();
		await sequence.dispose();
		await this.context.dispose();
	}
}

function indexOfSequence(haystack: readonly Token[], needle: readonly Token[]): number {
	outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
		for (let offset = 0; offset < needle.length; offset++) {
			if (haystack[start + offset] !== needle[offset]) {
				continue outer;
			}
		}
		return start;
	}
	return -1;
}
