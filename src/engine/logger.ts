/**
 * The one logging interface of the engine and the server. The extension host backs it with a
 * LogOutputChannel (through the language client); the CLI and tests back it with stderr or nothing.
 * Kept minimal so that no layer below the extension needs to know where logs end up.
 */
export interface Logger {
	debug(message: string): void;
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

export const silentLogger: Logger = {
	debug() {},
	info() {},
	warn() {},
	error() {},
};

/** Writes to stderr so that stdout stays clean for the CLI's machine-readable output. */
export function stderrLogger(options: { verbose: boolean }): Logger {
	const write = (level: string, message: string) => process.stderr.write(`[${level}] ${message}\n`);
	return {
		debug: (m) => options.verbose && write('debug', m),
		info: (m) => options.verbose && write('info', m),
		warn: (m) => write('warn', m),
		error: (m) => write('error', m),
	};
}
