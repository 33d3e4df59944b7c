/**
 * Document This: the fill-in-the-middle form of Explain and Clean Up Docs for a base model. The
 * model is shown the code with an empty doc comment in the language's own style where the comment
 * belongs (above a function; a Python docstring below its `def` line) and fills in the middle: the
 * summary a documented codebase would have there. A FIM model does this well because it is what its
 * training text looked like; asked to "explain", the same model writes noise.
 */

export interface DocCommentStyle {
	/** The comment's first line, e.g. "/**" or '"""'; empty for styles of line comments only. */
	open: string;
	/** What starts each line of its body, e.g. " * ", "/// ", "# ". */
	linePrefix: string;
	/** Its last line, e.g. " *\/" or '"""'; empty for line comments. */
	close: string;
	/** Above the code, or as the first statement of its body (Python's docstring). */
	placement: 'above' | 'first-in-body';
	/** The language's convention starts the comment with the declared name (Go's "// Sum returns …"). */
	namesItsSubject?: boolean;
}

const JSDOC: DocCommentStyle = { open: '/**', linePrefix: ' * ', close: ' */', placement: 'above' };
const TRIPLE_SLASH: DocCommentStyle = { open: '', linePrefix: '/// ', close: '', placement: 'above' };
const GO_LINES: DocCommentStyle = { open: '', linePrefix: '// ', close: '', placement: 'above', namesItsSubject: true };
const HASH: DocCommentStyle = { open: '', linePrefix: '# ', close: '', placement: 'above' };
const DOCSTRING: DocCommentStyle = { open: '"""', linePrefix: '', close: '"""', placement: 'first-in-body' };

const STYLES: Readonly<Record<string, DocCommentStyle>> = {
	typescript: JSDOC,
	typescriptreact: JSDOC,
	javascript: JSDOC,
	javascriptreact: JSDOC,
	java: JSDOC,
	kotlin: JSDOC,
	scala: JSDOC,
	php: JSDOC,
	c: JSDOC,
	cpp: JSDOC,
	objectivec: JSDOC,
	dart: TRIPLE_SLASH,
	rust: TRIPLE_SLASH,
	csharp: TRIPLE_SLASH,
	swift: TRIPLE_SLASH,
	go: GO_LINES,
	ruby: HASH,
	shellscript: HASH,
	perl: HASH,
	r: HASH,
	python: DOCSTRING,
};

export function docCommentStyle(languageId: string): DocCommentStyle | undefined {
	return STYLES[languageId];
}

export interface DocumentThisInput {
	/** The code to document: a function or class (a leading doc comment of its own is replaced). */
	code: string;
	languageId: string;
	/** Document text before and after the code, for context (default: none). */
	before?: string;
	after?: string;
}

export interface DocumentThisPrompt {
	prefix: string;
	suffix: string;
	style: DocCommentStyle;
	/** The code less its old doc comment, with the indentation of its first line. */
	code: string;
	indent: string;
	/** Where a Python docstring goes: the code's lines up to and including the signature. */
	headerLines: number;
	/** Words the prompt already wrote into the comment's first line (Go: the declared name). */
	seed?: string;
}

/** The FIM prompt with an empty doc comment where the code's documentation belongs; undefined for a language without a doc style. */
export function documentThisPrompt(input: DocumentThisInput): DocumentThisPrompt | undefined {
	const style = docCommentStyle(input.languageId);
	if (!style) {
		return undefined;
	}
	const before = input.before ?? '';
	const after = input.after ?? '';
	const code = withoutLeadingDocComment(input.code, style);
	const lines = code.split('\n');
	if (style.placement === 'above') {
		const indent = /^[ \t]*/.exec(lines[0] ?? '')![0];
		const lead = (before === '' || before.endsWith('\n') ? '' : '\n') + indent;
		// The prompt stops before the space after the comment marker: in training text that space starts
		// the next word's token, and a prompt ending in it asks for a token the model rarely saw next.
		const marker = style.linePrefix.trimEnd();
		const opening = style.open ? `${style.open}\n${indent}${marker}` : marker;
		const seed = style.namesItsSubject ? declaredName(lines[0] ?? '') : undefined;
		const closing = style.close ? `\n${indent}${style.close}\n` : '\n';
		return {
			prefix: before + lead + opening + (seed ? ` ${seed}` : ''),
			...(seed ? { seed } : {}),
			suffix: closing + code.replace(/^[ \t]*/, indent) + after,
			style,
			code,
			indent,
			headerLines: 0,
		};
	}
	const headerLines = signatureLines(lines);
	const header = lines.slice(0, headerLines).join('\n');
	const body = lines.slice(headerLines);
	const firstBodyLine = body.find((line) => line.trim() !== '');
	const indent = firstBodyLine ? /^[ \t]*/.exec(firstBodyLine)![0] : /^[ \t]*/.exec(lines[0] ?? '')![0] + '    ';
	return {
		prefix: `${before}${header}\n${indent}${style.open}`,
		suffix: `\n${indent}${style.close}\n${body.join('\n')}${after}`,
		style,
		code,
		indent,
		headerLines,
	};
}

