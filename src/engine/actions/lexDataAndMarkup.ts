/**
 * Comment syntax of configuration, build, query and markup languages: YAML, TOML, INI, properties,
 * Dockerfile, Makefile, SQL, GraphQL, Haskell, HTML/XML and the CSS family.
 */

import type { PendingBody, Rule, ScanState, Syntax } from './lexScanner.js';
import { backslashEscape, blockComment, charLiteralOrQuote, heredoc, heredocOperator, lineComment, opaque, quoted } from './lexRules.js';
import { isIdentifierChar, lineEndOf, lineStartOf, nextLineStart, onlyBlanksBefore, previousLineContinues } from './lexText.js';

const atLineStart = (state: ScanState, position: number): boolean => onlyBlanksBefore(state.text, position);

// ---------------------------------------------------------------- YAML

/** `#` is a comment at the start of a line or after whitespace; `a#b` and `http://x/#y` are scalars. */
const yamlCommentAllowed = (state: ScanState, position: number): boolean => /^[ \t\r\n]?$/.test(state.text[position - 1] ?? '');

/** A quote opens a quoted scalar only where a scalar starts; `it's` in a plain scalar is an apostrophe. */
const yamlScalarStart = (state: ScanState, position: number): boolean => /^[\s[{,]?$/.test(state.text[position - 1] ?? '');

/** Indentation of the node that owns a block scalar: `  - run: |` owns it at column 4, not 2. */
function ownerIndent(line: string): number {
	return /^[ \t]*(?:-[ \t]+)*/.exec(line)![0].length;
}

/**
 * `key: |` / `key: >-`: the more-indented lines that follow are the scalar's text, where `#` is
 * content (a shell script in a CI file), not a comment.
 */
const yamlBlockScalar: Rule = (state, position) => {
	const { text } = state;
	const ch = text[position];
	if ((ch !== '|' && ch !== '>') || !/^[ \t]$/.test(text[position - 1] ?? '')) return undefined;
	const header = /^[|>](?:[1-9][+-]?|[+-][1-9]?)?/.exec(text.slice(position, lineEndOf(text, position)))![0];
	if (!/^[ \t]*(?:#.*)?$/.test(text.slice(position + header.length, lineEndOf(text, position)))) return undefined;
	const lineStart = lineStartOf(text, position);
	const indent = ownerIndent(text.slice(lineStart, position));
	const body: PendingBody = (source, start) => {
		let line = start;
		while (line < source.length) {
			const content = source.slice(line, lineEndOf(source, line));
			if (content.trim() !== '' && /^[ ]*/.exec(content)![0].length <= indent) return line;
			line = nextLineStart(source, line);
		}
		return source.length;
	};
	state.pendingBodies.push(body);
	return { kind: 'code', end: position + header.length };
};

export const yamlSyntax: Syntax = {
	rules: [
		yamlBlockScalar,
		lineComment('#', { when: yamlCommentAllowed }),
		quoted({ open: "'", escapes: false, doubledCloseIsLiteral: true, multiline: true, when: yamlScalarStart }),
		quoted({ open: '"', multiline: true, when: yamlScalarStart }),
	],
};

// ---------------------------------------------------------------- TOML, INI, properties, GraphQL

export const tomlSyntax: Syntax = {
	rules: [
		quoted({ open: '"""', multiline: true }),
		quoted({ open: "'''", escapes: false, multiline: true }),
		quoted({ open: '"' }),
		quoted({ open: "'", escapes: false }),
		lineComment('#'),
	],
};

/** INI parsers disagree about comments after a value, so only whole-line comments are trusted. */
export const iniSyntax: Syntax = {
	rules: [lineComment(';', { when: atLineStart }), lineComment('#', { when: atLineStart })],
};

/** Java .properties: `#` or `!` starts a comment line, unless the previous line continues a value with `\`. */
const propertiesCommentAllowed = (state: ScanState, position: number): boolean =>
	atLineStart(state, position) && !previousLineContinues(state.text, lineStartOf(state.text, position));

export const propertiesSyntax: Syntax = {
	rules: [lineComment('#', { when: propertiesCommentAllowed }), lineComment('!', { when: propertiesCommentAllowed })],
};

export const graphqlSyntax: Syntax = {
	rules: [quoted({ open: '"""', multiline: true }), quoted({ open: '"' }), lineComment('#')],
};

// ---------------------------------------------------------------- Dockerfile, Makefile

/** Docker reads `#` as a comment only at the start of a line; `RUN echo a#b` keeps it. */
export const dockerfileSyntax: Syntax = {
	rules: [
		heredoc(heredocOperator(/<<(?<indent>-)?(?<q>['"]?)(?<word>[A-Za-z_][A-Za-z0-9_]*)\k<q>/u)),
		lineComment('#', { when: atLineStart }),
	],
};

/**
 * Make strips `#` comments anywhere outside recipes, but recipe lines (tab-indented, or continued
 * from one) go to the shell as they are, so there only a whole-line `#` is trusted as a comment.
 */
const makeCommentAllowed = (state: ScanState, position: number): boolean => {
	const lineStart = lineStartOf(state.text, position);
	const inRecipe = state.text[lineStart] === '\t' || previousLineContinues(state.text, lineStart);
	return !inRecipe || onlyBlanksBefore(state.text, position);
};

export const makefileSyntax: Syntax = {
	rules: [backslashEscape, lineComment('#', { when: makeCommentAllowed })],
};

// ---------------------------------------------------------------- SQL

/** PostgreSQL dollar quoting: $$ ... $$ and $tag$ ... $tag$ (function bodies). `$1` is a parameter. */
const dollarQuoted: Rule = (state, position) => {
	const opened = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;
	opened.lastIndex = position;
	const found = opened.exec(state.text);
	if (!found || isIdentifierChar(state.text[position - 1])) return undefined;
	const closing = state.text.indexOf(found[0], position + found[0].length);
	return { kind: 'code', end: closing < 0 ? state.text.length : closing + found[0].length };
};

/**
 * Block comments are read as not nesting (MySQL, SQLite): where they do nest (PostgreSQL) the
 * reading ends early and the rest counts as code, which is the safe side.
 * Backslash escapes in '...' are honoured (MySQL) since that too only ever makes a string longer.
 */
export const sqlSyntax: Syntax = {
	rules: [
		lineComment('--'),
		blockComment('/*', '*/', false),
		dollarQuoted,
		quoted({ open: "'", doubledCloseIsLiteral: true, multiline: true }),
		quoted({ open: '"', escapes: false, doubledCloseIsLiteral: true, multiline: true }),
		quoted({ open: '`', escapes: false, multiline: true }),
		quoted({ open: '[', close: ']', escapes: false }),
	],
};

// ---------------------------------------------------------------- Haskell

const HASKELL_SYMBOL = /[!#$%&*+./<=>?@\\^|~:-]/;

/** `--` starts a comment unless the dashes are part of an operator: `-->`, `|--`, `<--` are code. */
const haskellLineComment: Rule = (state, position) => {
	const { text } = state;
	if (!text.startsWith('--', position) || HASKELL_SYMBOL.test(text[position - 1] ?? '')) return undefined;
	let after = position;
	while (text[after] === '-') after++;
	if (after < text.length && HASKELL_SYMBOL.test(text[after]!)) return undefined;
	return { kind: 'comment', end: lineEndOf(text, position) };
};

export const haskellSyntax: Syntax = {
	rules: [blockComment('{-', '-}', true), haskellLineComment, quoted({ open: '"' }), charLiteralOrQuote({ primeAfterIdentifier: true })],
};

// ---------------------------------------------------------------- HTML, XML

const cdata = opaque(/<!\[CDATA\[/, /\]\]>/);
const processingInstruction = opaque(/<\?/, /\?>/);

export const xmlSyntax: Syntax = {
	rules: [blockComment('<!--', '-->', false), cdata, processingInstruction],
};

/** Script and style bodies are code in another language; whatever `<!--` they hold is not an HTML comment. */
export const htmlSyntax: Syntax = {
	rules: [
		blockComment('<!--', '-->', false),
		cdata,
		processingInstruction,
		opaque(/<script\b/i, /<\/script\s*>/i),
		opaque(/<style\b/i, /<\/style\s*>/i),
	],
};

// ---------------------------------------------------------------- CSS, SCSS, Less

const cssStrings = [quoted({ open: '"' }), quoted({ open: "'" })];

export const cssSyntax: Syntax = {
	rules: [blockComment('/*', '*/', false), ...cssStrings],
};

/** Sass and Less add `//` comments, except inside an unquoted `url(http://...)`. */
export const scssSyntax: Syntax = {
	rules: [blockComment('/*', '*/', false), ...cssStrings, opaque(/url\(\s*(?!['"])/i, /\)/), lineComment('//')],
};
