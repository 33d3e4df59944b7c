/**
 * Judging a candidate value: filler that only has a token's shape ('ghp_xxxx…'), placeholders that
 * stand for a secret without being one ('changeme', '${API_KEY}', '<your key>'), and, for values
 * found by a variable's name alone, whether the value looks like a credential at all rather than a
 * word, a path, a URL or a reference to something else.
 */

/** Words that stand in for a secret in examples and templates (compared lower-cased, letters and digits only). */
const PLACEHOLDER_WORDS = new Set([
	'changeme',
	'changeit',
	'changethis',
	'password',
	'passwd',
	'passphrase',
	'secret',
	'secrets',
	'token',
	'apikey',
	'apitoken',
	'accesskey',
	'secretkey',
	'privatekey',
	'authtoken',
	'accesstoken',
	'credentials',
	'example',
	'sample',
	'dummy',
	'test',
	'testing',
	'placeholder',
	'redacted',
	'removed',
	'hidden',
	'masked',
	'todo',
	'tbd',
	'fixme',
	'none',
	'null',
	'nil',
	'undefined',
	'empty',
	'default',
	'foo',
	'bar',
	'baz',
	'qux',
	'foobar',
	'admin',
	'root',
	'user',
	'guest',
	'letmein',
	'notasecret',
	'notsecret',
	'mysecret',
	'mypassword',
	'mytoken',
	'mykey',
	'yourpassword',
	'yourtoken',
	'yourkey',
	'pass',
	'value',
	'string',
	'required',
	'optional',
	'unknown',
	'invalid',
	'abc',
	'abc123',
	'qwerty',
	'true',
	'false',
	'yes',
	'no',
	'on',
	'off',
	'enabled',
	'disabled',
	'bearer',
	'basic',
	'secretvalue',
	'supersecret',
	'topsecret',
	'hunter2',
	'xyz',
	'username',
	'login',
	'tiger',
	'scott',
	'security',
]);

/** 'passw0rd', 'S3cr3t', 'p@ss': a placeholder word in leetspeak is still a placeholder. */
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** 'secret123', 'somepassword', 'wrongpass', 'apikey2': a qualifier and a secret word, as tests and examples name their fakes. */
const PLACEHOLDER_PHRASE =
	/^(?:some|my|your|the|a|an|fake|bad|wrong|good|new|old|test|valid|invalid|correct|incorrect|other|another|sample|demo)?(?:pass(?:word|wd|phrase)?|secret|token|apikey|key|pwd)\d{0,3}$/;

/**
 * The example values of the OAuth specifications (RFC 6749 and 6750), quoted in every OAuth
 * library's documentation: tokens by their shape, yet known to everyone.
 */
const SPECIFICATION_EXAMPLES = new Set([
	'2YotnFZFEjr1zCsicMWpAA',
	'tGzv3JOkF0XG5Qx2TlKWIA',
	'SplxlOBeZQQYbYS6WxSbIA',
	'mF_9.B5f-4.1JqM',
	'gX1fBat3bV',
	'h480djs93hd8',
	'8xLOxBtZp8',
]);

/** Keyboard runs that hand-typed fake tokens are made of ('lsdkfol23', 'qwe0892'); checked only on lower-case values without hex's alphabet alone. */
const KEYBOARD_MASH = /asdf|sdf|qwe|jkl|lkj|fdsa|zxc|hjk|dfg/;

/** Substrings that mark a template value ('your-api-key-here', 'INSERT_TOKEN', 'sk-xxxx'). */
const PLACEHOLDER_FRAGMENT =
	/example|placeholder|changeme|changeit|replaceme|redacted|dummy|notreal|sample|xxxx|todo|^(?:your|insert|enter|paste|replace)/;

