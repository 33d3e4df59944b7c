/**
 * Comment syntax of the `#`-comment scripting languages (Python, Ruby, Perl, shell, R) and Lua.
 * Their strings are the hard part: heredocs, percent literals, quote-like operators, regexes and
 * `$#`, all of which hold `#` characters that are not comments.
 */

import type { Rule, ScanState, SpanKind, Syntax } from './lexScanner.js';
import {
	backslashEscape,
	hashbang,
	heredoc,
	heredocOperator,
	lineBlock,
	lineComment,
	previousIsOperand,
	quoted,
	restIsData,
	slashRegex,
	type Interpolation,
} from './lexRules.js';
import { isIdentifierChar, lineEndOf, lineStartOf, onlyBlanksBefore, previousLineContinues, wordEndingAt } from './lexText.js';

// ---------------------------------------------------------------- Python

const PYTHON_PREFIX = '(?:[rR][bBfFtT]|[bBfFtT][rR]|[rRuUbBfFtT])?';

/**
 * Finds the `}` that closes an f-string replacement field. Its expression holds no comments (a `#`
 * there is text, as in `{n:#x}`), and after a top-level `:` comes a format spec, which is text with
 * nested `{fields}`; strings in the expression are skipped whole.
 */
function skipReplacementField(state: ScanState, position: number): number {
	const { text } = state;
	let depth = 0;
	for (let i = position; i < text.length;) {
		const ch = text[i]!;
		if (depth === 0 && ch === '}') return i;
		if (depth === 0 && ch === ':') return formatSpecEnd(text, i + 1);
		if (ch === '"' || ch === "'") {
			const string = PYTHON_STRINGS.map((rule) => rule(state, i)).find((match) => match !== undefined);
			i = string ? string.end : i + 1;
			continue;
		}
		if (ch === '(' || ch === '[' || ch === '{') depth++;
		else if (ch === ')' || ch === ']' || ch === '}') depth--;
		i++;
	}
	return text.length;
}

function formatSpecEnd(text: string, position: number): number {
	let braces = 0;
	for (let i = position; i < text.length; i++) {
		if (text[i] === '{') braces++;
		else if (text[i] === '}' && braces-- === 0) return i;
	}
	return text.length;
}

const pythonFormatField: Interpolation = { open: '{', close: '}', nestOpen: '{', doubledOpenIsLiteral: true, skip: skipReplacementField };
const pythonInterpolation = (prefix: string): Interpolation | undefined => (/[fFtT]/.test(prefix) ? pythonFormatField : undefined);

/**
 * A docstring is documentation: a string literal that stands alone as a statement. We accept it when
 * it starts its line at bracket depth 0 (and the previous line does not continue with `\`), nothing
 * but a comment follows it on its last line, and what comes before it ends a statement: the start of
 * the selection, a `def`/`class` header's colon, or an operand (an attribute docstring after
 * `x = 1`). After a comma, an operator, a keyword like `else` or another string it is an operand
 * inside brackets that opened before the selection. f-strings and bytes never count (an f-string
 * statement can run code).
 */
