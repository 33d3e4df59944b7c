import OpenAI from 'openai';
import { adjustedForRejectedParameter, chatRequestBody, initialRequestShape, type ChatRequestShape } from './chatRequestBody.js';
import { FrontierError } from './frontierError.js';
import * as failures from './frontierFailures.js';
import { IdleWatchdog } from './idleWatchdog.js';
import type { OutgoingRequest } from './outgoingRequest.js';
import { abortableSleep, DEFAULT_RETRY, isRetryableStatus, retryAfterMs, retryDelayMs, type RetryOptions } from './retryPolicy.js';

export { FrontierError, type FrontierErrorKind } from './frontierError.js';

/** Where escalations go. The key comes from SecretStorage and lives only as long as one call. */
export interface FrontierEndpoint {
	/** e.g. https://api.openai.com/v1 (the /chat/completions path is added). */
	baseUrl: string;
	model: string;
	organization?: string;
	apiKey: string;
	/** Nothing received for this long (before the first byte or mid-stream) ends the request as a timeout. */
	timeoutMs: number;
	maxOutputTokens: number;
}

export interface FrontierAnswer {
	text: string;
	finishReason?: string;
	usage?: { promptTokens: number; completionTokens: number };
	/** Requests sent, retries included. */
	attempts: number;
	durationMs: number;
}

