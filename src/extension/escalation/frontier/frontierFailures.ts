import { redactSecrets } from '../redaction/index.js';
import { FrontierError } from './frontierError.js';

/**
 * The user-facing errors of an escalation, one function per way it can fail. Each message says what
 * happened and what to do. A server's own words are included where they help (a 400 saying what it
 * disliked), cleaned first: see serverDetail.
 */

export const SET_KEY_COMMAND = '“Hearth: Set Frontier API Key”';

export interface FailureContext {
	baseUrl: string;
	model: string;
	apiKey: string;
	attempts: number;
	partialText?: string;
}

/** The host a user recognises ("api.openai.com"), or the whole base URL when it does not parse. */
export function hostOf(baseUrl: string): string {
	try {
		return new URL(baseUrl).host;
	} catch {
		return baseUrl;
	}
}

/**
 * A server's error text fit to show: the API key removed (OpenAI's 401 quotes part of it), any
 * other secret the detector finds redacted, one line, and short.
 */
export function serverDetail(text: string | undefined, apiKey: string): string {
	if (!text) {
		return '';
	}
	let cleaned = apiKey.length > 0 ? text.split(apiKey).join('[API key]') : text;
	cleaned = redactSecrets(cleaned).text.replace(/\s+/g, ' ').trim();
	return cleaned.length > 300 ? `${cleaned.slice(0, 299)}…` : cleaned;
}

function withDetail(message: string, detail: string): string {
	return detail ? `${message} The server said: ${detail}` : message;
}

export function noKey(): FrontierError {
	return new FrontierError('no-key', `No API key is set for the frontier model. Set one with ${SET_KEY_COMMAND}.`, { attempts: 0 });
}

export function cancelled(context: FailureContext): FrontierError {
	return new FrontierError('cancelled', 'The escalation was cancelled.', {
		attempts: context.attempts,
		partialText: context.partialText,
	});
}

export function invalidBaseUrl(context: FailureContext): FrontierError {
	return new FrontierError(
		'unreachable',
		`The frontier base URL “${context.baseUrl}” is not a valid URL; it should look like https://api.openai.com/v1. Fix it in the settings.`,
		{ attempts: context.attempts },
	);
}

export function unreachable(context: FailureContext, code: string | undefined): FrontierError {
	const why = code ? ` (${describeConnectionCode(code)})` : '';
	const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
	return new FrontierError(
		'unreachable',
		`Could not connect to ${context.baseUrl}${why}${tries}. Check the base URL, your network connection and any proxy.`,
		{
			attempts: context.attempts,
			retryable: true,
		},
	);
}

function describeConnectionCode(code: string): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'connection refused: nothing is listening there';
		case 'ENOTFOUND':
			return 'the host name does not resolve';
		case 'EAI_AGAIN':
			return 'the host name could not be resolved just now';
		case 'ECONNRESET':
		case 'UND_ERR_SOCKET':
			return 'the connection was reset';
		case 'UND_ERR_CONNECT_TIMEOUT':
		case 'ETIMEDOUT':
			return 'connecting timed out';
		case 'CERT_HAS_EXPIRED':
		case 'DEPTH_ZERO_SELF_SIGNED_CERT':
		case 'SELF_SIGNED_CERT_IN_CHAIN':
		case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
			return `its TLS certificate is not trusted: ${code}`;
		default:
			return code;
	}
}

export function timedOut(context: FailureContext, timeoutMs: number, answerStarted: boolean): FrontierError {
	const seconds = Math.round(timeoutMs / 100) / 10;
	const when = answerStarted ? 'mid-answer' : 'before the answer started';
	return new FrontierError(
		'timeout',
		`${hostOf(context.baseUrl)} sent nothing for ${seconds} s ${when}, so Hearth gave up. Try again, or raise the frontier timeout in the settings.`,
		{
			attempts: context.attempts,
			partialText: context.partialText,
			retryable: true,
		},
	);
}

