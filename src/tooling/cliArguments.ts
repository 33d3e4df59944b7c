/** A tiny argument parser: `--name value`, `--flag`, and positionals. No dependency for three CLIs. */
export interface ParsedArguments {
	positionals: string[];
	options: Map<string, string | true>;
}

export function parseArguments(argv: readonly string[], flags: readonly string[]): ParsedArguments {
	const positionals: string[] = [];
	const options = new Map<string, string | true>();
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (!argument.startsWith('--')) {
			positionals.push(argument);
			continue;
		}
		const [name, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
		if (inline !== undefined) {
			options.set(name, inline);
		} else if (flags.includes(name)) {
			options.set(name, true);
		} else {
			const value = argv[++index];
			if (value === undefined) {
				throw new UsageError(`--${name} needs a value`);
			}
			options.set(name, value);
		}
	}
	return { positionals, options };
}

export class UsageError extends Error {}

/** `--name VALUE` as a string; a usage error (exit 2) when the option was given without a value. */
export function stringOption(options: Map<string, string | true>, name: string): string | undefined {
	const value = options.get(name);
	if (value === true) throw new UsageError(`--${name} needs a value`);
	return value;
}

/** `--name N` as an integer, within `range` when one is given; a usage error (exit 2) otherwise. */
export function integerOption(options: Map<string, string | true>, name: string, range?: { min: number; max: number }): number | undefined {
	const value = options.get(name);
	if (value === undefined) {
		return undefined;
	}
	const parsed = value === true || value.trim() === '' ? Number.NaN : Number(value);
	if (!Number.isInteger(parsed)) {
		throw new UsageError(
			`--${name} must be an integer${range ? ` from ${range.min} to ${range.max}` : ''}, got ${JSON.stringify(value === true ? '' : value)}`,
		);
	}
	if (!Number.isSafeInteger(parsed) || (range && (parsed < range.min || parsed > range.max))) {
		throw new UsageError(`--${name} must be ${range ? `from ${range.min} to ${range.max}` : 'a safe integer'}, got ${value}`);
	}
	return parsed;
}

/**
 * Runs a command-line entry point: exits with what `main` returns; a usage error prints the message
 * and the usage text (exit 2); any other failure prints `describeFailure`'s line (exit 1).
 */
export function runCli(main: () => Promise<number>, usage: string, describeFailure: (error: unknown) => string): void {
	main().then(
		(code) => process.exit(code),
		(error: unknown) => {
			if (error instanceof UsageError) {
				console.error(`${error.message}\n\n${usage}`);
				process.exit(2);
			}
			console.error(describeFailure(error));
			process.exit(1);
		},
	);
}
