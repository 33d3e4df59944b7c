import { looksLikeCredential } from './credentialHeuristics.js';
import type { SecretFinding } from './secretFinding.js';
import type { SecretRule } from './secretRule.js';
import { secretName } from './secretNames.js';

/**
 * The catch-all for secrets with no recognisable shape: a literal value assigned to a name that
 * says secret ('DB_PASSWORD=…' in a .env file, `apiKey: '…'` in code, `password = "…"` in Python,
 * `"client_secret": "…"` in JSON, `--password=…` on a command line, `<password>…</password>`).
 * A hand-written scanner rather than one big pattern: it stays linear on any input, and each
 * syntax decision is a line of code that says why.
 */

export const PASSWORD = { kind: 'password-assignment', label: 'Password assigned in code or configuration' };
export const SECRET = { kind: 'secret-assignment', label: 'Secret assigned to a secret-named variable' };

/** Where to look for names at all: every secret word contains one of these. */
const NAME_HINT = /pass|pwd|pw|secret|token|auth|credential|key|salt|pat(?![a-z])/gi;
const MAX_NAME = 100;
const MAX_VALUE = 4096;
/** Unquoted values are short (a password, a token); the cap keeps 'password=password=…' linear. */
const MAX_UNQUOTED = 256;
const TIGHT_VALUE = new RegExp(`[^\\s"'\`;&,)}\\]<>]{0,${MAX_UNQUOTED + 1}}`, 'y');
const LOOSE_VALUE = new RegExp(`\\S{0,${MAX_UNQUOTED + 1}}`, 'y');

function isNameChar(code: number): boolean {
	return (
		(code >= 48 && code <= 57) ||
		(code >= 65 && code <= 90) ||
		(code >= 97 && code <= 122) ||
		code === 95 /* _ */ ||
		code === 46 /* . */ ||
		code === 45
	); /* - */
}

type Operator = '=' | ':' | ':=' | '=>' | '==' | 'xml';

interface ParsedValue {
	readonly start: number;
	readonly end: number;
	readonly quoted: boolean;
}

function skipBlanks(text: string, pos: number): number {
	while (text[pos] === ' ' || text[pos] === '\t') {
		pos++;
	}
	return pos;
}

function operatorAt(text: string, pos: number): Operator | undefined {
	const two = text.slice(pos, pos + 2);
	if (two === ':=' || two === '=>' || two === '==') {
		return two;
	}
	if (text[pos] === '=') {
		return '=';
	}
	if (text[pos] === ':' && text[pos + 1] !== ':') {
		return ':';
	}
	return undefined;
}

/** A type annotation between the name and '=' ('password: str = …', 'apiKey: string | undefined = …'). */
const TYPE_ANNOTATION =
	/[A-Za-z_][\w.]{0,80}(?:<[^>\n]{0,80}>|\[[^\]\n]{0,80}\])?(?:[ \t]{0,8}\|[ \t]{0,8}[A-Za-z_][\w.]{0,80}(?:<[^>\n]{0,80}>|\[[^\]\n]{0,80}\])?){0,4}[ \t]{0,8}=(?![=>])[ \t]*/y;

