/**
 * Tells comments from code, per language family, well enough to check that a rewrite touched only
 * comments: strings (and JavaScript regex literals) are code even when they contain comment markers,
 * and a Python docstring counts as a comment.
 */
export interface CommentSyntax {
	line: readonly string[];
	block: readonly (readonly [string, string])[];
	/** Block comments nest (Rust, Swift, Kotlin, Scala, Haskell, Dart). */
	nested?: boolean;
	quotes: readonly string[];
	/** Python's ''' and """ strings, which are docstrings when they stand alone as a statement. */
	tripleQuotes?: boolean;
	/** JavaScript-like regex literals. */
	regex?: boolean;
}

const C_LIKE: CommentSyntax = { line: ['//'], block: [['/*', '*/']], quotes: ['"', "'", '`'] };
const JS_LIKE: CommentSyntax = { ...C_LIKE, regex: true };
const NESTING: CommentSyntax = { ...C_LIKE, nested: true };
const HASH: CommentSyntax = { line: ['#'], block: [], quotes: ['"', "'"] };
const SYNTAX: Record<string, CommentSyntax> = {
	typescript: JS_LIKE,
	typescriptreact: JS_LIKE,
	javascript: JS_LIKE,
	javascriptreact: JS_LIKE,
	java: C_LIKE,
	c: C_LIKE,
	cpp: C_LIKE,
	csharp: C_LIKE,
	go: C_LIKE,
	rust: { ...NESTING, quotes: ['"'] },
	swift: NESTING,
	kotlin: NESTING,
	scala: NESTING,
	dart: NESTING,
	php: { ...C_LIKE, line: ['//', '#'] },
	css: { line: [], block: [['/*', '*/']], quotes: ['"', "'"] },
	scss: { line: ['//'], block: [['/*', '*/']], quotes: ['"', "'"] },
	less: { line: ['//'], block: [['/*', '*/']], quotes: ['"', "'"] },
	python: { ...HASH, tripleQuotes: true },
	ruby: { ...HASH, block: [['=begin', '=end']] },
	shellscript: HASH,
	yaml: HASH,
	toml: HASH,
	dockerfile: HASH,
	makefile: HASH,
	perl: HASH,
	r: HASH,
	powershell: { ...HASH, block: [['<#', '#>']] },
	sql: { line: ['--'], block: [['/*', '*/']], quotes: ["'", '"'] },
	lua: { line: ['--'], block: [['--[[', ']]']], quotes: ['"', "'"] },
	haskell: { line: ['--'], block: [['{-', '-}']], nested: true, quotes: ['"'] },
	html: { line: [], block: [['<!--', '-->']], quotes: [] },
	xml: { line: [], block: [['<!--', '-->']], quotes: [] },
};

export function commentSyntaxFor(languageId: string): CommentSyntax | undefined {
	return SYNTAX[languageId];
}

export interface CodeLine {
	/** 1-based line number in the text. */
	line: number;
	/** The line with its comments removed. */
	code: string;
}

/**
 * The lines of `text` with comments removed. Lines that held only comments (and whitespace) are left
 * out, so comments may be reflowed; on a line with code and a comment, the spaces before the comment
 * go with it.
 */
