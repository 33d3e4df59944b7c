import fs from 'node:fs/promises';
import { UsageError } from './cliArguments.js';

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
 * the file) or, when the file contains the cursor marker, the text around the marker.
 */
export async function readFileAtCursor(spec: string): Promise<CursorInput> {
	const match = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(spec)!;
	const file = match[1]!;
	const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
		throw new UsageError(`Cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
	});
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
