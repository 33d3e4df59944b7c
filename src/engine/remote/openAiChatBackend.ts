/**
 * Chat answers from an OpenAI-compatible server's `/chat/completions` (llama-server, Ollama, LM Studio,
 * vLLM, or Hearth's own `npm run serve`): the chat model slot's `server` backend
 * (`hearth.chatModel.backend`). The answer streams as server-sent events and stops when the request's
 * signal aborts (the HTTP request is aborted with it, so the server stops too). It asks for `logprobs`
 * and reads the answer's confidence from them where the server returns them.
 *
 * The server is the one the user named: a redirect elsewhere is refused, never followed (the
 * selection would go to a host nobody chose).
 */

import type { ChatBackend } from '../chat/chatBackend.js';
import type { ChatConfidence, ChatMessage, ChatRequest, ChatResult, ChatStats, ChatStopReason } from '../chat/chatTypes.js';
import type { Logger } from '../logger.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { parseJson } from './completionsProtocol.js';
import { describeHttpError, headersFor, hintFor, listServerModels, networkMessage, serverFetch } from './openAiHttp.js';
import { serverSentEventData } from './serverSentEvents.js';

export interface OpenAiChatOptions {
	/** e.g. http://127.0.0.1:8080/v1 */
	baseUrl: string;
	/** Sent as `model`; empty: the first model the server lists. */
	model: string;
	apiKey?: string;
	logger: Logger;
	/** What countTokens and the prompt check assume the server holds (default 4096 tokens). */
	contextSize?: number;
	/** Longest wait for the server's first byte of an answer (default 60 s: a CPU server evaluates the prompt first). */
	firstByteTimeoutMs?: number;
}

const DEFAULT_CONTEXT_SIZE = 4096;
const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 60_000;
/** A token is about four characters of English or code; each message adds its role markers. */
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 4;

export class OpenAiChatBackend implements ChatBackend {
	readonly contextSize: number;
	/** False once the server refused the `logprobs` field: asked without it from then on. */
	private askLogprobs = true;
	private readonly running = new Set<AbortController>();

	private constructor(
		private readonly options: OpenAiChatOptions & { baseUrl: string },
		/** The model asked for (the setting, or the first one the server lists). */
		readonly model: string,
	) {
		this.contextSize = options.contextSize ?? DEFAULT_CONTEXT_SIZE;
	}

	/** `model @ host`, as the status and the answers name it. */
	get displayName(): string {
		return `${this.model} @ ${new URL(this.options.baseUrl).host}`;
	}

	get baseUrl(): string {
		return this.options.baseUrl;
	}

	/** Checks that the server answers `/models` (and picks the model when none is set) before the slot uses it. */
	static async connect(options: OpenAiChatOptions): Promise<OpenAiChatBackend> {
		const baseUrl = options.baseUrl.replace(/\/+$/, '');
		const { ids: listed } = await listServerModels(baseUrl, options.apiKey, 'chat');
		const model = options.model || listed[0];
		if (!model) {
			throw new ModelLoadError('server-rejected', `The chat server at ${baseUrl} lists no models; set hearth.chatModel.serverModel.`);
		}
		return new OpenAiChatBackend({ ...options, baseUrl }, model);
	}

	/** An estimate: the server tokenizes with its own vocabulary, which this process does not have. */
	countTokens(messages: readonly ChatMessage[]): number {
		return messages.reduce((sum, message) => sum + TOKENS_PER_MESSAGE + Math.ceil(message.content.length / CHARS_PER_TOKEN), 2);
	}