export function malformed(context: FailureContext, notAStream: boolean): FrontierError {
	const what = notAStream
		? 'answered, but not with a stream of chat completion events'
		: 'sent an answer that is not valid JSON in OpenAI’s streaming format';
	return new FrontierError(
		'malformed',
		`${hostOf(context.baseUrl)} ${what}. Check that the base URL points at an OpenAI-compatible API (it usually ends in /v1).`,
		{
			attempts: context.attempts,
			partialText: context.partialText,
		},
	);
}

export function closedMidStream(context: FailureContext): FrontierError {
	const received = context.partialText ? ` (${context.partialText.length} characters had arrived and are kept)` : '';
	return new FrontierError(
		'closed-mid-stream',
		`The connection to ${hostOf(context.baseUrl)} closed before the answer was complete${received}. Try again for a complete answer.`,
		{
			attempts: context.attempts,
			partialText: context.partialText,
			retryable: true,
		},
	);
}

/**
 * A redirect that was not followed: to another origin (nothing was sent there), a 301/302/303 that
 * would resend the request as a GET, a Location that is not a URL, or too many in a row.
 */
export function redirected(
	context: FailureContext,
	refusal: { status: number; from: URL; to: URL | undefined; why: 'other-origin' | 'method-change' | 'too-many' | 'bad-location' },
): FrontierError {
	const from = refusal.from.host;
	const to =
		refusal.to === undefined
			? 'an address that is not a URL'
			: refusal.to.protocol === refusal.from.protocol
				? refusal.to.host
				: refusal.to.origin;
	const status = refusal.status > 0 ? ` (${refusal.status})` : '';
	const moved = 'If the API has moved, set hearth.escalation.baseUrl to its new address (it usually ends in /v1).';
	let message: string;
	switch (refusal.why) {
		case 'other-origin':
			message = `${from} redirected the request${status} to ${to}, another server. Hearth sends your code only to the endpoint the preview named, so nothing was sent to ${to}. ${moved}`;
			break;
		case 'method-change':
			message = `${from} redirected the request${status} to ${to}${shortened(refusal.to?.pathname ?? '', 80)}, which would send it again as a GET without its content. Hearth follows only 307 and 308 redirects, on the same server. ${moved}`;
			break;
		case 'bad-location':
			message = `${from} redirected the request${status} to ${to}. ${moved}`;
			break;
		case 'too-many':
			message = `${from} redirected the request${status} to ${to} too many times in a row, so Hearth gave up. ${moved}`;
			break;
	}
	return new FrontierError('redirected', message, {
		status: refusal.status > 0 ? refusal.status : undefined,
		attempts: context.attempts,
		partialText: context.partialText,
	});
}

