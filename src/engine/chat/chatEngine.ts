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
import { answerLogProbs, summarizeLogProbs } from './chatConfidence.js';
import { ChatEngineError } from './chatEngineError.js';
import { toChatHistory } from './chatHistory.js';
import type { ChatConfidence, ChatMessage, ChatRequest, ChatResult, ChatStats, ChatStopReason, ChatTokenPredictor } from './chatTypes.js';
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

interface GeneratedAnswer {
	text: string;
	stopReason: ChatStopReason;
	/** The answer's tokens as LlamaChat reported them (onToken), in order. */
	tokens: Token[];
}

/**
 * Chat generation (explain, refactor, clean up; the server's /chat/completions) on a loaded model.
 * It has its own context of one sequence, made on first use, so a long conversation never evicts the
 * completion engine's KV caches and a model that is never asked to chat costs no memory for it.
 * Requests run one at a time; the KV state of the longest common prompt prefix is kept between them,
 * so a follow-up question only evaluates the new turn.
 *
 * Every answer with at least one token, unless cancelled, carries `confidence`: the model's own log-probabilities of the
 * tokens it answered with (not for a cancelled answer: the CPU goes to what cancelled it). LlamaChat reports
 * no probabilities, and generating with the sequence's lower-level evaluateWithMetadata would mean
 * redoing what LlamaChat does (stop strings, the template's segments and end tokens, held-back
 * text); so the answer is scored after generation in one batched pass over its tokens (see
 * chatConfidence.ts), which is exact for a sampled (temperature > 0) answer too. Its cost is that of
 * evaluating the answer as a prompt. Measured for a 100-token answer on CPU (a busy two-core machine):
 * the 1.5B Qwen2.5-Coder shape, 2 threads, 9–16 s of scoring after 48–62 s of generation (a fifth);
 * the 0.5B shape 6–10 s after 27–30 s; the random-weight tiny-qwen2-instruct, whose whole cost is its
 * 152k-token output layer (which scoring computes again for every token), 175 ms after 140 ms. Not yet
 * measured on a GPU. An engine shut down meanwhile does not score (its answer has no confidence).
 * The scoring leaves prompt and answer in the KV state, so prefix reuse works as before, and a
 * follow-up turn reuses the answer too.
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
		// Scoring the answer is not generation: tokens per second are counted up to its end.
		let generatedAt: number | undefined;
		const finish = (text: string, stopReason: ChatStopReason, confidence?: ChatConfidence): ChatResult => {
			const now = performance.now();
			stats.totalMs = now - startedAt;
			const generationMs = (generatedAt ?? now) - startedAt - stats.promptMs;
			stats.tokensPerSecond = stats.generatedTokens > 0 ? stats.generatedTokens / Math.max(generationMs / 1000, 1e-3) : 0;
			return confidence ? { text, stopReason, stats, confidence } : { text, stopReason, stats };
		};
		let scoringMs = 0;
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
			const answer = await this.generateAnswer(
				session,
				history,
				request,
				maxTokens,
				room,
				signal,
				stats,
				() => abortedAt !== undefined,
			);
			generatedAt = performance.now();
			// A cancelled answer is not scored: the CPU goes to whatever cancelled it (a keystroke's completion
			// preempts an action), and nobody waits for the figure of an answer they stopped.
			const confidence = abortedAt === undefined ? await this.scoreAnswer(session.sequence, prompt, answer.tokens) : undefined;
			scoringMs = performance.now() - generatedAt;
			return finish(answer.text, answer.stopReason, confidence);
		} finally {
			signal.removeEventListener('abort', onAbort);
			this.options.logger.debug(
				`chat: ${stats.promptTokens} prompt tokens (${stats.reusedPromptTokens} reused), ${stats.generatedTokens} generated ` +
					`in ${Math.round(performance.now() - startedAt)} ms (${Math.round(scoringMs)} ms of it scoring) with ${this.wrapperChoice.name}${request.tokenPredictor === 'input-lookup' ? ', input-lookup prediction' : ''}`,
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
	): Promise<GeneratedAnswer> {
		const predictionsBefore = session.sequence.tokenPredictions;
		const tokens: Token[] = [];
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
				onToken: (generated) => {
					tokens.push(...generated);
					stats.generatedTokens += generated.length;
					if (isAborted()) {
						stats.tokensAfterAbort += generated.length;
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
			return { text, stopReason, tokens };
		}
		return { text: streamed, stopReason, tokens };
	}

	/**
	 * The model's confidence in the answer's tokens (see chatConfidence.ts); undefined for an empty
	 * answer, when the engine is shut down meanwhile, or when scoring fails (logged: the answer stands).
	 * The sequence is brought back to the prompt but its last token first: LlamaChat may have evaluated
	 * more than the answer (the tokens of a stop string) and leaves the last generated token out.
	 */
	private async scoreAnswer(sequence: LlamaContextSequence, prompt: Token[], answer: Token[]): Promise<ChatConfidence | undefined> {
		// An answer cut at a stop string is re-tokenised and can, rarely, differ from what was evaluated:
		// never score past the context's end (node-llama-cpp would shift the context instead).
		const tokens = answer.slice(0, Math.max(0, sequence.contextSize - 1 - prompt.length));
		if (tokens.length === 0 || this.disposed) {
			return undefined;
		}
		try {
			await this.evaluatePrompt(sequence, prompt, () => this.disposed);
			const logProbs = this.disposed ? [] : await answerLogProbs(sequence, prompt.at(-1)!, tokens, () => this.disposed);
			return this.disposed ? undefined : summarizeLogProbs(logProbs);
		} catch (error) {
			this.options.logger.warn(`chat: could not score the answer's tokens: ${messageOf(error)}`);
			return undefined;
		}
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
