import fs from 'node:fs/promises';
import { UsageError } from '../tooling/cliArguments.js';

/** Marks the cursor in text given on stdin or in a file when no line:column is given. */
export const CURSOR_MARKER = '<CURSOR>';

export interface CursorInput {
	prefix: string;
	suffix: string;
	/** Where the text came from, for the report. */
	source: string;
}

/**
 * Reads `file[:line[:column]]` (1-based; column defaults to the end of the line, line to the end of
 * the file) or, when the file contains the cursor marker, the text around the marker. Refuses a
 * binary file, text that is not UTF-8, and a line or column that is not a whole number from 1.
 */
export async function readFileAtCursor(spec: string): Promise<CursorInput> {
	const match = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(spec)!;
	const file = match[1]!;
	const bytes = await fs.readFile(file).catch(async (error: NodeJS.ErrnoException) => {
		const position = error.code === 'ENOENT' ? await positionAfterExistingFile(spec) : undefined;
		if (position !== undefined) {
			throw new UsageError(
				`Bad position ${JSON.stringify(position.text)} after ${position.file}: give file:line[:column], with line and column whole numbers from 1.`,
			);
		}
		throw new UsageError(`Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
	});
	const text = decodeText(bytes, file);
	if (match[2] === undefined) {
		return splitAtMarkerOrEnd(text, file);
	}
	const lines = text.split('\n');
	const line = Number(match[2]);
	if (line < 1 || line > lines.length) {
		throw new UsageError(`${file} has ${lines.length} lines; line ${line} is outside it`);
	}
	const lineText = lines[line - 1]!.replace(/\r$/, '');
	const column = match[3] === undefined ? lineText.length + 1 : Number(match[3]);
	if (column < 1 || column > lineText.length + 1) {
		throw new UsageError(`Line ${line} of ${file} has ${lineText.length} characters; column ${column} is outside it`);
	}
	const offset = lines.slice(0, line - 1).reduce((sum, current) => sum + current.length + 1, 0) + column - 1;
	return { prefix: text.slice(0, offset), suffix: text.slice(offset), source: `${file}:${line}:${column}` };
}

/** The text of a source file: a binary file or bytes that are not UTF-8 are refused (exit 2). */
export function decodeText(bytes: Uint8Array, source: string): string {
	// What git and grep take for binary: a NUL byte, which no source file has.
	const nul = bytes.indexOf(0);
	if (nul !== -1) {
		throw new UsageError(`${source} is a binary file (a NUL byte at offset ${nul}), not source code.`);
	}
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		throw new UsageError(`${source} is not UTF-8 text.`);
	}
}

/** For `a.ts:-1` or `a.ts:2:x`: the existing file and the text after it that is no position. */
async function positionAfterExistingFile(spec: string): Promise<{ file: string; text: string } | undefined> {
	for (let colon = spec.indexOf(':'); colon > 0; colon = spec.indexOf(':', colon + 1)) {
		const file = spec.slice(0, colon);
		if ((await fs.stat(file).catch(() => undefined))?.isFile()) {
			return { file, text: spec.slice(colon + 1) };
		}
	}
	return undefined;
}

/** Stdin holds either JSON `{"prefix": …, "suffix": …}` or text with the cursor marker (or only a prefix). */
export function parseStdinInput(text: string): CursorInput {
	const trimmed = text.trimStart();
	if (trimmed.startsWith('{')) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(trimmed);
		} catch (error) {
			throw new UsageError(`Stdin looks like JSON but does not parse: ${(error as Error).message}`);
		}
		const { prefix, suffix } = parsed as { prefix?: unknown; suffix?: unknown };
		if (typeof prefix !== 'string' || (suffix !== undefined && typeof suffix !== 'string')) {
			throw new UsageError('Stdin JSON must be {"prefix": string, "suffix"?: string}');
		}
		return { prefix, suffix: suffix ?? '', source: 'stdin' };
	}
	return splitAtMarkerOrEnd(text, 'stdin');
}

function splitAtMarkerOrEnd(text: string, source: string): CursorInput {
	const marker = text.indexOf(CURSOR_MARKER);
	if (marker === -1) {
		return { prefix: text, suffix: '', source };
	}
	return { prefix: text.slice(0, marker), suffix: text.slice(marker + CURSOR_MARKER.length), source };
}