export interface StreamOptions {
	signal: AbortSignal;
	/** Called with the whole text so far each time more arrives. */
	onText: (textSoFar: string) => void;
	retry?: RetryOptions;
	/** For tests: how to wait before a retry (must reject when `signal` aborts). */
	sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Connection failures where the request certainly never reached a server that could act on it, or a stale keep-alive socket was reset before any answer. */
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Sends `request.messages` (and nothing else of the user's) to the endpoint's chat completions API
 * and streams the answer. The official openai client does the HTTP and the SSE parsing, with its
 * own retries off: this loop retries only what the server certainly did not process (429 within
 * `retry.maxDelayMs` of Retry-After, 502/503/504, a refused or reset connection before any answer),
 * never once the answer has started, so nothing is sent, or billed, twice by accident.
 * Every failure is a FrontierError; its message is for the user and never holds the key.
 */
export async function streamFrontierAnswer(endpoint: FrontierEndpoint, request: OutgoingRequest, options: StreamOptions): Promise<FrontierAnswer> {
	const startedAt = performance.now();
	const retry = options.retry ?? DEFAULT_RETRY;
	const sleep = options.sleep ?? abortableSleep;
	const context: failures.FailureContext = { baseUrl: endpoint.baseUrl, model: endpoint.model, apiKey: endpoint.apiKey, attempts: 0 };
	if (endpoint.apiKey.trim() === '') {
		throw failures.noKey();
	}
	if (!URL.canParse(endpoint.baseUrl)) {
		throw failures.invalidBaseUrl(context);
	}
	const client = new OpenAI({
		apiKey: endpoint.apiKey,
		baseURL: endpoint.baseUrl,
		// Explicit, so that OPENAI_ORG_ID / OPENAI_PROJECT_ID in the editor's environment are not sent along unseen.
		organization: endpoint.organization || null,
		project: null,
		webhookSecret: null,
		maxRetries: 0,
		// The watchdog below is the timeout; this one only backs it up.
		timeout: endpoint.timeoutMs + 5_000,
		// The client would log unparsable events (answer text) to the console; failures are reported as FrontierErrors instead.
		logLevel: 'off',
		// The SDK's platform headers describe this machine (OS, CPU, Node version); the request needs none of that.
		defaultHeaders: { 'X-Stainless-OS': null, 'X-Stainless-Arch': null, 'X-Stainless-Runtime': null, 'X-Stainless-Runtime-Version': null },
	});
	let shape = initialRequestShape(endpoint.baseUrl);
	let retries = 0;
	for (;;) {
		if (options.signal.aborted) {
			throw failures.cancelled(context);
		}
		context.attempts++;
		const outcome = await sendOnce(client, endpoint, request, shape, options);
		if (outcome.kind === 'answered') {
			return { ...outcome.answer, attempts: context.attempts, durationMs: Math.round(performance.now() - startedAt) };
		}
		context.partialText = outcome.partialText;
		if (options.signal.aborted) {
			throw failures.cancelled(context);
		}
		if (outcome.kind === 'failed-after-answer-began') {
			throw failureAfterAnswerBegan(context, endpoint, outcome);
		}
		// Nothing of an answer arrived: the request may be sent again only if the server certainly did not act on it.
		const error = outcome.error;
		if (outcome.timedOut || error instanceof OpenAI.APIConnectionTimeoutError) {
			throw failures.timedOut(context, endpoint.timeoutMs, false);
		}
		if (error instanceof OpenAI.APIError && error.status !== undefined) {
			const adjusted = error.status === 400 ? adjustedForRejectedParameter(shape, error.message, error.param) : undefined;
			if (adjusted) {
				shape = adjusted; // a 400 was not processed: the other parameter name is a new request, not a repeat
				continue;
			}
			const requested = retryAfterMs(error.headers);
			const retryable = isRetryableStatus(error.status) && error.code !== 'insufficient_quota';
			const delay = retryable && retries < retry.maxRetries ? retryDelayMs(retries + 1, retry, requested) : undefined;
			if (delay === undefined) {
				const apiError = (error.error ?? {}) as { message?: string; code?: string | null };
				throw failures.httpFailure(context, error.status, { message: apiError.message ?? error.message, code: error.code }, { retryAfterMs: requested, waitTooLong: retryable && requested !== undefined && requested > retry.maxDelayMs, retryable });
			}
			await wait(sleep, delay, options.signal, context);
			retries++;
			continue;
		}
		const code = connectionErrorCode(error);
		if (code !== undefined && RETRYABLE_CONNECTION_CODES.has(code) && retries < retry.maxRetries) {
			await wait(sleep, retryDelayMs(retries + 1, retry, undefined)!, options.signal, context);
			retries++;
			continue;
		}
		throw failures.unreachable(context, code);
	}
}

type AttemptOutcome =
	| { kind: 'answered'; answer: Omit<FrontierAnswer, 'attempts' | 'durationMs'> }
	/** The request failed before any answer: no response, or an error status. */
	| { kind: 'failed-before-answer'; error: unknown; timedOut: boolean; partialText: string }
	/** The response had begun (status 200) when it failed. */
	| { kind: 'failed-after-answer-began'; error: unknown; timedOut: boolean; partialText: string; chunks: number; invalidChunk: boolean };

/** One request: sent, streamed into `onText`, and what became of it. Never throws. */
async function sendOnce(client: OpenAI, endpoint: FrontierEndpoint, request: OutgoingRequest, shape: ChatRequestShape, options: StreamOptions): Promise<AttemptOutcome> {
	const controller = new AbortController();
	const abort = () => controller.abort();
	options.signal.addEventListener('abort', abort, { once: true });
	const watchdog = new IdleWatchdog(endpoint.timeoutMs, abort);
	let text = '';
	let began = false;
	let chunks = 0;
	let finishReason: string | undefined;
	let usage: FrontierAnswer['usage'];
	try {
		const body = chatRequestBody(endpoint.model, request.messages, endpoint.maxOutputTokens, shape);
		const stream = await client.chat.completions.create(body as OpenAI.Chat.ChatCompletionCreateParamsStreaming, { signal: controller.signal });
		began = true;
		watchdog.touch();
		for await (const chunk of stream) {
			watchdog.touch();
			if (!isChunk(chunk)) {
				return { kind: 'failed-after-answer-began', error: undefined, timedOut: false, partialText: text, chunks, invalidChunk: true };
			}
			chunks++;
			const choice = chunk.choices[0];
			const delta = choice?.delta?.content;
			if (typeof delta === 'string' && delta !== '') {
				text += delta;
				options.onText(text);
			}
			finishReason = choice?.finish_reason ?? finishReason;
			if (chunk.usage) {
				usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
			}
		}
		// The stream ended (or was aborted: the client ends it quietly then).
		if (finishReason !== undefined) {
			return { kind: 'answered', answer: { text, finishReason, usage } };
		}
		return { kind: 'failed-after-answer-began', error: undefined, timedOut: watchdog.hasFired, partialText: text, chunks, invalidChunk: false };
	} catch (error) {
		if (finishReason !== undefined) {
			// The answer was complete; only what follows it (usage, [DONE]) was lost.
			return { kind: 'answered', answer: { text, finishReason, usage } };
		}
		return began
			? { kind: 'failed-after-answer-began', error, timedOut: watchdog.hasFired, partialText: text, chunks, invalidChunk: false }
			: { kind: 'failed-before-answer', error, timedOut: watchdog.hasFired, partialText: text };
	} finally {
		watchdog.stop();
		options.signal.removeEventListener('abort', abort);
		controller.abort(); // a stream left early is closed, so the server stops generating
	}
}

function failureAfterAnswerBegan(context: failures.FailureContext, endpoint: FrontierEndpoint, outcome: Extract<AttemptOutcome, { kind: 'failed-after-answer-began' }>): FrontierError {
	const { error } = outcome;
	if (outcome.timedOut) {
		return failures.timedOut(context, endpoint.timeoutMs, true);
	}
	if (outcome.invalidChunk || error instanceof SyntaxError) {
		return failures.malformed(context, false);
	}
	if (error instanceof OpenAI.APIError) {
		// An `error` event inside the stream: OpenAI's clients raise it without a status.
		const apiError = (error.error ?? {}) as { message?: string; code?: string | null };
		return failures.streamError(context, apiError.message ?? error.message, error.code ?? apiError.code);
	}
	if (error === undefined && outcome.chunks === 0) {
		// A 200 whose body held no events at all: JSON (the server ignored `stream`), or a web page.
		return failures.malformed(context, true);
	}
	return failures.closedMidStream(context);
}

function isChunk(value: unknown): value is OpenAI.Chat.ChatCompletionChunk {
	return typeof value === 'object' && value !== null && Array.isArray((value as { choices?: unknown }).choices);
}

/** The system error code (ECONNREFUSED, UND_ERR_SOCKET…) somewhere down a connection error's causes. */
function connectionErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string') {
			return code;
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

async function wait(sleep: NonNullable<StreamOptions['sleep']>, ms: number, signal: AbortSignal, context: failures.FailureContext): Promise<void> {
	try {
		await sleep(ms, signal);
	} catch (error) {
		if (signal.aborted) {
			throw failures.cancelled(context);
		}
		throw error;
	}
}
