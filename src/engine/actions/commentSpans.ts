/**
 * Splits source text into comment and code segments for a VS Code languageId, so that a rewrite of
 * the documentation can be checked to have left the code alone.
 *
 * Strings, template literals, raw strings, character and regex literals are code, whatever they
 * contain. Python docstrings (a string literal standing alone as a statement) are comments. When in
 * doubt the lexer says code: a comment mistaken for code only makes the check refuse a rewrite, code
 * mistaken for a comment would let a code change through.
 */

import { scanSpans, type Syntax } from './lexScanner.js';
import {
	cSyntax,
	csharpSyntax,
	dartSyntax,
	goSyntax,
	javaScriptSyntax,
	javaSyntax,
	jsoncSyntax,
	jsonSyntax,
	kotlinSyntax,
	phpSyntax,
	rustSyntax,
	scalaSyntax,
	swiftSyntax,
} from './lexCFamily.js';
import { luaSyntax, perlSyntax, pythonSyntax, rSyntax, rubySyntax, shellSyntax } from './lexScripting.js';
import {
	cssSyntax,
	dockerfileSyntax,
	graphqlSyntax,
	haskellSyntax,
	htmlSyntax,
	iniSyntax,
	makefileSyntax,
	propertiesSyntax,
	scssSyntax,
	sqlSyntax,
	tomlSyntax,
	xmlSyntax,
	yamlSyntax,
} from './lexDataAndMarkup.js';

export type SegmentKind = 'code' | 'comment';

export interface SourceSegment {
	kind: SegmentKind;
	text: string;
}

const SYNTAX_BY_LANGUAGE: ReadonlyMap<string, Syntax> = new Map<string, Syntax>([
	['typescript', javaScriptSyntax],
	['typescriptreact', javaScriptSyntax],
	['javascript', javaScriptSyntax],
	['javascriptreact', javaScriptSyntax],
	['json', jsonSyntax],
	['jsonc', jsoncSyntax],
	['java', javaSyntax],
	['c', cSyntax],
	['cpp', cSyntax],
	['cuda-cpp', cSyntax],
	['objective-c', cSyntax],
	['objective-cpp', cSyntax],
	['csharp', csharpSyntax],
	['go', goSyntax],
	['rust', rustSyntax],
	['swift', swiftSyntax],
	['kotlin', kotlinSyntax],
	['scala', scalaSyntax],
	['dart', dartSyntax],
	['php', phpSyntax],
	['python', pythonSyntax],
	['ruby', rubySyntax],
	['perl', perlSyntax],
	['shellscript', shellSyntax],
	['bash', shellSyntax],
	['sh', shellSyntax],
	['zsh', shellSyntax],
	['r', rSyntax],
	['lua', luaSyntax],
	['yaml', yamlSyntax],
	['toml', tomlSyntax],
	['ini', iniSyntax],
	['properties', propertiesSyntax],
	['graphql', graphqlSyntax],
	['dockerfile', dockerfileSyntax],
	['makefile', makefileSyntax],
	['sql', sqlSyntax],
	['haskell', haskellSyntax],
	['html', htmlSyntax],
	['xml', xmlSyntax],
	['xsl', xmlSyntax],
	['css', cssSyntax],
	['scss', scssSyntax],
	['less', scssSyntax],
]);

/** Languages where the whole text is prose: any rewrite is a documentation change. */
const PROSE_LANGUAGES: ReadonlySet<string> = new Set(['markdown', 'plaintext']);

export function isProseLanguage(languageId: string): boolean {
	return PROSE_LANGUAGES.has(languageId);
}

/** Whether `splitCommentSpans` can tell comments from code in this language (prose counts). */
export function canSplitComments(languageId: string): boolean {
	return PROSE_LANGUAGES.has(languageId) || SYNTAX_BY_LANGUAGE.has(languageId);
}

/**
 * The text as alternating code and comment segments whose texts concatenate back to `text`;
 * undefined for a language we cannot lex. Prose languages are one comment segment.
 */
export function splitCommentSpans(text: string, languageId: string): SourceSegment[] | undefined {
	if (PROSE_LANGUAGES.has(languageId)) return text === '' ? [] : [{ kind: 'comment', text }];
	const syntax = SYNTAX_BY_LANGUAGE.get(languageId);
	if (!syntax) return undefined;
	return scanSpans(text, syntax).map((span) => ({ kind: span.kind, text: text.slice(span.start, span.end) }));
}

/** Same as splitCommentSpans, with offsets instead of texts (for callers that map back to positions). */
export function commentSpanOffsets(text: string, languageId: string): { kind: SegmentKind; start: number; end: number }[] | undefined {
	if (PROSE_LANGUAGES.has(languageId)) return text === '' ? [] : [{ kind: 'comment', start: 0, end: text.length }];
	const syntax = SYNTAX_BY_LANGUAGE.get(languageId);
	return syntax ? scanSpans(text, syntax) : undefined;
}
