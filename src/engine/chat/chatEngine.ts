import {
	InputLookupTokenPredictor,
	LlamaChat,
	type ChatHistoryItem,
	type LlamaContext,
	type LlamaContextSequence,
	type Token,
} from 'node-llama-cpp';
import type { Logger } from '../logger.js';
import type { LoadedModel } from '../runtime/loadModel.js';
import { messageOf } from '../../shared/errorMessage.js';
import { SerialQueue } from '../scheduling/serialQueue.js';
import { ChatEngineError } from './chatEngineError.js';
import { toChatHistory } from './chatHistory.js';
import type { ChatMessage, ChatRequest, ChatResult, ChatStats, ChatStopReason, ChatTokenPredictor } from './chatTypes.js';
import { chooseChatWrapper, type ChatWrapperChoice } from './chatWrapperChoice.js';

export interface ChatEngineOptions {
	logger: Logger;
	/** Upper bound of the chat context in tokens (default 4096); clipped to what the model was trained with. */
	contextSize?: number;
	/** CPU threads (default: as many as the completion context uses). */
	threads?: number;
}

export const DEFAULT_CHAT_CONTEXT_SIZE = 4096;
/** Tokens evaluated per batch while filling the prompt, so that an abort lands between chunks. */
const PROMPT_CHUNK_TOKENS = 128;

interface ChatSession {
	chat: LlamaChat;
	sequence: LlamaContextSequence;
	predictor: ChatTokenPredictor;
}

/**
 * Chat generation (explain, refactor, clean up; the server's /chat/completions) on a loaded model.
 * It has its own context of one sequence, made on first use, so a long conversation never evicts the
 * completion engine's KV caches and a model that is never asked to chat costs no memory for it.
 * Requests run one at a time; the KV state of the longest common prompt prefix is kept between them,
 * so a follow-up question only evaluates the new turn.
 *
 * The model itself belongs to the caller: dispose() releases the chat context only.
 */
export class ChatEngine {
	private readonly queue = new SerialQueue();
	private readonly wrapperChoice: ChatWrapperChoice;
	private readonly plannedContextSize: number;
	private context?: Promise<LlamaContext>;
	private session?: ChatSession;
	/** Aborts the running request when the engine is disposed. */
	private readonly disposal = new AbortController();
	private disposed = false;

	constructor(
		private readonly loaded: LoadedModel,
		private readonly options: ChatEngineOptions,
	) {
		this.wrapperChoice = chooseChatWrapper(loaded.model);
		this.plannedContextSize = Math.max(256, Math.min(options.contextSize ?? DEFAULT_CHAT_CONTEXT_SIZE, loaded.info.trainContextSize));
		options.logger.info(`Chat layout: ${this.wrapperChoice.reason}`);
	}

	/** Which chat wrapper lays out conversations, where it came from, and why. */
	get chatWrapper(): Omit<ChatWrapperChoice, 'wrapper'> {
		const { name, source, reason } = this.wrapperChoice;
		return { name, source, reason };
	}

	/** Tokens the context holds: prompt and answer together must fit. */
	get contextSize(): number {
		return this.plannedContextSize;
	}

	/** Requests waiting behind the running one. */
	get queuedRequests(): number {
		return this.queue.length;
	}

	/**
	 * Prompt tokens of the conversation as the chat template lays it out, including the opening of the
	 * assistant's turn. A request fits when this plus its maxTokens is below `contextSize`.
	 */
	countTokens(messages: readonly ChatMessage[]): number {
		return this.promptTokens(toChatHistory(messages)).length;
	}

	/**
	 * Generates the assistant's answer. Resolves with stop reason 'cancelled' and the text so far when
	 * the signal aborts; rejects with a ChatEngineError when the conversation does not fit the context.
	 */
	generate(request: ChatRequest): Promise<ChatResult> {
		if (this.disposed) {
			return Promise.reject(new ChatEngineError('disposed', 'The chat engine was shut down.'));
		}
		if (request.messages.length === 0) {
			return Promise.reject(new ChatEngineError('no-messages', 'A chat request needs at least one message.'));
		}
		const queuedAt = performance.now();
		const cancelled = (): ChatResult => ({ text: '', stopReason: 'cancelled', stats: this.emptyStats(performance.now() - queuedAt) });
		return this.queue.run(() => this.run(request, queuedAt), request.signal, cancelled);
	}

