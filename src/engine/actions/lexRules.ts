/**
 * Rule builders for the comment lexer: comments, strings and the other literals whose insides must
 * not be mistaken for comments. Each builder returns a Rule (see lexScanner.ts) that claims the
 * stretch starting at a position, or nothing.
 */

import { skipNestedCode, type Rule, type ScanState, type SpanKind } from './lexScanner.js';
import { isIdentifierChar, lineEndOf, lineStartOf, nextLineStart, wordEndingAt } from './lexText.js';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface LineCommentOptions {
	/** Extra condition, e.g. shell's `#` only starts a comment at the start of a word. */
	when?: (state: ScanState, position: number) => boolean;
	/** C and C++: a backslash at the end of a `//` comment line continues the comment onto the next line. */
	backslashContinues?: boolean;
}

export function lineComment(marker: string, options: LineCommentOptions = {}): Rule {
	return (state, position) => {
		const { text } = state;
		if (!text.startsWith(marker, position)) return undefined;
		if (options.when && !options.when(state, position)) return undefined;
		let end = lineEndOf(text, position);
		while (options.backslashContinues && text[end - 1] === '\\' && end < text.length) {
			end = lineEndOf(text, nextLineStart(text, end));
		}
		return { kind: 'comment', end };
	};
}

/** `/* ... *\/` and friends; unterminated runs to the end of the text (as the compiler would read it). */
export function blockComment(open: string, close: string, nests: boolean, kind: SpanKind = 'comment'): Rule {
	return (state, position) => {
		const { text } = state;
		if (!text.startsWith(open, position)) return undefined;
		let depth = 1;
		let i = position + open.length;
		while (i < text.length) {
			if (text.startsWith(close, i)) {
				i += close.length;
				if (--depth === 0) return { kind, end: i };
			} else if (nests && text.startsWith(open, i)) {
				depth++;
				i += open.length;
			} else {
				i++;
			}
		}
		return { kind, end: text.length };
	};
}

export interface Interpolation {
	/** What opens an embedded expression inside the string: '${', '{', '\\(', '#{'. */
	open: string;
	/** The bracket that closes it ('}' or ')') and the one that nests with it ('{' or '('). */
	close: string;
	nestOpen: string;
	/** `{{` is a literal brace (Python f-strings, C#), not an interpolation. */
	doubledOpenIsLiteral?: boolean;
	/** Finds the closing bracket itself, for languages whose embedded expressions are not plain code (Python's format specs). */
	skip?: (state: ScanState, position: number) => number;
}

export interface QuotedOptions {
	open: string;
	/** Defaults to `open`. */
	close?: string;
	/** Regex source for the letters allowed before the quote (e.g. `[rRbB]?`); a non-empty prefix may not follow an identifier character. */
	prefix?: string;
	/** Backslash escapes the next character (default true). */
	escapes?: boolean;
	/** `''` inside `'...'` (SQL, YAML, C# verbatim strings) is an escaped quote. */
	doubledCloseIsLiteral?: boolean;
	/** The string may span lines; otherwise an unclosed string ends at the line break (and stays code). */
	multiline?: boolean;
	interpolation?: Interpolation | readonly Interpolation[] | ((prefix: string) => Interpolation | undefined);
	/** Strings are code; Python uses this to call a docstring a comment. */
	classify?: (state: ScanState, start: number, end: number, prefix: string) => SpanKind;
	/** Extra condition on where the string may start (YAML: only at the start of a scalar). */
	when?: (state: ScanState, position: number) => boolean;
}