/** Interpolations and references: the value is elsewhere ('${DB_PASS}', '{{ token }}', '{0}', '%(name)s', 'process.env.X'). */
const INTERPOLATION =
	/\$\{[^{}]{0,80}\}|\{\{[^{}]{0,80}\}\}|^\$[A-Za-z_({]|%\(\w+\)[sd]|^%[sdvq]$|#\{[^{}]{0,80}\}|^<.*>$|<[A-Za-z_ -]+>|^\[.*\]$|^\{.*\}$|^\(.*\)$|^%[A-Za-z_]+%$|^@@?[A-Za-z_]+@@?$|^__[A-Z0-9_]+__$|\{\d{0,2}\}|process\.env|os\.environ|getenv|ENV\[|secrets\.|vault:|env:/;

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

/** A printf-style format ('%s:%d'); long random values from a symbol-rich alphabet (WordPress salts) hold '%s' by chance. */
const FORMAT = /%[sdr](?![A-Za-z0-9])/;

export function looksLikePlaceholder(value: string): boolean {
	const trimmed = value.trim();
	if (trimmed.length === 0 || INTERPOLATION.test(trimmed) || (trimmed.length <= 40 && FORMAT.test(trimmed))) {
		return true;
	}
	if (SPECIFICATION_EXAMPLES.has(trimmed)) {
		return true;
	}
	// '\u0418secret': an escaped character does not make a word random.
	const normalized = trimmed
		.replace(/\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]/g, '');
	const unleet = trimmed
		.toLowerCase()
		.replace(/[013457@$]/g, (char) => LEET[char]!)
		.replace(/[^a-z0-9]/g, '');
	const mashed = /^[a-z0-9]{6,24}$/.test(trimmed) && /[g-z]/.test(trimmed) && KEYBOARD_MASH.test(trimmed);
	return (
		normalized.length === 0 ||
		PLACEHOLDER_WORDS.has(normalized) ||
		PLACEHOLDER_WORDS.has(unleet) ||
		PLACEHOLDER_PHRASE.test(normalized) ||
		PLACEHOLDER_FRAGMENT.test(normalized) ||
		mashed ||
		looksLikeFiller(trimmed)
	);
}

/** Not a placeholder ('https://a:b@host' in documentation), and not a port ('http://localhost:3000?next=a@b'). */
export function realPassword(value: string): boolean {
	let decoded = value;
	try {
		decoded = decodeURIComponent(value);
	} catch {
		// not percent-encoded after all
	}
	return decoded.length >= 3 && !looksLikePlaceholder(decoded) && !/^\*+$/.test(value) && !/^\d{1,5}$/.test(value);
}

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/|^(?:mailto|data|file|urn|arn):/;
const PATH_LIKE = /^(?:\/|\.{1,2}[\\/]|~[\\/]|[A-Za-z]:[\\/]|\\\\)|^[a-z0-9_.@-]+(?:\/[a-z0-9_.@-]+)+$/;
const FILE_NAME =
	/^[\w./\\-]+\.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|json|ya?ml|txt|env|toml|ini|conf|cfg|properties|js|ts|py|sh|gpg|asc|pub|db|sqlite)$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;
/** Words joined by separators, no digits: names ('my-secret-name', 'auth.token', 'GITHUB_TOKEN'), not credentials. */
const SEPARATED_WORDS = /^[A-Za-z]+(?:[-_.:/ ][A-Za-z]+)*$/;
const CAMEL_WORDS = /^[A-Z]?[a-z]+(?:[A-Z][a-z]+)+$/;
/** Regular expressions and format strings ('^(?=.*\d).{8,}$'), and validation rule lists ('required|min:8'). */
/** Version numbers and ranges ('"@scope/rule-1password": "^10.2.2"' in a package.json). */
const VERSION_LIKE = /^[\^~<>=v]*\d+(?:\.\d+){1,3}(?:[-+][\w.-]+)?$/;
const PATTERN_LIKE = /\(\?[=!:<]|\\[dwsbDWS]|\[\^|\.\*|\.\+|\{\d+,\d*\}|^[a-z_]+(?::[^|\s]*)?(?:\|[a-z_]+(?::[^|\s]*)?)+$/g;

/** A regular expression or a rule list: one such feature in a short value, two in a long one (random symbols make one by chance). */
function patternLike(value: string): boolean {
	return (value.match(PATTERN_LIKE)?.length ?? 0) >= (value.length >= 32 ? 2 : 1);
}

/** 'pkg.module:attribute' (a Python entry point or lazy import). */
const MODULE_REFERENCE = /^\.?[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$/;
/** A numeric literal ('password = 0x0000' initialising a hash). */
const HEX_NUMBER = /^0x[0-9A-Fa-f]{1,16}$/;

/**
 * Letters only, split at case changes ('EllipticCurvePrivateKey', 'HTTPServerKey') into words that
 * all read as words: an acronym, or a run of lower case with a vowel. Random letters make
 * vowel-less pairs ('Qz', 'kW') or single letters long before 16 characters.
 */
function identifierWords(value: string): boolean {
	if (!/^[A-Za-z]+$/.test(value)) {
		return false;
	}
	const words = value.split(/(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/);
	return words.every((word) => /^[A-Z]{2,5}$/.test(word) || (/^[A-Z]?[a-z]{2,}$/.test(word) && /[aeiouy]/i.test(word)));
}

/** 'feature_flag_v2', '0003_alter_user_email_max_length', 'api-v1-prod': words and numbers joined, a name not a secret. */
function wordsWithNumbers(value: string): boolean {
	const parts = value.split(/[-_.]/);
	const words = parts.filter((part) => /^(?:[a-z]{3,}|[A-Z]{3,}|[A-Z][a-z]{2,})$/.test(part)).length;
	return words >= 3 && parts.every((part) => /^(?:[a-z]{2,}|[A-Z]{2,}|[A-Z][a-z]+|[a-z]?\d{1,4}|)$/.test(part));
}

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
	// '_auth_user_id', '_RSAPrivateKey', '__token__': names with their underscores are still names.
	const bare = value.replace(/^[_.-]+|[_.-]+$/g, '');
	if (SEPARATED_WORDS.test(bare) || CAMEL_WORDS.test(bare) || identifierWords(bare) || patternLike(value) || VERSION_LIKE.test(value)) {
		return false;
	}
	if (MODULE_REFERENCE.test(value) || HEX_NUMBER.test(value) || wordsWithNumbers(value)) {
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
