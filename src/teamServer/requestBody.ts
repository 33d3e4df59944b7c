import type { IncomingMessage } from 'node:http';
import { badRequest, OpenAiHttpError } from './openAiErrors.js';
import { messageOf } from '../shared/errorMessage.js';

/** Large enough for a chat about a long file, small enough that a stray upload cannot fill memory. */
export const MAX_BODY_BYTES = 8 * 1024 ** 2;

/** The request's JSON object body, or a 400 (not JSON, not an object) or 413 (too large) to answer with. */
export async function readJsonObject(request: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > maxBytes) {
			throw new OpenAiHttpError(
				413,
				`The request body is larger than ${maxBytes} bytes.`,
				'invalid_request_error',
				'request_too_large',
			);
		}
		chunks.push(chunk);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch (error) {
		throw badRequest(`The body is not valid JSON: ${messageOf(error)}`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw badRequest('The body must be a JSON object.');
	}
	return parsed as Record<string, unknown>;
}
