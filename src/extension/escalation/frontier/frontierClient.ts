import OpenAI from 'openai';
import { carriesProgress, DEFAULT_TOTAL_TIMEOUT_MS, maxAnswerChars, maxBodyBytes } from './answerLimits.js';
import { adjustedForRejectedParameter, chatRequestBody, initialRequestShape, type ChatRequestShape } from './chatRequestBody.js';
import { FrontierError } from './frontierError.js';
import * as failures from './frontierFailures.js';
import { AnswerTooLargeError, guardedFetch, RedirectRefusedError } from './guardedFetch.js';
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
	/**
	 * The whole escalation, retries and their waits included, ends as a timeout after this long,
	 * however steadily the server sends (default DEFAULT_TOTAL_TIMEOUT_MS).
	 */
	totalTimeoutMs?: number;
	/** Also bounds what is accepted: see maxAnswerChars and maxBodyBytes. */
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
const RETRYABLE_CONNECTION_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'UND_ERR_SOCKET',
	'EAI_AGAIN',
	'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Sends `request.messages` (and nothing else of the user's) to the endpoint's chat completions API
 * and streams the answer. The official openai client does the HTTP and the SSE parsing, with its
 * own retries off: this loop retries only what the server certainly did not process (429 within
 * `retry.maxDelayMs` of Retry-After, 502/503/504, a refused or reset connection before any answer),
 * never once the answer has started, so nothing is sent, or billed, twice by accident.
 * Requests go through guardedFetch: no redirect away from the endpoint's origin is followed, and
 * bodies are size-limited. The answer's text is limited too (maxAnswerChars), and so is the time:
 * `timeoutMs` of nothing (chunks that carry nothing do not count) or `totalTimeoutMs` in all.
 * Every failure is a FrontierError; its message is for the user and never holds the key.
 */
export async function streamFrontierAnswer(
	endpoint: FrontierEndpoint,
	request: OutgoingRequest,
	options: StreamOptions,
): Promise<FrontierAnswer> {
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
	const totalTimeoutMs = endpoint.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
	// One signal for both ways of stopping: the user's cancel and the total time limit.
	const stop = new AbortController();
	let stopReason: 'cancelled' | 'out-of-time' | undefined;
	const stopFor = (reason: 'cancelled' | 'out-of-time') => {
		stopReason ??= reason;
		stop.abort();
	};
	const cancel = () => stopFor('cancelled');
	options.signal.addEventListener('abort', cancel, { once: true });
	if (options.signal.aborted) {
		cancel();
	}
	const deadline = setTimeout(() => stopFor('out-of-time'), totalTimeoutMs);
	const stopped = () =>
		stopReason === 'out-of-time' ? failures.totalTimeExceeded(context, totalTimeoutMs) : failures.cancelled(context);
	try {
		let shape = initialRequestShape(endpoint.baseUrl);
		let retries = 0;
		for (;;) {
			if (stop.signal.aborted) {
				throw stopped();
			}
			context.attempts++;
			const outcome = await sendOnce(endpoint, request, shape, stop.signal, options.onText);
			if (outcome.kind === 'answered') {
				return { ...outcome.answer, attempts: context.attempts, durationMs: Math.round(performance.now() - startedAt) };
			}
			context.partialText = outcome.partialText;
			if (stop.signal.aborted) {
				throw stopped();
			}
			if (outcome.kind === 'failed-after-answer-began') {
				throw failureAfterAnswerBegan(context, endpoint, outcome);
			}
			// Nothing of an answer arrived: the request may be sent again only if the server certainly did not act on it.
			const error = outcome.error;
			const refusal = causeOf(error, RedirectRefusedError);
			if (refusal) {
				throw failures.redirected(context, refusal);
			}
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
					throw failures.httpFailure(
						context,
						error.status,
						{ message: apiError.message ?? error.message, code: error.code },
						{
							retryAfterMs: requested,
							waitTooLong: retryable && requested !== undefined && requested > retry.maxDelayMs,
							retryable,
						},
					);
				}
				await wait(sleep, delay, stop.signal, stopped);
				retries++;
				continue;
			}
			const code = connectionErrorCode(error);
			if (code !== undefined && RETRYABLE_CONNECTION_CODES.has(code) && retries < retry.maxRetries) {
				await wait(sleep, retryDelayMs(retries + 1, retry, undefined)!, stop.signal, stopped);
				retries++;
				continue;
			}
			throw failures.unreachable(context, code);
		}
	} finally {
		clearTimeout(deadline);
		options.signal.removeEventListener('abort', cancel);
	}
}