	async generate(request: ChatRequest): Promise<ChatResult> {
		const startedAt = performance.now();
		const stats: ChatStats = {
			promptTokens: this.countTokens(request.messages),
			reusedPromptTokens: 0,
			generatedTokens: 0,
			tokensAfterAbort: 0,
			queuedMs: 0,
			promptMs: 0,
			totalMs: 0,
			tokensPerSecond: 0,
			chatWrapper: 'server',
		};
		const http = new AbortController();
		this.running.add(http);
		const stop = () => http.abort();
		request.signal?.addEventListener('abort', stop, { once: true });
		let firstByteExpired = false;
		const firstByte = setTimeout(() => {
			firstByteExpired = true;
			http.abort();
		}, this.options.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS);
		const logprobs: number[] = [];
		let text = '';
		let stopReason: ChatStopReason = 'end-of-generation';
		let pieces = 0;
		try {
			if (request.signal?.aborted) {
				http.abort();
			}
			const response = await this.post(request, http.signal);
			clearTimeout(firstByte);
			stats.promptMs = performance.now() - startedAt;
			if (!response.body) {
				throw new Error('the server sent no body');
			}
			for await (const data of serverSentEventData(response.body)) {
				if (data.trim() === '[DONE]') {
					break;
				}
				const chunk = readChunk(data);
				if (chunk.error) {
					throw new Error(chunk.error);
				}
				if (chunk.usage?.completion_tokens !== undefined) {
					stats.generatedTokens = chunk.usage.completion_tokens;
				}
				if (chunk.usage?.prompt_tokens !== undefined) {
					stats.promptTokens = chunk.usage.prompt_tokens;
				}
				const choice = chunk.choices?.[0];
				for (const entry of choice?.logprobs?.content ?? []) {
					if (typeof entry?.logprob === 'number' && Number.isFinite(entry.logprob)) {
						logprobs.push(entry.logprob);
					}
				}
				const delta = choice?.delta?.content;
				if (typeof delta === 'string' && delta !== '') {
					if (pieces === 0) {
						// Time to the first token: the server's prompt evaluation, as near as a client can tell.
						stats.promptMs = performance.now() - startedAt;
					}
					pieces++;
					text += delta;
					request.onText?.(delta);
				}
				if (choice?.finish_reason === 'length') {
					stopReason = 'max-tokens';
				}
			}
		} catch (error) {
			if (!(request.signal?.aborted || firstByteExpired)) {
				const detail = error instanceof ModelLoadError ? error.userMessage : networkMessage(error);
				throw new Error(`The chat server at ${this.options.baseUrl} failed: ${detail}`, { cause: error });
			}
			if (firstByteExpired && text === '') {
				throw new Error(`The chat server at ${this.options.baseUrl} did not answer in time.`, { cause: error });
			}
		} finally {
			clearTimeout(firstByte);
			request.signal?.removeEventListener('abort', stop);
			this.running.delete(http);
		}
		if (request.signal?.aborted) {
			stopReason = 'cancelled';
		}
		// A server that sends no usage: its streamed pieces are usually one token each.
		stats.generatedTokens ||= logprobs.length || pieces;
		stats.totalMs = performance.now() - startedAt;
		const generationMs = stats.totalMs - stats.promptMs;
		stats.tokensPerSecond = stats.generatedTokens > 0 ? stats.generatedTokens / Math.max(generationMs / 1000, 1e-3) : 0;
		const confidence = confidenceOf(logprobs);
		return { text, stopReason, stats, ...(confidence ? { confidence } : {}) };
	}

	/** Aborts the answers still streaming. */
	async dispose(): Promise<void> {
		for (const http of this.running) {
			http.abort();
		}
		await Promise.resolve();
	}

	/** Posts the streamed request; once more without `logprobs` when the server refuses that field. */
	private async post(request: ChatRequest, signal: AbortSignal): Promise<Response> {
		const url = `${this.options.baseUrl}/chat/completions`;
		const send = () =>
			serverFetch(url, {
				method: 'POST',
				headers: { ...headersFor(this.options.apiKey), 'Content-Type': 'application/json' },
				body: JSON.stringify(this.body(request)),
				signal,
			});
		let response = await send();
		if (response.status === 400 && this.askLogprobs) {
			const message = await describeHttpError(response);
			if (!/logprob/i.test(message)) {
				throw new ModelLoadError('server-rejected', `/chat/completions answered ${message}`);
			}
			this.askLogprobs = false;
			this.options.logger.warn(`The chat server refuses logprobs (${message}); its answers come without a confidence.`);
			response = await send();
		}
		if (!response.ok) {
			throw new ModelLoadError(
				'server-rejected',
				`/chat/completions answered ${await describeHttpError(response)}${hintFor(response.status)}`,
			);
		}
		return response;
	}

	private body(request: ChatRequest): Record<string, unknown> {
		const stop = request.stop?.filter((text) => text !== '') ?? [];
		return {
			model: this.model,
			messages: request.messages.map(({ role, content }) => ({ role, content })),
			max_tokens: Math.max(1, Math.floor(request.maxTokens)),
			temperature: request.temperature ?? 0,
			...(stop.length > 0 ? { stop } : {}),
			...(this.askLogprobs ? { logprobs: true } : {}),
			stream: true,
			stream_options: { include_usage: true },
		};
	}
}

interface ChatChunk {
	choices?: {
		delta?: { content?: unknown };
		finish_reason?: string | null;
		logprobs?: { content?: { logprob?: unknown }[] | null } | null;
	}[];
	usage?: { prompt_tokens?: number; completion_tokens?: number };
	/** An error after the stream began (OpenAI's shape, as Hearth's own server sends it). */
	error?: string;
}

function readChunk(data: string): ChatChunk {
	const parsed = parseJson(data) as Omit<ChatChunk, 'error'> & { error?: { message?: string } | string };
	const { error, ...chunk } = parsed;
	if (error !== undefined) {
		return { error: typeof error === 'string' ? error : (error.message ?? 'the server reported an error') };
	}
	return chunk;
}

/** Mean and minimum of the answer's token log-probabilities; undefined when the server sent none. */
export function confidenceOf(logprobs: readonly number[]): ChatConfidence | undefined {
	if (logprobs.length === 0) {
		return undefined;
	}
	let sum = 0;
	let min = 0;
	for (const value of logprobs) {
		sum += value;
		min = Math.min(min, value);
	}
	return { meanLogProb: sum / logprobs.length, minLogProb: min, scoredTokens: logprobs.length };
}
