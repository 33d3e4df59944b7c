import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { Logger } from '../../engine/logger.js';
import { messageOf } from '../../shared/errorMessage.js';

/** The code of a Hearth request that failed for the reason its message gives; the client shows the message. */
const REQUEST_FAILED = 1;

/** A request that cannot run, with the reason the user sees. */
export function requestFailed(message: string): ResponseError<void> {
	return new ResponseError(REQUEST_FAILED, message);
}

/** A request the client cancelled. */
export function requestCancelled(message: string): ResponseError<void> {
	return new ResponseError(LSPErrorCodes.RequestCancelled, message);
}

/**
 * What a request handler throws for a caught error: a ResponseError as it is, anything else logged
 * (after `logPrefix`) and turned into a failed request with its message, which for the engine's
 * errors is already the line written for the user.
 */
export function asResponseError(error: unknown, logger: Logger, logPrefix = ''): ResponseError<void> {
	if (error instanceof ResponseError) {
		return error;
	}
	const message = messageOf(error);
	logger.error(`${logPrefix}${message}`);
	return requestFailed(message);
}