/** The openai client for one request: its own retries off, its fetch the guarded one. */
function frontierClient(endpoint: FrontierEndpoint, fetch: typeof globalThis.fetch): OpenAI {
	return new OpenAI({
		apiKey: endpoint.apiKey,
		baseURL: endpoint.baseUrl,
		// Explicit, so that OPENAI_ORG_ID / OPENAI_PROJECT_ID in the editor's environment are not sent along unseen.
		organization: endpoint.organization || null,
		project: null,
		webhookSecret: null,
		maxRetries: 0,
		// The watchdog is the timeout; this one (until the response headers) only backs it up.
		timeout: endpoint.timeoutMs + 5_000,
		// The client would log unparsable events (answer text) to the console; failures are reported as FrontierErrors instead.
		logLevel: 'off',
		// The SDK's platform headers describe this machine (OS, CPU, Node version); the request needs none of that.
		defaultHeaders: {
			'X-Stainless-OS': null,
			'X-Stainless-Arch': null,
			'X-Stainless-Runtime': null,
			'X-Stainless-Runtime-Version': null,
		},
		fetch,
	});
}

type AttemptOutcome =
	| { kind: 'answered'; answer: Omit<FrontierAnswer, 'attempts' | 'durationMs'> }
	/** The request failed before any answer: no response, or an error status. */
	| { kind: 'failed-before-answer'; error: unknown; timedOut: boolean; partialText: string }
	/** The response had begun (status 200) when it failed. */
	| { kind: 'failed-after-answer-began'; error: unknown; timedOut: boolean; partialText: string; chunks: number; invalidChunk: boolean };

/** One request: sent, streamed into `onText`, and what became of it. Never throws. */
async function sendOnce(
	endpoint: FrontierEndpoint,
	request: OutgoingRequest,
	shape: ChatRequestShape,
	signal: AbortSignal,
	onText: StreamOptions['onText'],
): Promise<AttemptOutcome> {
	const controller = new AbortController();
	const abort = () => controller.abort();
	signal.addEventListener('abort', abort, { once: true });
	const watchdog = new IdleWatchdog(endpoint.timeoutMs, abort);
	const client = frontierClient(
		endpoint,
		guardedFetch({
			origin: new URL(endpoint.baseUrl).origin,
			maxBodyBytes: maxBodyBytes(endpoint.maxOutputTokens),
			onBodyBytes: () => watchdog.touch(),
		}),
	);
	const maxChars = maxAnswerChars(endpoint.maxOutputTokens);
	let text = '';
	let began = false;
	let chunks = 0;
	let finishReason: string | undefined;
	let usage: FrontierAnswer['usage'];
	try {
		const body = chatRequestBody(endpoint.model, request.messages, endpoint.maxOutputTokens, shape);
		const stream = await client.chat.completions.create(body as OpenAI.Chat.ChatCompletionCreateParamsStreaming, {
			signal: controller.signal,
		});
		began = true;
		watchdog.touch();
		for await (const chunk of stream) {
			if (!isChunk(chunk)) {
				return {
					kind: 'failed-after-answer-began',
					error: undefined,
					timedOut: false,
					partialText: text,
					chunks,
					invalidChunk: true,
				};
			}
			chunks++;
			if (carriesProgress(chunk)) {
				watchdog.touch(); // a keep-alive chunk is not the server sending something
			}
			const choice = chunk.choices[0];
			const delta = choice?.delta?.content;
			if (typeof delta === 'string' && delta !== '') {
				if (text.length + delta.length > maxChars) {
					text += delta.slice(0, maxChars - text.length);
					onText(text);
					return {
						kind: 'failed-after-answer-began',
						error: new AnswerTooLargeError('characters', maxChars),
						timedOut: false,
						partialText: text,
						chunks,
						invalidChunk: false,
					};
				}
				text += delta;
				onText(text);
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
		return {
			kind: 'failed-after-answer-began',
			error: undefined,
			timedOut: watchdog.hasFired,
			partialText: text,
			chunks,
			invalidChunk: false,
		};
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
		signal.removeEventListener('abort', abort);
		controller.abort(); // a stream left early is closed, so the server stops generating
	}
}

function failureAfterAnswerBegan(
	context: failures.FailureContext,
	endpoint: FrontierEndpoint,
	outcome: Extract<AttemptOutcome, { kind: 'failed-after-answer-began' }>,
): FrontierError {
	const { error } = outcome;
	if (outcome.timedOut) {
		// Headers and keep-alive chunks alone are not an answer having started.
		return failures.timedOut(context, endpoint.timeoutMs, outcome.partialText !== '');
	}
	const tooLarge = causeOf(error, AnswerTooLargeError);
	if (tooLarge) {
		return failures.tooLarge(context, tooLarge.unit, tooLarge.limit, endpoint.maxOutputTokens);
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

/** `error`, or the first of its causes, that is a `type`: the SDK wraps what its fetch throws. */
function causeOf<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
		if (current instanceof type) {
			return current;
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
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

async function wait(
	sleep: NonNullable<StreamOptions['sleep']>,
	ms: number,
	signal: AbortSignal,
	stopped: () => FrontierError,
): Promise<void> {
	try {
		await sleep(ms, signal);
	} catch (error) {
		if (signal.aborted) {
			throw stopped();
		}
		throw error;
	}
}
