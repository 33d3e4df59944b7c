/**
 * One gitignore-style pattern, compiled to a regular expression over '/'-separated relative paths.
 * Supported: '*' and '?' (never across '/'), '**' (any number of directories), '[a-z]' and '[!a-z]'
 * classes, '{a,b}' alternatives, '\' escapes, a leading '!' (negation), a leading '/' or a slash
 * inside the pattern (anchored at the root; otherwise it matches at any depth) and a trailing '/'
 * (directories only).
 */
export interface GlobPattern {
	/** The pattern as written, for messages. */
	readonly source: string;
	/** '!pattern': a match re-includes what an earlier pattern excluded. */
	readonly negated: boolean;
	/** 'pattern/': matches directories only. */
	readonly directoryOnly: boolean;
	readonly regex: RegExp;
}

export interface GlobOptions {
	readonly ignoreCase?: boolean;
}

/** Compiles one pattern; undefined for blank lines and comments. */
export function compileGlob(line: string, options: GlobOptions = {}): GlobPattern | undefined {
	// Trailing blanks are not part of a pattern unless escaped ('foo\ ').
	let pattern = line.replace(/(?<!\\)[ \t]+$/, '').replace(/\r$/, '');
	if (pattern.length === 0 || pattern.startsWith('#')) {
		return undefined;
	}
	const negated = pattern.startsWith('!');
	if (negated) {
		pattern = pattern.slice(1);
	}
	const directoryOnly = pattern.endsWith('/') && !pattern.endsWith('\\/');
	if (directoryOnly) {
		pattern = pattern.replace(/\/+$/, '');
	}
	if (pattern.length === 0) {
		return undefined;
	}
	const anchored = pattern.includes('/');
	pattern = pattern.replace(/^\//, '');
	const body = translate(pattern);
	const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`, options.ignoreCase ? 'i' : '');
	return { source: line.trim(), negated, directoryOnly, regex };
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function escapeRegex(text: string): string {
	return text.replace(REGEX_SPECIAL, '\\$&');
}

/** Glob syntax to regex syntax, for the part of a pattern between its anchoring and its end. */
function translate(glob: string): string {
	let out = '';
	let i = 0;
	while (i < glob.length) {
		const char = glob[i]!;
		const atSegmentStart = i === 0 || glob[i - 1] === '/';
		if (char === '*' && glob[i + 1] === '*' && atSegmentStart && (i + 2 === glob.length || glob[i + 2] === '/')) {
			if (i + 2 === glob.length) {
				out += '.*'; // 'dir/**': everything inside
				i += 2;
			} else {
				out += '(?:.*/)?'; // '**/': zero or more directories
				i += 3;
			}
		} else if (char === '*') {
			while (glob[i + 1] === '*') {
				i++; // 'a**b' is 'a*b'
			}
			out += '[^/]*';
			i++;
		} else if (char === '?') {
			out += '[^/]';
			i++;
		} else if (char === '[') {
			const parsed = characterClass(glob, i);
			out += parsed?.regex ?? '\\[';
			i = parsed?.end ?? i + 1;
		} else if (char === '{') {
			const parsed = alternatives(glob, i);
			out += parsed?.regex ?? '\\{';
			i = parsed?.end ?? i + 1;
		} else if (char === '\\' && i + 1 < glob.length) {
			out += escapeRegex(glob[i + 1]!);
			i += 2;
		} else {
			out += escapeRegex(char);
			i++;
		}
	}
	return out;
}

/** '[abc]', '[a-z]', '[!a-z]' or '[^a-z]' starting at `start`; undefined when unterminated. */
function characterClass(glob: string, start: number): { regex: string; end: number } | undefined {
	let i = start + 1;
	const negated = glob[i] === '!' || glob[i] === '^';
	if (negated) {
		i++;
	}
	let members = '';
	// A ']' right after the opening bracket is a member, not the end.
	if (glob[i] === ']') {
		members += '\\]';
		i++;
	}
	while (i < glob.length && glob[i] !== ']') {
		const char = glob[i]!;
		if (char === '\\' && i + 1 < glob.length) {
			members += `\\${glob[i + 1]}`;
			i += 2;
		} else if (char === '-' && members.length > 0 && glob[i + 1] !== ']') {
			members += '-';
			i++;
		} else {
			members += /[\\\]^-]/.test(char) ? `\\${char}` : char;
			i++;
		}
	}
	if (i >= glob.length || members.length === 0) {
		return undefined;
	}
	// Neither form ever matches the separator.
	return { regex: negated ? `[^/${members}]` : `(?!/)[${members}]`, end: i + 1 };
}

/** '{a,b,c}' starting at `start`, alternatives translated in turn (they may hold globs and braces). */
function alternatives(glob: string, start: number): { regex: string; end: number } | undefined {
	const parts: string[] = [];
	let depth = 0;
	let partStart = start + 1;
	for (let i = start + 1; i < glob.length; i++) {
		const char = glob[i];
		if (char === '\\') {
			i++;
		} else if (char === '{') {
			depth++;
		} else if (char === '}' && depth > 0) {
			depth--;
		} else if (char === ',' && depth === 0) {
			parts.push(glob.slice(partStart, i));
			partStart = i + 1;
		} else if (char === '}') {
			parts.push(glob.slice(partStart, i));
			// '{a}' is not an alternation in any glob dialect: keep the braces literal.
			return parts.length < 2 ? undefined : { regex: `(?:${parts.map(translate).join('|')})`, end: i + 1 };
		}
	}
	return undefined;
}
