import type { Connection } from 'vscode-languageserver/node';
import type { Logger } from '../engine/logger.js';

/**
 * The server's logger writes to the connection's console, which the client shows in its one
 * LogOutputChannel. The server never writes to stdout/stderr itself: with IPC that output would be
 * lost or, with stdio transports, corrupt the protocol stream.
 */
export function connectionLogger(connection: Connection): Logger {
	return {
		debug: (message) => connection.console.debug(message),
		info: (message) => connection.console.info(message),
		warn: (message) => connection.console.warn(message),
		error: (message) => connection.console.error(message),
	};
}