function shortened(text: string, length: number): string {
	return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The answer passed the size it could have at `maxOutputTokens` (text), or its body passed the byte limit. */
export function tooLarge(context: FailureContext, unit: 'characters' | 'bytes', limit: number, maxOutputTokens: number): FrontierError {
	const kept = context.partialText ? ` The first ${context.partialText.length} characters are kept.` : '';
	const what = unit === 'characters' ? `more than ${limit} characters of answer` : `a response body larger than ${limit} bytes`;
	return new FrontierError(
		'too-large',
		`${hostOf(context.baseUrl)} sent ${what}, far more than an answer of at most ${maxOutputTokens} tokens (hearth.escalation.maxOutputTokens) can hold, so Hearth stopped reading.${kept}`,
		{
			attempts: context.attempts,
			partialText: context.partialText,
		},
	);
}

/** The whole escalation, retries included, took longer than the total time limit (the server may still have been sending). */
export function totalTimeExceeded(context: FailureContext, totalTimeoutMs: number): FrontierError {
	const seconds = Math.round(totalTimeoutMs / 100) / 10;
	const kept = context.partialText ? ` The ${context.partialText.length} characters that had arrived are kept.` : '';
	return new FrontierError(
		'timeout',
		`${hostOf(context.baseUrl)} had not finished answering after ${seconds} s, the most an escalation may take (hearth.escalation.totalTimeoutSeconds), so Hearth stopped it.${kept}`,
		{
			attempts: context.attempts,
			partialText: context.partialText,
		},
	);
}

/** An error the server reported inside the stream, after the answer had begun (no HTTP status any more). */
export function streamError(context: FailureContext, message: string | undefined, code: string | null | undefined): FrontierError {
	const detail = serverDetail(message, context.apiKey);
	if (isContextLengthError(code, message)) {
		return contextTooLong(context, detail);
	}
	return new FrontierError('server-error', withDetail(`${hostOf(context.baseUrl)} reported an error mid-answer.`, detail), {
		attempts: context.attempts,
		partialText: context.partialText,
	});
}

export function isContextLengthError(code: string | null | undefined, message: string | undefined): boolean {
	return (
		code === 'context_length_exceeded' ||
		code === 'string_above_max_length' ||
		/context[ _-]?(?:length|window)|maximum context|too many tokens|prompt is too long|input is too long/i.test(message ?? '')
	);
}

function contextTooLong(context: FailureContext, detail: string): FrontierError {
	return new FrontierError(
		'context-too-long',
		withDetail(
			`The request is too long for ${context.model}’s context window. Select less code, or choose a model with a longer context.`,
			detail,
		),
		{
			status: 400,
			attempts: context.attempts,
			partialText: context.partialText,
		},
	);
}

/** The error for an HTTP error status, before any of the answer arrived. */
export function httpFailure(
	context: FailureContext,
	status: number,
	error: { message?: string; code?: string | null },
	options: { retryAfterMs?: number; waitTooLong?: boolean; retryable: boolean },
): FrontierError {
	const host = hostOf(context.baseUrl);
	const detail = serverDetail(error.message, context.apiKey);
	const details = { status, attempts: context.attempts, retryable: options.retryable };
	const tries = context.attempts > 1 ? ` (after ${context.attempts} attempts)` : '';
	if (status === 401) {
		// No server detail: OpenAI's 401 quotes the start and end of the rejected key.
		return new FrontierError('unauthorized', `${host} rejected the API key (401). Set a new one with ${SET_KEY_COMMAND}.`, details);
	}
	if (status === 403) {
		return new FrontierError(
			'unauthorized',
			withDetail(
				`${host} refused the request (403): the API key may not have access to ${context.model}, or to the organization set. Check the key’s permissions, or set another with ${SET_KEY_COMMAND}.`,
				detail,
			),
			details,
		);
	}
	if (status === 404) {
		return new FrontierError(
			'not-found',
			withDetail(
				`${host} answered 404 Not Found for ${chatCompletionsUrl(context.baseUrl)} with model “${context.model}”. Check the model name, and the base URL: it usually ends in /v1.`,
				detail,
			),
			details,
		);
	}
	if (status === 429) {
		if (error.code === 'insufficient_quota') {
			return new FrontierError(
				'rate-limited',
				withDetail(
					`${host} refused the request: the account is out of quota (429). Check the plan and billing for this API key.`,
					detail,
				),
				{ ...details, retryable: false },
			);
		}
		const wait = options.retryAfterMs !== undefined ? ` and asks to wait ${Math.ceil(options.retryAfterMs / 1000)} s` : '';
		const longWait = options.waitTooLong ? ' That is longer than Hearth waits on its own.' : '';
		return new FrontierError(
			'rate-limited',
			`${host} is rate-limiting requests (429)${wait}${tries}.${longWait} Try again later, or check the rate limits of your plan.`,
			details,
		);
	}
	if (status === 400 || status === 413 || status === 422) {
		if (status === 413 || isContextLengthError(error.code, error.message)) {
			return contextTooLong({ ...context }, detail);
		}
		return new FrontierError('bad-request', withDetail(`${host} rejected the request (${status}).`, detail), details);
	}
	if (status === 502 || status === 503 || status === 504) {
		return new FrontierError(
			'server-error',
			withDetail(`${host} is unavailable (${status})${tries}. Try again later.`, detail),
			details,
		);
	}
	if (status >= 500) {
		return new FrontierError(
			'server-error',
			withDetail(
				`${host} had an internal error (${status}). Hearth does not retry this on its own, because the request may already have been processed (and billed); try again if you want to.`,
				detail,
			),
			details,
		);
	}
	return new FrontierError('bad-request', withDetail(`${host} rejected the request (${status}).`, detail), details);
}

function chatCompletionsUrl(baseUrl: string): string {
	return `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}
