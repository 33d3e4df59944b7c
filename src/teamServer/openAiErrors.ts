import type { ServerResponse } from 'node:http';

/** OpenAI's error `type`s that its clients map to their own error classes (with the status). */
export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

/** An answer in OpenAI's error shape `{error: {message, type, param, code}}`, thrown by a route and sent by the server. */
export class OpenAiHttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly type: OpenAiErrorType,
		readonly code: string | null = null,
		readonly param: string | null = null,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
		this.name = 'OpenAiHttpError';
	}

	get body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
		return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
	}
}

export function badRequest(message: string, param: string | null = null, code: string | null = null): OpenAiHttpError {
	return new OpenAiHttpError(400, message, 'invalid_request_error', code, param);
}

/** 429 with Retry-After: the OpenAI clients wait that long and retry on their own. */
export function tooManyRequests(message: string, retryAfterSeconds = 1): OpenAiHttpError {
	return new OpenAiHttpError(429, message, 'rate_limit_error', 'rate_limit_exceeded', null, { 'Retry-After': String(retryAfterSeconds) });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	if (response.headersSent || response.destroyed) {
		return;
	}
	const text = JSON.stringify(body);
	response.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(text)),
		...headers,
	});
	response.end(text);
}

export function sendError(response: ServerResponse, error: OpenAiHttpError): void {
	sendJson(response, error.status, error.body, error.headers);
}