export function quoted(options: QuotedOptions): Rule {
	const close = options.close ?? options.open;
	const escapes = options.escapes ?? true;
	const start = new RegExp(`(${options.prefix ?? ''})${escapeRegExp(options.open)}`, 'uy');
	return (state, position) => {
		const { text } = state;
		start.lastIndex = position;
		const opened = start.exec(text);
		if (!opened) return undefined;
		const prefix = opened[1] ?? '';
		if (prefix !== '' && isIdentifierChar(text[position - 1])) return undefined;
		if (options.when && !options.when(state, position)) return undefined;
		const interpolations = interpolationsFor(options.interpolation, prefix);

		let i = position + opened[0].length;
		let end = text.length;
		while (i < text.length) {
			const interpolation = interpolations.find((candidate) => text.startsWith(candidate.open, i));
			if (interpolation) {
				if (interpolation.doubledOpenIsLiteral && text.startsWith(interpolation.open, i + interpolation.open.length)) {
					i += 2 * interpolation.open.length;
					continue;
				}
				const inside = i + interpolation.open.length;
				const closing = interpolation.skip
					? interpolation.skip(state, inside)
					: skipNestedCode(state, inside, interpolation.nestOpen, interpolation.close);
				i = closing + interpolation.close.length;
				continue;
			}
			if (escapes && text[i] === '\\') {
				i += text.startsWith('\r\n', i + 1) ? 3 : 2;
				continue;
			}
			if (text.startsWith(close, i)) {
				if (options.doubledCloseIsLiteral && text.startsWith(close, i + close.length)) {
					i += 2 * close.length;
					continue;
				}
				end = i + close.length;
				break;
			}
			if (!options.multiline && text[i] === '\n') {
				end = text[i - 1] === '\r' && i - 1 > position ? i - 1 : i;
				break;
			}
			i++;
		}
		end = Math.min(end, text.length);
		const kind = options.classify ? options.classify(state, position, end, prefix) : 'code';
		return { kind, end };
	};
}

function interpolationsFor(option: QuotedOptions['interpolation'], prefix: string): readonly Interpolation[] {
	const chosen = typeof option === 'function' ? option(prefix) : option;
	if (chosen === undefined) return [];
	return Array.isArray(chosen) ? chosen : [chosen as Interpolation];
}

/**
 * A `/.../flags` regex literal where `allowed` says a regex can start (after an operator, not after
 * an operand). A regex must close on its line; if it does not, the slash was an operator after all.
 */
export function slashRegex(allowed: (state: ScanState, position: number) => boolean): Rule {
	return (state, position) => {
		const { text } = state;
		if (text[position] !== '/' || text[position + 1] === '/' || text[position + 1] === '*') return undefined;
		if (!allowed(state, position)) return undefined;
		let inClass = false;
		for (let i = position + 1; i < text.length; i++) {
			const ch = text[i]!;
			if (ch === '\n' || ch === '\r') return undefined;
			if (ch === '\\') i++;
			else if (inClass) inClass = ch !== ']';
			else if (ch === '[') inClass = true;
			else if (ch === '/') {
				let end = i + 1;
				while (isIdentifierChar(text[end])) end++;
				return { kind: 'code', end };
			}
		}
		return undefined;
	};
}

/** Whether the last code before `position` ends an operand (so `/` divides) rather than an operator or keyword. */
export function previousIsOperand(state: ScanState, keywordsBeforeExpression: ReadonlySet<string>): boolean {
	const index = state.lastSignificant;
	if (index < 0) return false;
	const ch = state.text[index]!;
	if (isIdentifierChar(ch)) return !keywordsBeforeExpression.has(wordEndingAt(state.text, index));
	return ch === ')' || ch === ']' || ch === '$' || ch === '"' || ch === "'" || ch === '`' || ch === '/';
}

/** `#!/usr/bin/env node` on the first line: it looks like a comment but the OS reads it, so it is code. */
export const hashbang: Rule = (state, position) =>
	position === 0 && state.text.startsWith('#!') ? { kind: 'code', end: lineEndOf(state.text, 0) } : undefined;

/**
 * A quote that may open a character literal ('a', '\n', '\u{1F600}') or be something else: a Rust
 * lifetime ('a), a Scala symbol, a Haskell prime (foldl') or Template Haskell quote. Only a complete
 * character literal is taken as one; otherwise the lone quote is code and nothing is swallowed.
 */
export function charLiteralOrQuote(options: { primeAfterIdentifier?: boolean } = {}): Rule {
	return (state, position) => {
		const { text } = state;
		if (text[position] !== "'") return undefined;
		if (options.primeAfterIdentifier && (isIdentifierChar(text[position - 1]) || text[position - 1] === "'")) {
			return { kind: 'code', end: position + 1 };
		}
		if (text[position + 1] === '\\') {
			// '\n', '\x41', '\u{1F600}', '\'' : the closing quote comes within a few characters
			for (let i = position + 3; i < Math.min(text.length, position + 14); i++) {
				if (text[i] === '\n') break;
				if (text[i] === "'") return { kind: 'code', end: i + 1 };
			}
			return { kind: 'code', end: position + 1 };
		}
		const codePoint = text.codePointAt(position + 1);
		if (codePoint !== undefined && codePoint !== 0x0a && codePoint !== 0x27) {
			const after = position + 1 + (codePoint > 0xffff ? 2 : 1);
			if (text[after] === "'") return { kind: 'code', end: after + 1 };
		}
		return { kind: 'code', end: position + 1 };
	};
}

