/**
 * Comment syntax of the languages with C-style comments (`//`, `/* *\/`), and the string forms each
 * one has that could otherwise hide or fake a comment: template literals, raw strings, verbatim
 * strings, text blocks, character literals, regex literals.
 */

import type { Rule, ScanState, Syntax } from './lexScanner.js';
import {
	blockComment,
	charLiteralOrQuote,
	hashbang,
	heredoc,
	heredocOperator,
	lineComment,
	previousIsOperand,
	quoted,
	slashRegex,
	type Interpolation,
} from './lexRules.js';
import { isIdentifierChar } from './lexText.js';

const slashSlash = lineComment('//');
const slashStar = blockComment('/*', '*/', false);
const nestedSlashStar = blockComment('/*', '*/', true);
const doubleQuoted = quoted({ open: '"' });
const singleQuoted = quoted({ open: "'" });

const dollarBrace: Interpolation = { open: '${', close: '}', nestOpen: '{' };
const brace: Interpolation = { open: '{', close: '}', nestOpen: '{', doubledOpenIsLiteral: true };

/** After these words an expression starts, so `/` opens a regex (`return /x/.test(s)`). */
const JS_KEYWORDS_BEFORE_EXPRESSION: ReadonlySet<string> = new Set([
	'return',
	'typeof',
	'instanceof',
	'in',
	'of',
	'new',
	'delete',
	'void',
	'throw',
	'case',
	'do',
	'else',
	'yield',
	'await',
]);

/**
 * JSX text is not parsed, so prose in it can look like comment markers. Two guards keep it from
 * hiding code: `//` right after a URL scheme (`<a>https://x</a>`) is not a comment, and neither is a
 * `/*` glued to a word that does not close on its line (`<p>src/*.ts</p>`), which would otherwise
 * swallow every line up to the next `*\/`. In plain code both readings only make the check stricter.
 */
const notAfterUrlScheme = (state: ScanState, position: number): boolean =>
	!(state.text[position - 1] === ':' && /[A-Za-z]/.test(state.text[position - 2] ?? ''));

const jsBlockComment: Rule = (state, position) => {
	const match = slashStar(state, position);
	if (!match) return undefined;
	const before = state.text[position - 1];
	const glued = isIdentifierChar(before) || before === '/' || before === '.';
	return glued && state.text.slice(position, match.end).includes('\n') ? undefined : match;
};

export const javaScriptSyntax: Syntax = {
	rules: [
		hashbang,
		lineComment('//', { when: notAfterUrlScheme }),
		jsBlockComment,
		quoted({ open: '`', multiline: true, interpolation: dollarBrace }),
		doubleQuoted,
		singleQuoted,
		slashRegex((state) => !previousIsOperand(state, JS_KEYWORDS_BEFORE_EXPRESSION)),
	],
};

export const jsonSyntax: Syntax = { rules: [doubleQuoted] };
export const jsoncSyntax: Syntax = { rules: [slashSlash, slashStar, doubleQuoted] };

/** C++ raw strings: R"delim( ... )delim" (with an optional encoding prefix). */
const cppRawString: Rule = (state, position) => {
	const opened = /(?:u8|[LuU])?R"([^()\\\s"]{0,16})\(/uy;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found || isIdentifierChar(state.text[position - 1])) return undefined;
	const closing = state.text.indexOf(`)${found[1]}"`, position + found[0].length);
	return { kind: 'code', end: closing < 0 ? state.text.length : closing + found[1]!.length + 2 };
};