function classifyPythonString(state: ScanState, start: number, end: number, prefix: string): SpanKind {
	const { text } = state;
	if (/[fFbBtT]/.test(prefix) || state.depth !== 0) return 'code';
	if (!onlyBlanksBefore(text, start) || previousLineContinues(text, lineStartOf(text, start))) return 'code';
	if (!/^[ \t]*(?:#.*)?$/.test(text.slice(end, lineEndOf(text, end)))) return 'code';
	return endsStatement(state) ? 'comment' : 'code';
}

const PYTHON_KEYWORDS_BEFORE_OPERAND: ReadonlySet<string> = new Set([
	'in',
	'not',
	'and',
	'or',
	'if',
	'elif',
	'else',
	'return',
	'yield',
	'await',
	'lambda',
	'is',
	'assert',
	'del',
	'print',
	'raise',
	'from',
	'import',
	'with',
	'as',
	'for',
	'while',
	'except',
	'case',
	'match',
]);

function endsStatement(state: ScanState): boolean {
	const index = state.lastSignificant;
	if (index < 0) return true;
	const { text } = state;
	const ch = text[index]!;
	if (ch === ':') {
		// `def f(...):`, `class A:`, or the `) -> T:` that closes a wrapped signature
		const line = text.slice(lineStartOf(text, index), index + 1);
		return /^\s*(?:async\s+)?(?:def|class)\b/.test(line) || /^\s*\)(?:\s*->.*)?:$/.test(line);
	}
	if (isIdentifierChar(ch)) return !PYTHON_KEYWORDS_BEFORE_OPERAND.has(wordEndingAt(text, index));
	return ch === ')' || ch === ']' || ch === '}';
}

const pythonString = (open: string, multiline: boolean): Rule =>
	quoted({ open, prefix: PYTHON_PREFIX, multiline, interpolation: pythonInterpolation, classify: classifyPythonString });

const PYTHON_STRINGS: readonly Rule[] = [
	pythonString('"""', true),
	pythonString("'''", true),
	pythonString('"', false),
	pythonString("'", false),
];

export const pythonSyntax: Syntax = {
	rules: [hashbang, ...PYTHON_STRINGS, lineComment('#')],
};

// ---------------------------------------------------------------- Shell

/** `#` starts a comment only at the start of a word: `$#`, `${#x}`, `a#b` and `10#5` are code. */
const shellCommentAllowed = (state: ScanState, position: number): boolean => {
	const before = state.text[position - 1];
	return before === undefined || before === ' ' || before === '\t' || before === '\n' || before === '\r' || before === ';';
};

const shellHeredoc = heredoc((text, position) => {
	if (text[position - 1] === '<' || text[position + 2] === '<') return undefined; // `<<<` is a here-string
	return heredocOperator(/<<(?<indent>-)?[ \t]*(?<q>['"]?)\\?(?<word>[A-Za-z_][A-Za-z0-9_]*)\k<q>/u)(text, position);
});

export const shellSyntax: Syntax = {
	rules: [
		hashbang,
		shellHeredoc,
		backslashEscape,
		lineComment('#', { when: shellCommentAllowed }),
		quoted({ open: "'", prefix: '\\$', multiline: true }),
		quoted({ open: "'", escapes: false, multiline: true }),
		quoted({
			open: '"',
			multiline: true,
			interpolation: [
				{ open: '$(', close: ')', nestOpen: '(' },
				{ open: '${', close: '}', nestOpen: '{' },
			],
		}),
		quoted({ open: '`', multiline: true }),
	],
};

// ---------------------------------------------------------------- Ruby

const RUBY_KEYWORDS_BEFORE_EXPRESSION: ReadonlySet<string> = new Set([
	'if',
	'elsif',
	'unless',
	'while',
	'until',
	'when',
	'and',
	'or',
	'not',
	'return',
	'then',
	'else',
	'do',
	'yield',
	'case',
	'in',
]);

/** Ruby reads `puts /x/` and `puts %w[a]` as a literal argument: a word, a space, then no space. */
function rubyLiteralAllowed(state: ScanState, position: number): boolean {
	if (!previousIsOperand(state, RUBY_KEYWORDS_BEFORE_EXPRESSION)) return true;
	const { text } = state;
	return isIdentifierChar(text[state.lastSignificant]) && /[ \t]/.test(text[position - 1] ?? '') && !/\s/.test(text[position + 1] ?? ' ');
}

const CLOSING_BRACKET: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', '<': '>' };

/** Reads a delimited body from the character after `open`: brackets nest, backslashes escape. */
function delimitedEnd(text: string, afterOpen: number, open: string): number {
	const close = CLOSING_BRACKET[open] ?? open;
	let depth = 1;
	for (let i = afterOpen; i < text.length; i++) {
		const ch = text[i]!;
		if (ch === '\\') i++;
		else if (ch === close && --depth === 0) return i + 1;
		else if (ch === open && close !== open) depth++;
	}
	return text.length;
}

/** %w[...], %q(...), %Q{...}, %r{...}, %(...) and the like. */
const rubyPercentLiteral: Rule = (state, position) => {
	const opened = /%([qQwWiIrsx]?)([^\w\s=])/y;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found || !rubyLiteralAllowed(state, position)) return undefined;
	let end = delimitedEnd(state.text, position + found[0].length, found[2]!);
	if (found[1] === 'r') while (/[a-z]/.test(state.text[end] ?? '')) end++;
	return { kind: 'code', end };
};

/** The character literal `?#` (a ternary is never written `c ?#`). */
const rubyHashCharacter: Rule = (state, position) => {
	const { text } = state;
	if (!text.startsWith('?#', position) || isIdentifierChar(text[position + 2]) || text[position + 2] === '{') return undefined;
	return /[\s(,=[]/.test(text[position - 1] ?? ' ') ? { kind: 'code', end: position + 2 } : undefined;
};

/** <<~EOS, <<-EOS, <<'EOS', and bare <<EOS only with an upper-case word (so `a <<b` stays a shift). */
const rubyHeredoc = heredoc(
	heredocOperator(/<<(?<indent>[~-])?(?<q>['"`]?)(?<word>[A-Za-z_][A-Za-z0-9_]*)\k<q>/u, (groups) =>
		Boolean(groups['indent'] || groups['q'] || /^[A-Z_][A-Z0-9_]*$/.test(groups['word'] ?? '')),
	),
);

const rubyInterpolation: Interpolation = { open: '#{', close: '}', nestOpen: '{' };

export const rubySyntax: Syntax = {
	rules: [
		hashbang,
		lineBlock(/^=begin(?:\s|$)/, /^=end(?:\s|$)/, 'comment'),
		restIsData(['__END__']),
		rubyHeredoc,
		rubyHashCharacter,
		lineComment('#'),
		quoted({ open: '"', multiline: true, interpolation: rubyInterpolation }),
		quoted({ open: "'", multiline: true }),
		quoted({ open: '`', multiline: true, interpolation: rubyInterpolation }),
		rubyPercentLiteral,
		slashRegex(rubyLiteralAllowed),
	],
};

// ---------------------------------------------------------------- Perl

/** In Perl `/` divides after a variable, a number or a closing bracket, and starts a regex after a bare word (`split /,/`). */
function perlRegexAllowed(state: ScanState): boolean {
	const index = state.lastSignificant;
	if (index < 0) return true;
	const { text } = state;
	const ch = text[index]!;
	if (ch === ')' || ch === ']' || ch === '}') return false;
	if (!isIdentifierChar(ch)) return true;
	const word = wordEndingAt(text, index);
	const before = text[index - word.length];
	return !/^[0-9]/.test(word) && before !== '$' && before !== '@' && before !== '%' && before !== '&';
}

/** q qq qw qr qx m s tr y with any delimiter: q{...}, s/a/b/g, tr[a-z][A-Z]. */
const perlQuoteLike: Rule = (state, position) => {
	const { text } = state;
	const opened = /(qq|qw|qr|qx|q|m|s|tr|y)(\s*)([^\w\s])/y;
	opened.lastIndex = position;
	const found = opened.exec(text);
	if (!found) return undefined;
	const before = text[position - 1] ?? ' ';
	if (isIdentifierChar(before) || /[$@%&*]/.test(before) || text.slice(position - 2, position) === '->') return undefined;
	const delimiter = found[3]!;
	if (/[=,;)}\]>]/.test(delimiter) || (found[2] !== '' && delimiter === '#')) return undefined;
	let end = delimitedEnd(text, position + found[0].length, delimiter);
	if (found[1] === 's' || found[1] === 'tr' || found[1] === 'y') {
		if (CLOSING_BRACKET[delimiter]) {
			const second = /\s*([^\w\s])/y;
			second.lastIndex = end;
			const next = second.exec(text);
			if (next) end = delimitedEnd(text, end + next[0].length, next[1]!);
		} else {
			end = delimitedEnd(text, end, delimiter);
		}
	}
	while (/[a-z]/.test(text[end] ?? '')) end++;
	return { kind: 'code', end };
};

/** <<"EOF", <<'EOF', <<EOF and the indented <<~EOF. */
const perlHeredoc = heredoc((text, position) => {
	const sticky = /<<(~)?(?:(["'`])([A-Za-z_][A-Za-z0-9_]*)\2|([A-Za-z_][A-Za-z0-9_]*))/uy;
	sticky.lastIndex = position;
	const found = sticky.exec(text);
	if (!found) return undefined;
	return { length: found[0].length, word: found[3] ?? found[4] ?? '', indented: Boolean(found[1]) };
});

export const perlSyntax: Syntax = {
	rules: [
		hashbang,
		lineBlock(/^=[a-zA-Z]/, /^=cut\b/, 'comment'),
		restIsData(['__END__', '__DATA__']),
		perlHeredoc,
		perlQuoteLike,
		// `$#array` and `$#{$ref}` are the last index of an array, not comments
		lineComment('#', { when: (state, position) => state.text[position - 1] !== '$' }),
		quoted({ open: '"', multiline: true }),
		quoted({ open: "'", multiline: true }),
		quoted({ open: '`', multiline: true }),
		slashRegex(perlRegexAllowed),
	],
};

// ---------------------------------------------------------------- R

/** R 4 raw strings: r"(...)", R'[...]', r"---{...}---". */
const rRawString: Rule = (state, position) => {
	const opened = /[rR](["'])(-*)([([{])/y;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found || isIdentifierChar(state.text[position - 1])) return undefined;
	const closer = `${CLOSING_BRACKET[found[3]!]}${found[2]}${found[1]}`;
	const closing = state.text.indexOf(closer, position + found[0].length);
	return { kind: 'code', end: closing < 0 ? state.text.length : closing + closer.length };
};

export const rSyntax: Syntax = {
	rules: [
		hashbang,
		rRawString,
		quoted({ open: '"', multiline: true }),
		quoted({ open: "'", multiline: true }),
		quoted({ open: '`', multiline: true }),
		lineComment('#'),
	],
};

// ---------------------------------------------------------------- Lua

/** Lua long brackets, [[...]] and [==[...]==], after `prefix` ('--' for a long comment, '' for a long string). */
function luaLongBracket(prefix: string, kind: SpanKind): Rule {
	const opened = new RegExp(`${prefix}\\[(=*)\\[`, 'y');
	return (state, position) => {
		opened.lastIndex = position;
		const found = opened.exec(state.text);
		if (!found) return undefined;
		const closer = `]${found[1]}]`;
		const closing = state.text.indexOf(closer, position + found[0].length);
		return { kind, end: closing < 0 ? state.text.length : closing + closer.length };
	};
}

export const luaSyntax: Syntax = {
	rules: [
		hashbang,
		luaLongBracket('--', 'comment'),
		lineComment('--'),
		luaLongBracket('', 'code'),
		quoted({ open: '"' }),
		quoted({ open: "'" }),
	],
};