/**
 * The doc comment's body from the model's middle: the lines up to where the model closed the comment
 * itself or began code, each without a style prefix the model repeated; at most `maxLines` lines.
 * Empty when the model wrote nothing usable.
 */
export function docCommentBody(generated: string, style: DocCommentStyle, maxLines = 12, seed?: string): string[] {
	const body: string[] = [];
	const text = seed ? `${seed} ${generated.trimStart()}` : generated;
	for (const raw of text.split('\n')) {
		let line = raw.trim();
		if (style.close && line.startsWith(style.close.trim())) {
			break;
		}
		const closeAt = style.close ? line.indexOf(style.close.trim()) : -1;
		if (closeAt >= 0) {
			line = line.slice(0, closeAt).trim();
			if (line) {
				body.push(line);
			}
			break;
		}
		const prefix = style.linePrefix.trim();
		if (prefix && line.startsWith(prefix)) {
			line = line.slice(prefix.length).trim();
		} else if (!style.open && line !== '' && body.length > 0) {
			break; // a line comment style: a line without its marker is code again
		}
		if (line !== '' && body.includes(line)) {
			break; // a small model repeating itself
		}
		body.push(line);
		if (body.length >= maxLines) {
			break;
		}
	}
	while (body.length > 0 && body.at(-1) === '') {
		body.pop();
	}
	while (body.length > 0 && body[0] === '') {
		body.shift();
	}
	return body;
}

/** The whole doc comment, in the language's style, indented like the code. */
export function formatDocComment(body: readonly string[], style: DocCommentStyle, indent: string): string {
	const lines = body.map((line) => (line === '' ? `${indent}${style.linePrefix.trimEnd()}` : `${indent}${style.linePrefix}${line}`));
	if (style.placement === 'first-in-body') {
		return body.length === 1
			? `${indent}${style.open}${body[0]}${style.close}`
			: [
					`${indent}${style.open}${body[0]}`,
					...body.slice(1).map((line) => (line ? indent + line : '')),
					`${indent}${style.close}`,
				].join('\n');
	}
	return [...(style.open ? [indent + style.open] : []), ...lines, ...(style.close ? [indent + style.close] : [])].join('\n');
}

/** The code with the new doc comment in place (any old one was taken out by the prompt). */
export function withDocComment(prompt: DocumentThisPrompt, body: readonly string[]): string {
	const comment = formatDocComment(body, prompt.style, prompt.indent);
	if (prompt.style.placement === 'above') {
		return `${comment}\n${prompt.code.replace(/^[ \t]*/, prompt.indent)}`;
	}
	const lines = prompt.code.split('\n');
	return [...lines.slice(0, prompt.headerLines), comment, ...lines.slice(prompt.headerLines)].join('\n');
}

/** Drops a doc comment the code starts with (above placement) or a docstring after its signature (Python). */
function withoutLeadingDocComment(code: string, style: DocCommentStyle): string {
	if (style.placement === 'first-in-body') {
		const lines = code.split('\n');
		const headerLines = signatureLines(lines);
		const rest = lines.slice(headerLines).join('\n');
		const docstring = /^\s*(?:"""[\s\S]*?"""|'''[\s\S]*?''')[ \t]*\n?/.exec(rest);
		return docstring ? [...lines.slice(0, headerLines), rest.slice(docstring[0].length)].join('\n') : code;
	}
	if (style.open) {
		const open = style.open.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		const close = style.close.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		return code.replace(new RegExp(`^\\s*${open}[\\s\\S]*?${close}[ \\t]*\\n`), '');
	}
	const marker = style.linePrefix.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return code.replace(new RegExp(`^(?:[ \\t]*${marker}.*\\n)+`), '');
}

/** The name a declaration line declares: `func (r *T) Name(` → "Name", `type Name struct` → "Name". */
function declaredName(line: string): string | undefined {
	return /^\s*(?:func\s+(?:\([^)]*\)\s*)?|type\s+|var\s+|const\s+)([A-Za-z_]\w*)/.exec(line)?.[1];
}

/** Lines up to and including the one that ends a Python signature (the first line ending in ":" outside brackets). */
function signatureLines(lines: readonly string[]): number {
	let depth = 0;
	for (let index = 0; index < lines.length; index++) {
		const line = lines[index]!.replace(/#.*$/, '');
		for (const ch of line) {
			depth += '([{'.includes(ch) ? 1 : ')]}'.includes(ch) ? -1 : 0;
		}
		if (
			depth <= 0 &&
			/:\s*$/.test(line) &&
			/^\s*(?:async\s+def|def|class)\b/.test(
				lines
					.slice(0, index + 1)
					.join('\n')
					.trimStart(),
			)
		) {
			return index + 1;
		}
	}
	return Math.min(1, lines.length);
}
