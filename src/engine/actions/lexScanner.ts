/**
 * The engine under the comment lexer: it walks source text once and, at each position, asks the
 * language's rules whether a comment, a string or another literal starts there. Whatever no rule
 * claims is code, one character at a time.
 *
 * The lexer exists so that "only comments changed" can be checked, so its errors are not symmetric:
 * calling a comment code only makes the check stricter, calling code a comment lets a code change
 * through. A rule that is unsure should therefore claim nothing (or claim code).
 */

export type SpanKind = 'code' | 'comment';

export interface Span {
	kind: SpanKind;
	start: number;
	end: number;
}

/** What a rule recognised at a position: the stretch [position, end) and whether it is a comment. */
export interface RuleMatch {
	readonly kind: SpanKind;
	readonly end: number;
}

/**
 * A body that starts on the line after the construct that announced it (a heredoc, a YAML block
 * scalar): given where that line starts, returns where the body ends. Bodies are data, so code.
 */
export type PendingBody = (text: string, lineStart: number) => number;

export interface ScanState {
	readonly text: string;
	readonly syntax: Syntax;
	/** Index of the last non-whitespace code character seen (-1 before any); regex heuristics look at it. */
	lastSignificant: number;
	/** Depth of ( [ { in code seen so far (Python docstrings only count at depth 0). */
	depth: number;
	/** Bodies announced on the current line, read when its line break is reached. */
	pendingBodies: PendingBody[];
}

export type Rule = (state: ScanState, position: number) => RuleMatch | undefined;

export interface Syntax {
	readonly rules: readonly Rule[];
}

/** Splits `text` into alternating code and comment spans that cover it exactly. */
export function scanSpans(text: string, syntax: Syntax): Span[] {
	const spans: Span[] = [];
	runScanner(freshState(text, syntax), 0, spans);
	return spans;
}

/**
 * Skips the code of an interpolation (`${ ... }` in a template literal, `{ ... }` in an f-string)
 * with the same rules, so that quotes and braces inside it do not end the enclosing string early.
 * Returns the index of the unmatched `close`, or the end of the text.
 */
export function skipNestedCode(state: ScanState, position: number, open: string, close: string): number {
	return runScanner(freshState(state.text, state.syntax), position, undefined, { open, close });
}

function freshState(text: string, syntax: Syntax): ScanState {
	return { text, syntax, lastSignificant: -1, depth: 0, pendingBodies: [] };
}

function runScanner(state: ScanState, start: number, spans: Span[] | undefined, closer?: { open: string; close: string }): number {
	const { text } = state;
	let position = start;
	let nesting = 0;
	while (position < text.length) {
		if (closer && nesting === 0 && text.startsWith(closer.close, position)) return position;

		const match = firstMatch(state, position);
		if (match) {
			record(spans, match.kind, position, match.end);
			if (match.kind === 'code') state.lastSignificant = lastNonSpace(text, position, match.end, state.lastSignificant);
			position = match.end;
			continue;
		}

		const ch = text[position]!;
		if (closer) {
			if (text.startsWith(closer.open, position)) nesting++;
			else if (text.startsWith(closer.close, position)) nesting--;
		}
		if (ch === '(' || ch === '[' || ch === '{') state.depth++;
		else if (ch === ')' || ch === ']' || ch === '}') state.depth = Math.max(0, state.depth - 1);
		if (!isSpace(ch)) state.lastSignificant = position;
		record(spans, 'code', position, position + 1);
		position++;

		if (ch === '\n' && state.pendingBodies.length > 0) {
			let end = position;
			for (const body of state.pendingBodies.splice(0)) end = Math.max(end, body(text, end));
			record(spans, 'code', position, end);
			position = end;
		}
	}
	return position;
}

function firstMatch(state: ScanState, position: number): RuleMatch | undefined {
	for (const rule of state.syntax.rules) {
		const match = rule(state, position);
		// A rule that claims nothing (or goes backwards) would stall the scan; treat it as no match.
		if (match && match.end > position) return match;
	}
	return undefined;
}

function record(spans: Span[] | undefined, kind: SpanKind, start: number, end: number): void {
	if (!spans || end <= start) return;
	const last = spans[spans.length - 1];
	if (last && last.kind === kind && last.end === start) last.end = end;
	else spans.push({ kind, start, end });
}

function lastNonSpace(text: string, start: number, end: number, fallback: number): number {
	for (let i = end - 1; i >= start; i--) if (!isSpace(text[i]!)) return i;
	return fallback;
}

function isSpace(ch: string | undefined): boolean {
	return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
}
