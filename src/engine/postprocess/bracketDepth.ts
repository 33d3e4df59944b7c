/**
 * Bracket depth relative to the cursor: it goes below zero when the completion closes a bracket
 * that was opened before the cursor, which is where a multi-line completion's block ends.
 *
 * Without a parser two cheap scans disagree in opposite situations: a naive count is fooled by
 * brackets inside strings (`print(")")`), a quote-aware count by apostrophes that are not quotes
 * (Rust lifetimes `&'a str`, "don't" in a comment). We only trust a closing when both scans see it.
 */

export type Quote = '"' | "'" | '`';

export interface BracketScan {
	/** Depth after the naive count (every bracket counts). */
	naive: number;
	/** Depth after the quote-aware count (brackets in strings and `//` comments are skipped). */
	aware: number;
	/** Open string quote carried to the next line (only template literals span lines). */
	quote: Quote | null;
}

export const EMPTY_SCAN: BracketScan = { naive: 0, aware: 0, quote: null };

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/**
 * Scans one line (without its line ending) from `start`; `closesOuter` is true when both counts
 * dropped below zero somewhere on the line.
 */
export function scanLine(line: string, start: BracketScan): { scan: BracketScan; closesOuter: boolean } {
	let naive = start.naive;
	let aware = start.aware;
	let minNaive = naive;
	let minAware = aware;
	let quote: Quote | null = start.quote;
	let inLineComment = false;

	for (let i = 0; i < line.length; i++) {
		const ch = line[i]!;
		if (OPENERS.has(ch)) naive++;
		else if (CLOSERS.has(ch)) minNaive = Math.min(minNaive, --naive);

		if (inLineComment) continue;
		if (quote !== null) {
			if (ch === '\\') i++;
			else if (ch === quote) quote = null;
			continue;
		}
		if (ch === '"' || ch === "'" || ch === '`') quote = ch;
		else if (ch === '/' && line[i + 1] === '/') inLineComment = true;
		else if (OPENERS.has(ch)) aware++;
		else if (CLOSERS.has(ch)) minAware = Math.min(minAware, --aware);
	}

	// '...' and "..." end with the line in every mainstream language; `...` may continue.
	const carried = quote === '`' ? quote : null;
	return { scan: { naive, aware, quote: carried }, closesOuter: minNaive < 0 && minAware < 0 };
}

/** The string quote still open at the end of `linePrefix`, or null (used for the cursor's line). */
export function quoteStateAfter(linePrefix: string): Quote | null {
	let quote: Quote | null = null;
	for (let i = 0; i < linePrefix.length; i++) {
		const ch = linePrefix[i]!;
		if (quote !== null) {
			if (ch === '\\') i++;
			else if (ch === quote) quote = null;
			continue;
		}
		if (ch === '"' || ch === "'" || ch === '`') quote = ch;
		else if (ch === '/' && linePrefix[i + 1] === '/') return null;
	}
	return quote;
}

/** A line made only of closing brackets and trailing separators, e.g. `}`, `});`, `],`. */
export function isClosingOnlyLine(line: string): boolean {
	return /^\s*[)\]}][\s)\]};,]*$/.test(line);
}