/** C++14 digit separators (1'000'000, 0xFF'FF) are not character literals. */
const digitSeparator: Rule = (state, position) => {
	const { text } = state;
	if (text[position] !== "'" || !isIdentifierChar(text[position - 1])) return undefined;
	let start = position - 1;
	while (start > 0 && /[0-9A-Za-z_'.]/.test(text[start - 1]!)) start--;
	return /[0-9]/.test(text[start]!) ? { kind: 'code', end: position + 1 } : undefined;
};

export const cSyntax: Syntax = {
	rules: [
		lineComment('//', { backslashContinues: true }),
		slashStar,
		cppRawString,
		quoted({ open: '"', prefix: '(?:u8|[LuU])?' }),
		digitSeparator,
		quoted({ open: "'", prefix: '(?:u8|[LuU])?' }),
	],
};

export const javaSyntax: Syntax = {
	rules: [slashSlash, slashStar, quoted({ open: '"""', multiline: true }), doubleQuoted, singleQuoted],
};

/** C# 11 raw strings: three or more quotes, closed by as many; `$` prefixes only change interpolation. */
const csharpRawString: Rule = (state, position) => {
	const opened = /\$*("{3,})/y;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found || isIdentifierChar(state.text[position - 1])) return undefined;
	const closing = state.text.indexOf(found[1]!, position + found[0].length);
	return { kind: 'code', end: closing < 0 ? state.text.length : closing + found[1]!.length };
};

export const csharpSyntax: Syntax = {
	rules: [
		slashSlash,
		slashStar,
		csharpRawString,
		quoted({ open: '"', prefix: '\\$+@|@\\$+', escapes: false, doubledCloseIsLiteral: true, multiline: true, interpolation: brace }),
		quoted({ open: '"', prefix: '@', escapes: false, doubledCloseIsLiteral: true, multiline: true }),
		quoted({ open: '"', prefix: '\\$', interpolation: brace }),
		doubleQuoted,
		singleQuoted,
	],
};

export const goSyntax: Syntax = {
	rules: [slashSlash, slashStar, quoted({ open: '`', escapes: false, multiline: true }), doubleQuoted, singleQuoted],
};

/** Rust raw strings: r"...", r#"..."#, br##"..."##, cr#"..."#. */
const rustRawString: Rule = (state, position) => {
	const opened = /(?:br|cr|r)(#*)"/y;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found || isIdentifierChar(state.text[position - 1])) return undefined;
	const closer = `"${found[1]}`;
	const closing = state.text.indexOf(closer, position + found[0].length);
	return { kind: 'code', end: closing < 0 ? state.text.length : closing + closer.length };
};

export const rustSyntax: Syntax = {
	rules: [slashSlash, nestedSlashStar, rustRawString, quoted({ open: '"', prefix: '[bc]?', multiline: true }), charLiteralOrQuote()],
};

/** Swift raw strings: #"..."#, ##"""..."""## (interpolation inside them is \#(...), which never closes them). */
const swiftRawString: Rule = (state, position) => {
	const opened = /(#+)("""|")/y;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found) return undefined;
	const closer = `${found[2]}${found[1]}`;
	const closing = state.text.indexOf(closer, position + found[0].length);
	return { kind: 'code', end: closing < 0 ? state.text.length : closing + closer.length };
};

const swiftInterpolation: Interpolation = { open: '\\(', close: ')', nestOpen: '(' };

export const swiftSyntax: Syntax = {
	rules: [
		slashSlash,
		nestedSlashStar,
		swiftRawString,
		quoted({ open: '"""', multiline: true, interpolation: swiftInterpolation }),
		quoted({ open: '"', interpolation: swiftInterpolation }),
	],
};

export const kotlinSyntax: Syntax = {
	rules: [
		slashSlash,
		nestedSlashStar,
		quoted({ open: '"""', escapes: false, multiline: true, interpolation: dollarBrace }),
		quoted({ open: '"', interpolation: dollarBrace }),
		charLiteralOrQuote(),
	],
};

/** Scala: any identifier before a quote makes an interpolated string (s"...", f"...", sql"..."). */
const scalaInterpolator = '[A-Za-z_][A-Za-z0-9_]*';

export const scalaSyntax: Syntax = {
	rules: [
		slashSlash,
		nestedSlashStar,
		quoted({ open: '"""', prefix: scalaInterpolator, escapes: false, multiline: true, interpolation: dollarBrace }),
		quoted({ open: '"""', escapes: false, multiline: true }),
		quoted({ open: '"', prefix: scalaInterpolator, interpolation: dollarBrace }),
		doubleQuoted,
		charLiteralOrQuote(),
	],
};

export const dartSyntax: Syntax = {
	rules: [
		slashSlash,
		nestedSlashStar,
		quoted({ open: "'''", prefix: 'r', escapes: false, multiline: true }),
		quoted({ open: '"""', prefix: 'r', escapes: false, multiline: true }),
		quoted({ open: "'", prefix: 'r', escapes: false }),
		quoted({ open: '"', prefix: 'r', escapes: false }),
		quoted({ open: "'''", multiline: true, interpolation: dollarBrace }),
		quoted({ open: '"""', multiline: true, interpolation: dollarBrace }),
		quoted({ open: "'", interpolation: dollarBrace }),
		quoted({ open: '"', interpolation: dollarBrace }),
	],
};

/** PHP heredoc and nowdoc: <<<EOT, <<<"EOT", <<<'EOT'. */
const phpHeredoc = heredoc(heredocOperator(/<<<[ \t]*(?<q>['"]?)(?<word>[A-Za-z_][A-Za-z0-9_]*)\k<q>/u), { terminatorMayContinue: true });

export const phpSyntax: Syntax = {
	rules: [
		hashbang,
		slashSlash,
		// `#[Attribute]` (PHP 8) is code, not a `#` comment
		lineComment('#', { when: (state, position) => state.text[position + 1] !== '[' }),
		slashStar,
		phpHeredoc,
		quoted({ open: "'", multiline: true }),
		quoted({ open: '"', multiline: true, interpolation: { open: '{$', close: '}', nestOpen: '{' } }),
		quoted({ open: '`', multiline: true }),
	],
};
