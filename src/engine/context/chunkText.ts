/** Lines longer than this are cut: a minified or data line is noise in a prompt, and costly to scan. */
export const MAX_LINE_CHARS = 240;
/** Chunks with fewer non-blank characters carry no information worth a prompt token. */
export const MIN_CHUNK_CHARS = 24;
/** Lines this short once trimmed (`}`, `});`, `else {`) say nothing about whether two texts repeat each other. */
const MIN_SUBSTANTIAL_LINE_CHARS = 8;

/** One line as it goes into a chunk: without the `\r` of a CRLF line end, cut to MAX_LINE_CHARS. */
export function clipLine(line: string): string {
	const bare = line.endsWith('\r') ? line.slice(0, -1) : line;
	return bare.length > MAX_LINE_CHARS ? bare.slice(0, MAX_LINE_CHARS) : bare;
}

export function hasSubstance(text: string): boolean {
	return text.replace(/\s+/g, '').length >= MIN_CHUNK_CHARS;
}

/** The trimmed lines of a text that are long enough to tell whether it repeats another text. */
export function substantialLines(text: string): string[] {
	return text
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line.length >= MIN_SUBSTANTIAL_LINE_CHARS);
}