/** The rest of the line after `pos` is empty or a comment. */
function endsLine(text: string, pos: number): boolean {
	const rest = /[ \t]*(?:(?:#|\/\/)[^\n]*)?\r?(?:\n|$)/y;
	rest.lastIndex = pos;
	return rest.test(text);
}

/** The name opens its line, as in .env files, YAML and shell ('export X=', '- X=', 'ENV X='), also commented out ('# X=', '// X: '). */
function startsLine(text: string, nameStart: number): boolean {
	let lineStart = nameStart;
	while (lineStart > 0 && text[lineStart - 1] !== '\n') {
		if (nameStart - --lineStart > 80) {
			return false; // deeper than any indentation: code on a long line
		}
	}
	return /^[ \t]*(?:(?:#+|\/\/+|--|;+|\/?\*+|<!--|REM(?= ))[ \t]*)?(?:export[ \t]+|-[ \t]+|ENV[ \t]+|ARG[ \t]+|set[ \t]+|setx[ \t]+)?["']?$/.test(
		text.slice(lineStart, nameStart),
	);
}

function quotedValue(text: string, pos: number): ParsedValue | undefined {
	const quote = text[pos]!;
	let end = pos + 1;
	while (end < text.length && text[end] !== quote) {
		if (text[end] === '\n' || end - pos > MAX_VALUE) {
			return undefined;
		}
		end += text[end] === '\\' ? 2 : 1;
	}
	// A string cut off by the end of the text (a selection that stops inside it) still holds the secret.
	return { start: pos + 1, end: Math.min(end, text.length), quoted: true };
}

/**
 * An unquoted value: the rest of a .env/YAML/INI line, a '--flag=value' or a 'key=value;' pair.
 * In code an unquoted right-hand side is an expression, not a literal, so identifiers and member
 * accesses only count where the line is clearly configuration.
 */
function unquotedValue(
	text: string,
	name: string,
	nameStart: number,
	pos: number,
	tight: boolean,
	operator: Operator,
): ParsedValue | undefined {
	if (operator !== '=' && operator !== ':' && operator !== ':=') {
		return undefined;
	}
	LOOSE_VALUE.lastIndex = pos;
	let value = LOOSE_VALUE.exec(text)![0];
	// A whole .env line ('DB_PASSWORD=Tr0ub4dor&3x') is the value up to the line's end; elsewhere a
	// tight 'name=value' ends where a query string, a connection string or a command line goes on.
	const envLine = tight && endsLine(text, pos + value.length) && startsLine(text, nameStart);
	if (tight && !envLine) {
		TIGHT_VALUE.lastIndex = pos;
		value = TIGHT_VALUE.exec(text)![0];
	}
	if (value.length > MAX_UNQUOTED) {
		return undefined;
	}
	const end = pos + value.length;
	const atLineEnd = endsLine(text, end);
	if (!tight && !atLineEnd) {
		return undefined;
	}
	// Shell variables, YAML anchors, tags and block scalars, and in code any expression.
	if (
		envLine
			? value.startsWith('$') || codeOnItsOwnLine(value)
			: /^[$%&*!@<|>]/.test(value) || /[(){}[\]]/.test(value) || /[,;]$/.test(value)
	) {
		return undefined;
	}
	if (/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$/.test(value)) {
		return undefined; // config.apiKey, this.token
	}
	const configuration = name.startsWith('-') || (atLineEnd && startsLine(text, nameStart)) || (tight && /[;&]/.test(text[end] ?? ''));
	if (/^[A-Za-z_$][\w$]*$/.test(value) && (!configuration || (operator === ':' && /^[A-Z][a-z]/.test(value)))) {
		return undefined; // 'password = newPassword'; a TypeScript member 'secret: Uint8Array' looks like a YAML line
	}
	return { start: pos, end, quoted: false };
}

/**
 * A line that looks like a .env line but is code: a keyword argument on a line of its own
 * ('    password=self.password,', 'authkey=process.current_process().authkey)'), or a stand-in
 * wrapped in brackets ('PWD=(whatever);').
 */
function count(text: string, pattern: RegExp): number {
	return text.match(pattern)?.length ?? 0;
}

function codeOnItsOwnLine(value: string): boolean {
	let expression = value.replace(/[,;:'"]+$/, '');
	// Closing brackets of the call the argument is in ('…authkey)', '…key):'), not of the value.
	while (/[)\]]$/.test(expression) && count(expression, /[)\]]/g) > count(expression, /[([]/g)) {
		expression = expression.slice(0, -1).replace(/[,;:]+$/, '');
	}
	const trailer = expression.length < value.length;
	if (/^[([{<].*[)\]}>]$/.test(expression)) {
		return true;
	}
	if (!/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*|\([^\n]*\)|\[[^\n]*\])*$/.test(expression)) {
		return false;
	}
	// A bare word ('PASSWORD=hunter2x') is a value; with a member access, a call, an index or a trailing comma it is code.
	return trailer || /[.([]/.test(expression);
}

function valueAfterName(text: string, name: string, nameStart: number, nameEnd: number): ParsedValue | undefined {
	if (text[nameStart - 1] === '<' && text[nameEnd] === '>') {
		const start = nameEnd + 1;
		const rest = text.slice(start, start + MAX_VALUE).split('\n', 1)[0]!;
		const close = rest.indexOf(`</${name}>`);
		return close === -1 ? undefined : { start, end: start + close, quoted: true };
	}
	let pos = nameEnd;
	if (text[pos] === '"' || text[pos] === "'" || text[pos] === '`') {
		pos++;
	}
	if (text[pos] === ']') {
		pos++;
	}
	const afterName = pos;
	pos = skipBlanks(text, pos);
	let operator = operatorAt(text, pos);
	if (operator === undefined) {
		return undefined;
	}
	const spaceBefore = pos > afterName;
	pos += operator.length;
	if (operator === '==' && text[pos] === '=') {
		pos++; // '==='
	}
	const operatorEnd = pos;
	pos = skipBlanks(text, pos);
	if (operator === ':') {
		TYPE_ANNOTATION.lastIndex = pos;
		const annotation = TYPE_ANNOTATION.exec(text);
		if (annotation !== null) {
			operator = '=';
			pos += annotation[0].length;
		}
	}
	const tight = operator === '=' && !spaceBefore && pos === operatorEnd;
	const prefix = /[bBrRuU]{1,2}(?=["'])/y;
	prefix.lastIndex = pos;
	if (prefix.test(text)) {
		pos = prefix.lastIndex;
	}
	const first = text[pos];
	if (first === '"' || first === "'" || first === '`') {
		return quotedValue(text, pos);
	}
	return unquotedValue(text, name, nameStart, pos, tight, operator);
}

export const NAMED_ASSIGNMENT_RULE: SecretRule = {
	kinds: [PASSWORD, SECRET],
	*find(text: string): Iterable<SecretFinding> {
		const hint = new RegExp(NAME_HINT.source, NAME_HINT.flags);
		let examinedUpTo = 0;
		let match: RegExpExecArray | null;
		while ((match = hint.exec(text)) !== null) {
			if (match.index < examinedUpTo) {
				continue; // another hint inside a name already examined
			}
			let nameStart = match.index;
			while (nameStart > examinedUpTo && isNameChar(text.charCodeAt(nameStart - 1))) {
				nameStart--;
			}
			let nameEnd = match.index + match[0].length;
			while (nameEnd < text.length && isNameChar(text.charCodeAt(nameEnd))) {
				nameEnd++;
			}
			examinedUpTo = nameEnd;
			hint.lastIndex = nameEnd;
			const name = text.slice(nameStart, nameEnd);
			const verdict = name.length <= MAX_NAME ? secretName(name) : undefined;
			if (verdict === undefined) {
				continue;
			}
			const value = valueAfterName(text, name, nameStart, nameEnd);
			if (value === undefined || !looksLikeCredential(text.slice(value.start, value.end), verdict)) {
				continue;
			}
			yield { ...(verdict.passwordLike ? PASSWORD : SECRET), start: value.start, end: value.end };
			// Go on after the value, so a secret is never also read as a name.
			examinedUpTo = value.end;
			hint.lastIndex = value.end;
		}
	},
};