	async dispose(): Promise<void> {
		if (this.disposed) {
			return;
		}
		this.disposed = true;
		this.disposal.abort();
		await this.queue.idle();
		if (this.session) {
			this.session.chat.dispose();
			await this.session.sequence.dispose();
			this.session = undefined;
		}
		const context = await this.context?.catch(() => undefined);
		await context?.dispose();
	}

	private async run(request: ChatRequest, queuedAt: number): Promise<ChatResult> {
		if (this.disposed) {
			throw new ChatEngineError('disposed', 'The chat engine was shut down.');
		}
		const startedAt = performance.now();
		const stats = this.emptyStats(startedAt - queuedAt);
		const signal = request.signal ? AbortSignal.any([request.signal, this.disposal.signal]) : this.disposal.signal;
		// Abort is observed through a flag so that the prompt loop stops at the next chunk.
		let abortedAt: number | undefined;
		const onAbort = () => (abortedAt ??= performance.now());
		signal.addEventListener('abort', onAbort, { once: true });
		const finish = (text: string, stopReason: ChatStopReason): ChatResult => {
			stats.totalMs = performance.now() - startedAt;
			const generationMs = stats.totalMs - stats.promptMs;
			stats.tokensPerSecond = stats.generatedTokens > 0 ? stats.generatedTokens / Math.max(generationMs / 1000, 1e-3) : 0;
			return { text, stopReason, stats };
		};
		try {
			if (signal.aborted) {
				return finish('', 'cancelled');
			}
			const history = toChatHistory(request.messages);
			const prompt = this.promptTokens(history);
			stats.promptTokens = prompt.length;
			const session = await this.sessionFor(request.tokenPredictor ?? 'none');
			const contextSize = session.sequence.contextSize;
			// The last position stays free: node-llama-cpp shifts the context (drops the start of the
			// conversation) once it is reached, and a silently shortened question is worse than an error.
			const room = contextSize - 1 - prompt.length;
			if (room < 1) {
				throw new ChatEngineError(
					'prompt-too-long',
					`The conversation is ${prompt.length} tokens long; the chat context holds ${contextSize} tokens, answer included. Shorten the text or raise the context size.`,
					{ promptTokens: prompt.length, contextSize },
				);
			}
			const maxTokens = Math.max(1, Math.min(Math.floor(request.maxTokens), room));

			stats.reusedPromptTokens = await this.evaluatePrompt(session.sequence, prompt, () => abortedAt !== undefined);
			stats.promptMs = performance.now() - startedAt;
			if (abortedAt !== undefined) {
				return finish('', 'cancelled');
			}
			return finish(
				...(await this.generateAnswer(session, history, request, maxTokens, room, signal, stats, () => abortedAt !== undefined)),
			);
		} finally {
			signal.removeEventListener('abort', onAbort);
			this.options.logger.debug(
				`chat: ${stats.promptTokens} prompt tokens (${stats.reusedPromptTokens} reused), ${stats.generatedTokens} generated ` +
					`in ${Math.round(performance.now() - startedAt)} ms with ${this.wrapperChoice.name}${request.tokenPredictor === 'input-lookup' ? ', input-lookup prediction' : ''}`,
			);
		}
	}

