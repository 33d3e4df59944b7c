/**
 * Judging a candidate value: filler that only has a token's shape ('ghp_xxxx…'), placeholders that
 * stand for a secret without being one ('changeme', '${API_KEY}', '<your key>'), and, for values
 * found by a variable's name alone, whether the value looks like a credential at all rather than a
 * word, a path, a URL or a reference to something else.
 */

/** Words that stand in for a secret in examples and templates (compared lower-cased, letters and digits only). */
const PLACEHOLDER_WORDS = new Set([
	'changeme', 'changeit', 'changethis', 'password', 'passwd', 'passphrase', 'secret', 'secrets', 'token', 'apikey', 'apitoken',
	'accesskey', 'secretkey', 'privatekey', 'authtoken', 'accesstoken', 'credentials', 'example', 'sample', 'dummy', 'test', 'testing',
	'placeholder', 'redacted', 'removed', 'hidden', 'masked', 'todo', 'tbd', 'fixme', 'none', 'null', 'nil', 'undefined', 'empty',
	'default', 'foo', 'bar', 'baz', 'qux', 'foobar', 'admin', 'root', 'user', 'guest', 'letmein', 'notasecret', 'notsecret',
	'mysecret', 'mypassword', 'mytoken', 'mykey', 'yourpassword', 'yourtoken', 'yourkey', 'pass', 'value', 'string', 'required',
	'optional', 'unknown', 'invalid', 'abc', 'abc123', 'qwerty', 'true', 'false', 'yes', 'no', 'on', 'off', 'enabled', 'disabled',
	'bearer', 'basic', 'secretvalue', 'supersecret', 'topsecret', 'hunter2', 'xyz', 'username', 'login',
]);

/** Substrings that mark a template value ('your-api-key-here', 'INSERT_TOKEN', 'sk-xxxx'). */
const PLACEHOLDER_FRAGMENT = /example|placeholder|changeme|changeit|replaceme|redacted|dummy|notreal|sample|xxxx|todo|^(?:your|insert|enter|paste|replace)/;