/** A construct that runs from a line that starts with `open` to the end of a line that starts with `close` (Ruby =begin/=end, Perl POD). */
export function lineBlock(open: RegExp, close: RegExp, kind: SpanKind): Rule {
	return (state, position) => {
		const { text } = state;
		if (lineStartOf(text, position) !== position || !open.test(text.slice(position, lineEndOf(text, position)))) return undefined;
		let line = nextLineStart(text, position);
		while (line < text.length) {
			if (close.test(text.slice(line, lineEndOf(text, line)))) return { kind, end: lineEndOf(text, line) };
			line = nextLineStart(text, line);
		}
		return { kind, end: text.length };
	};
}

/** `__END__` / `__DATA__` on a line of its own: what follows is data, so code. */
export function restIsData(markers: readonly string[]): Rule {
	return (state, position) => {
		const { text } = state;
		if (lineStartOf(text, position) !== position) return undefined;
		const line = text.slice(position, lineEndOf(text, position)).trimEnd();
		return markers.includes(line) ? { kind: 'code', end: text.length } : undefined;
	};
}

/** What a language's heredoc operator looks like at a position: its length, the terminator word, and whether the terminator may be indented. */
export type HeredocReader = (text: string, position: number) => { length: number; word: string; indented: boolean } | undefined;

/**
 * A heredoc (`<<EOF` ... `EOF`): the operator is code, and the body, which starts on the next line,
 * is data (code) up to and including the terminator line, however many `#` lines it holds.
 * `terminatorMayContinue` is PHP 7.3+, where `EOT;` or `EOT,` also ends the body.
 */
export function heredoc(read: HeredocReader, options: { terminatorMayContinue?: boolean } = {}): Rule {
	return (state, position) => {
		const found = read(state.text, position);
		if (!found || found.word === '') return undefined;
		const { word, indented } = found;
		const continued = new RegExp(`^[ \\t]*${escapeRegExp(word)}(?![\\p{L}\\p{N}_])`, 'u');
		state.pendingBodies.push((text, lineStart) => {
			let line = lineStart;
			while (line < text.length) {
				const content = text.slice(line, lineEndOf(text, line));
				if ((indented ? content.trim() : content.trimEnd()) === word) return lineEndOf(text, line);
				if (options.terminatorMayContinue && continued.test(content)) return line + content.indexOf(word) + word.length;
				line = nextLineStart(text, line);
			}
			return text.length;
		});
		return { kind: 'code', end: position + found.length };
	};
}

/** Builds a HeredocReader from a sticky regex with groups `word` (the terminator) and optionally `indent`. */
export function heredocOperator(
	pattern: RegExp,
	accept: (groups: Record<string, string | undefined>) => boolean = () => true,
): HeredocReader {
	const sticky = new RegExp(pattern.source, 'uy');
	return (text, position) => {
		sticky.lastIndex = position;
		const found = sticky.exec(text);
		const groups = found?.groups;
		if (!found || !groups || !accept(groups)) return undefined;
		const word = groups['word'] ?? '';
		return { length: found[0].length, word, indented: Boolean(groups['indent']) };
	};
}

/** Text that stands for itself and hides nothing: `<script>` bodies, CDATA, `url(...)` in Sass. */
export function opaque(open: RegExp, close: RegExp): Rule {
	const start = new RegExp(open.source, open.flags.replace(/[gy]/g, '') + 'y');
	const end = new RegExp(close.source, close.flags.replace(/[gy]/g, '') + 'g');
	return (state, position) => {
		start.lastIndex = position;
		const found = start.exec(state.text);
		if (!found) return undefined;
		end.lastIndex = position + found[0].length;
		const closing = end.exec(state.text);
		return { kind: 'code', end: closing ? closing.index + closing[0].length : state.text.length };
	};
}

/** A backslash and the character it escapes (shell `\#`, Makefile `\#`). */
export const backslashEscape: Rule = (state, position) =>
	state.text[position] === '\\' && position + 1 < state.text.length ? { kind: 'code', end: position + 2 } : undefined;