export function codeLinesOf(text: string, syntax: CommentSyntax): CodeLine[] {
	const lines: CodeLine[] = [];
	let code = '';
	let hadComment = false;
	let lineNumber = 1;
	const endLine = () => {
		const kept = hadComment ? code.replace(/[ \t]+$/, '') : code;
		if (!(hadComment && kept.trim() === '')) {
			lines.push({ line: lineNumber, code: kept });
		}
		code = '';
		hadComment = false;
		lineNumber++;
	};
	const source = text.replace(/\r\n/g, '\n');
	/** Every line a comment touches counts as having one, its continuation lines included. */
	const skipComment = (from: number, to: number) => {
		hadComment = true;
		for (let k = from; k < to; k++) {
			if (source[k] === '\n') {
				endLine();
				hadComment = true;
			}
		}
	};
	/** A string's text is code, over as many lines as it spans. */
	const keepCode = (from: number, to: number) => {
		for (let k = from; k < to; k++) {
			if (source[k] === '\n') {
				endLine();
			} else {
				code += source[k];
			}
		}
	};
	let i = 0;
	let atStatementStart = true;
	while (i < source.length) {
		const ch = source[i]!;
		if (ch === '\n') {
			endLine();
			i++;
			atStatementStart = true;
			continue;
		}
		const lineMarker = syntax.line.find((marker) => source.startsWith(marker, i));
		const block = syntax.block.find(([open]) => source.startsWith(open, i));
		if (block && (!lineMarker || block[0].length >= lineMarker.length)) {
			// A comment: skipped, but its line breaks still end lines.
			const end = blockEnd(source, i, block, syntax.nested === true);
			skipComment(i, end);
			i = end;
			continue;
		}
		if (lineMarker) {
			const end = source.indexOf('\n', i);
			i = end === -1 ? source.length : end;
			hadComment = true;
			continue;
		}
		if (syntax.tripleQuotes && (source.startsWith('"""', i) || source.startsWith("'''", i))) {
			const quote = source.slice(i, i + 3);
			const close = source.indexOf(quote, i + 3);
			const end = close === -1 ? source.length : close + 3;
			const standsAlone = atStatementStart && /^[ \t]*(\n|$)/.test(source.slice(end));
			if (standsAlone) {
				skipComment(i, end);
			} else {
				keepCode(i, end);
			}
			i = end;
			atStatementStart = false;
			continue;
		}
		if (syntax.quotes.includes(ch)) {
			const end = stringEnd(source, i, ch);
			keepCode(i, end);
			i = end;
			atStatementStart = false;
			continue;
		}
		if (syntax.regex && ch === '/' && startsRegex(code)) {
			const end = regexEnd(source, i);
			code += source.slice(i, end);
			i = end;
			atStatementStart = false;
			continue;
		}
		code += ch;
		if (ch !== ' ' && ch !== '\t') {
			atStatementStart = false;
		}
		i++;
	}
	endLine();
	return lines;
}

function blockEnd(source: string, start: number, [open, close]: readonly [string, string], nested: boolean): number {
	let depth = 0;
	let i = start;
	while (i < source.length) {
		if (source.startsWith(open, i) && (nested || depth === 0)) {
			depth++;
			i += open.length;
		} else if (source.startsWith(close, i)) {
			depth--;
			i += close.length;
			if (depth === 0) {
				return i;
			}
		} else {
			i++;
		}
	}
	return source.length;
}

function stringEnd(source: string, start: number, quote: string): number {
	let i = start + 1;
	while (i < source.length) {
		const ch = source[i]!;
		if (ch === '\\') {
			i += 2;
			continue;
		}
		if (ch === quote) {
			return i + 1;
		}
		// Only template literals span lines; an unclosed ordinary string ends with its line.
		if (ch === '\n' && quote !== '`') {
			return i;
		}
		i++;
	}
	return source.length;
}

/** A slash starts a regex literal where an expression may begin, not after a value (division). */
function startsRegex(codeBefore: string): boolean {
	const previous = codeBefore.trimEnd().at(-1);
	return previous === undefined || '(,=:[!&|?{};+-*%<>~^'.includes(previous) || /\b(return|typeof|case|in|of|yield|await)$/.test(codeBefore.trimEnd());
}

function regexEnd(source: string, start: number): number {
	let i = start + 1;
	let inClass = false;
	while (i < source.length && source[i] !== '\n') {
		const ch = source[i]!;
		if (ch === '\\') {
			i += 2;
			continue;
		}
		if (ch === '[') inClass = true;
		else if (ch === ']') inClass = false;
		else if (ch === '/' && !inClass) {
			i++;
			while (i < source.length && /[a-z]/i.test(source[i]!)) i++;
			return i;
		}
		i++;
	}
	return i;
}