	private async generateAnswer(
		session: ChatSession,
		history: ChatHistoryItem[],
		request: ChatRequest,
		maxTokens: number,
		room: number,
		signal: AbortSignal,
		stats: ChatStats,
		isAborted: () => boolean,
	): Promise<[string, ChatStopReason]> {
		const predictionsBefore = session.sequence.tokenPredictions;
		let streamed = '';
		let text: string;
		let stopReason: ChatStopReason;
		try {
			const response = await session.chat.generateResponse(history, {
				signal,
				stopOnAbortSignal: true,
				maxTokens,
				temperature: request.temperature ?? 0,
				// Code repeats its identifiers by nature, and a refactor repeats its input: no penalty for that.
				repeatPenalty: false,
				customStopTriggers: request.stop?.filter((stop) => stop !== ''),
				onTextChunk: (delta) => {
					if (delta === '') {
						return; // node-llama-cpp marks some boundaries with empty chunks; a stream of them is noise
					}
					streamed += delta;
					request.onText?.(delta);
				},
				onToken: (tokens) => {
					stats.generatedTokens += tokens.length;
					if (isAborted()) {
						stats.tokensAfterAbort += tokens.length;
					}
				},
			});
			text = response.response;
			switch (response.metadata.stopReason) {
				case 'abort':
					stopReason = 'cancelled';
					break;
				case 'maxTokens':
					stopReason = maxTokens === room && maxTokens < request.maxTokens ? 'context-full' : 'max-tokens';
					break;
				default:
					stopReason = 'end-of-generation';
			}
		} catch (error) {
			// Aborted before the first token: node-llama-cpp throws the signal's reason instead of answering.
			if (!isAborted()) {
				throw error;
			}
			text = streamed;
			stopReason = 'cancelled';
		}
		if (session.predictor === 'input-lookup') {
			const after = session.sequence.tokenPredictions;
			stats.predictions = {
				validated: after.validated - predictionsBefore.validated,
				refuted: after.refuted - predictionsBefore.refuted,
			};
		}
		// The streamed pieces must add up to the answer: send what node-llama-cpp held back (a possible
		// stop-string start that did not become one) before the answer is final.
		if (text.startsWith(streamed)) {
			if (text.length > streamed.length) {
				request.onText?.(text.slice(streamed.length));
			}
			return [text, stopReason];
		}
		return [streamed, stopReason];
	}

	/**
	 * Keeps the KV state shared with the previous prompt, evaluates the rest but the last token in
	 * chunks (the last goes with the first generation step, which needs its logits), and returns how
	 * many tokens were kept. LlamaChat then finds the prompt already in the sequence and only generates.
	 */
	private async evaluatePrompt(sequence: LlamaContextSequence, tokens: Token[], isAborted: () => boolean): Promise<number> {
		const { firstDifferentIndex } = sequence.compareContextTokens(tokens);
		const keep = Math.min(firstDifferentIndex, tokens.length - 1);
		if (keep < sequence.nextTokenIndex) {
			await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
		}
		for (let start = keep; start < tokens.length - 1 && !isAborted(); start += PROMPT_CHUNK_TOKENS) {
			await sequence.evaluateWithoutGeneratingNewTokens(
				tokens.slice(start, Math.min(start + PROMPT_CHUNK_TOKENS, tokens.length - 1)),
			);
		}
		return keep;
	}

	/** The tokens LlamaChat will evaluate for this history (it tokenises the same context text). */
	private promptTokens(history: ChatHistoryItem[]): Token[] {
		const { contextText } = this.wrapperChoice.wrapper.generateContextState({ chatHistory: history });
		return contextText.tokenize(this.loaded.model.tokenizer);
	}

	/**
	 * The token predictor is fixed when a sequence is made, and the context has one sequence: a request
	 * with the other predictor mode replaces it (and loses the KV state kept for prefix reuse).
	 */
	private async sessionFor(predictor: ChatTokenPredictor): Promise<ChatSession> {
		if (this.session?.predictor === predictor) {
			return this.session;
		}
		const context = await this.ensureContext();
		if (this.session) {
			this.session.chat.dispose();
			await this.session.sequence.dispose();
			this.session = undefined;
		}
		const sequence = context.getSequence(predictor === 'input-lookup' ? { tokenPredictor: new InputLookupTokenPredictor() } : {});
		const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: this.wrapperChoice.wrapper });
		this.session = { chat, sequence, predictor };
		return this.session;
	}

	private ensureContext(): Promise<LlamaContext> {
		this.context ??= this.loaded.model
			.createContext({
				contextSize: this.plannedContextSize,
				threads: this.options.threads ?? this.loaded.info.threads,
				sequences: 1,
			})
			.catch((error: unknown) => {
				this.context = undefined; // a later request may find the memory free again
				throw new ChatEngineError(
					'context-unavailable',
					`Could not create a ${this.plannedContextSize}-token chat context for ${this.loaded.info.displayName}: ${messageOf(error)}`,
					{ contextSize: this.plannedContextSize },
					{ cause: error },
				);
			});
		return this.context;
	}

	private emptyStats(queuedMs: number): ChatStats {
		return {
			promptTokens: 0,
			reusedPromptTokens: 0,
			generatedTokens: 0,
			tokensAfterAbort: 0,
			queuedMs,
			promptMs: 0,
			totalMs: 0,
			tokensPerSecond: 0,
			chatWrapper: this.wrapperChoice.name,
		};
	}
}