/** Interpolations and references: the value is elsewhere ('${DB_PASS}', '{{ token }}', '%s', 'process.env.X'). */
const INTERPOLATION = /\$\{|\{\{|\}\}|^\$[A-Za-z_({]|%\(\w+\)[sd]|^%[sdvq]$|#\{|^<.*>$|<[A-Za-z_ -]+>|^\[.*\]$|^\{.*\}$|^%[A-Za-z_]+%$|^@@?[A-Za-z_]+@@?$|^__[A-Z0-9_]+__$|process\.env|os\.environ|getenv|ENV\[|secrets\.|vault:|env:/;

/** Runs that no random token contains: a value made of them is filler, whatever its prefix. */
const FILLER_RUN = /(.)\1{5,}|x{4,}|X{4,}|\*{3,}|\.\.\.|0123456789|1234567890|abcdefghij|ABCDEFGHIJ|qwertyuiop/;

/** True for values that only look like a token: one character dominating, repeated runs, counting sequences. */
export function looksLikeFiller(value: string): boolean {
	if (FILLER_RUN.test(value)) {
		return true;
	}
	const counts = new Map<string, number>();
	let most = 0;
	for (const char of value) {
		const count = (counts.get(char) ?? 0) + 1;
		counts.set(char, count);
		most = Math.max(most, count);
	}
	return value.length >= 8 && (most / value.length > 0.4 || counts.size < 5);
}

export function looksLikePlaceholder(value: string): boolean {
	const trimmed = value.trim();
	if (trimmed.length === 0 || INTERPOLATION.test(trimmed)) {
		return true;
	}
	const normalized = trimmed.toLowerCase().replace(/[^a-z0-9]/g, '');
	return normalized.length === 0 || PLACEHOLDER_WORDS.has(normalized) || PLACEHOLDER_FRAGMENT.test(normalized) || looksLikeFiller(trimmed);
}

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/|^(?:mailto|data|file|urn|arn):/;
const PATH_LIKE = /^(?:\/|\.{1,2}[\\/]|~[\\/]|[A-Za-z]:[\\/]|\\\\)|^[a-z0-9_.@-]+(?:\/[a-z0-9_.@-]+)+$/;
const FILE_NAME = /^[\w./\\-]+\.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|json|ya?ml|txt|env|toml|ini|conf|cfg|properties|js|ts|py|sh|gpg|asc|pub|db|sqlite)$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;
/** Words joined by separators, no digits: names ('my-secret-name', 'auth.token', 'GITHUB_TOKEN'), not credentials. */
const SEPARATED_WORDS = /^[A-Za-z]+(?:[-_.:/ ][A-Za-z]+)*$/;
const CAMEL_WORDS = /^[A-Z]?[a-z]+(?:[A-Z][a-z]+)+$/;
/** Regular expressions and format strings ('^(?=.*\d).{8,}$'), and validation rule lists ('required|min:8'). */
/** Version numbers and ranges ('"@scope/rule-1password": "^10.2.2"' in a package.json). */
const VERSION_LIKE = /^[\^~<>=v]*\d+(?:\.\d+){1,3}(?:[-+][\w.-]+)?$/;
const PATTERN_LIKE = /\(\?[=!:<]|\\[dwsbDWS]|\[\^|\.\*|\.\+|\{\d+,\d*\}|^[a-z_]+(?::[^|\s]*)?(?:\|[a-z_]+(?::[^|\s]*)?)+$/;

export interface CredentialJudgement {
	/** Passwords are judged more leniently than tokens: people choose short ones. */
	readonly passwordLike: boolean;
}

/** Whether a value found only through its variable's name is plausibly a credential. */
export function looksLikeCredential(value: string, { passwordLike }: CredentialJudgement): boolean {
	if (value.length < (passwordLike ? 6 : 10) || value.length > 4096 || /\s/.test(value)) {
		return false;
	}
	if (looksLikePlaceholder(value) || URL_LIKE.test(value) || PATH_LIKE.test(value) || FILE_NAME.test(value) || EMAIL.test(value)) {
		return false;
	}
	if (SEPARATED_WORDS.test(value) || CAMEL_WORDS.test(value) || PATTERN_LIKE.test(value) || VERSION_LIKE.test(value)) {
		return false;
	}
	const hasLower = /[a-z]/.test(value);
	const hasUpper = /[A-Z]/.test(value);
	const hasDigit = /[0-9]/.test(value);
	const hasSymbol = /[^A-Za-z0-9]/.test(value);
	const classes = [hasLower, hasUpper, hasDigit, hasSymbol].filter(Boolean).length;
	if (hasDigit || hasSymbol) {
		return classes >= 2;
	}
	// Letters only: only a long, mixed-case run is random enough to be a key.
	return value.length >= 16 && hasLower && hasUpper;
}

/** Decodes base64 or base64url (padding optional); undefined when it is not valid base64. */
export function decodeBase64(value: string): string | undefined {
	try {
		return atob(value.replace(/-/g, '+').replace(/_/g, '/'));
	} catch {
		return undefined;
	}
}

/**
 * The line around `offset`, as [start, end) offsets, at most `reach` characters either side: a
 * minified file is one long line, and looking at all of it for each candidate would be quadratic.
 */
export function lineAround(text: string, offset: number, reach = 300): { start: number; end: number } {
	let start = offset;
	while (start > 0 && offset - start < reach && text[start - 1] !== '\n') {
		start--;
	}
	let end = offset;
	while (end < text.length && end - offset < reach && text[end] !== '\n') {
		end++;
	}
	return { start, end };
}

/**
 * Whether the value at `start` is the right-hand side of an assignment or a string literal: the
 * shape in which an ID-like token (Twilio's 'SK…', 'AC…') is a credential rather than a word.
 */
export function inAssignmentContext(text: string, start: number): boolean {
	const before = text.slice(Math.max(0, start - 40), start);
	return /["'`]$/.test(before) || /(?:[:=]|=>)\s*["'`]?$/.test(before);
}
