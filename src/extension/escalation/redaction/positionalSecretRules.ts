import { lineAround, looksLikeCredential, looksLikePlaceholder, realPassword } from './credentialHeuristics.js';
import type { SecretFinding } from './secretFinding.js';
import { patternRule, type SecretRule } from './secretRule.js';

/**
 * Passwords that no name announces: the second of a (user, password) pair passed by position
 * (`auth=("deploy", "…")`, `SetBasicAuth("admin", "…")`, `curl -u user:…`), a password glued to
 * a command-line flag (`mysql -p…`, `docker login -p …`), and the last field of a .pgpass line.
 */

const kind = 'positional-password';
const label = 'Password passed by position (auth pair, curl -u, mysql -p)';

/** A quoted first argument (the user name), then the quoted password. */
const USER_THEN_PASSWORD = `[ \\t]{0,4}(?<q1>["'])[^"'\\n]{0,100}\\k<q1>[ \\t]{0,4},[ \\t]{0,4}(?<q2>["'])(?<secret>[^"'\\n]{1,200})\\k<q2>`;

/** Calls whose second argument is a password, in Python, Go, Java, C#, Ruby and JavaScript clients. */
const BASIC_AUTH_CALLS = [
	'HTTPBasicAuth',
	'HTTPDigestAuth',
	'HTTPProxyAuth',
	'BasicAuth',
	'DigestAuth',
	'SetBasicAuth',
	'setBasicAuth',
	'basic_auth',
	'basicAuth',
	'withBasicAuth',
	'PasswordAuthentication',
	'UsernamePasswordCredentials',
	'UsernamePasswordAuthenticationToken',
	'NetworkCredential',
	'PlainAuth',
	'login',
	'Login',
	'authenticate',
	'connect_with_password',
].join('|');

/** Commands that take `-p` or `--password` followed by the password as the next word (for mysql, '-p word' prompts and names a database). */
const PASSWORD_FLAG_COMMANDS =
	/(?<![\w-])(?:(?:docker|podman|nerdctl|helm|oras|skopeo|buildah|crane)[ \t][^\n]{0,40}(?<![\w-])login|sshpass)(?![\w-])/;
/** Those that take it glued to the flag ('-pS3cret'); for the others '-p' is a port or a path. */
const GLUED_PASSWORD_COMMANDS = /(?<![\w-])(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)(?![\w-])/;

function lineText(text: string, start: number): string {
	const line = lineAround(text, start);
	return text.slice(line.start, line.end);
}

/** The password of a pair: not a placeholder, not an interpolation, not the user name again. */
function pairPassword(value: string): boolean {
	return realPassword(value) && !value.startsWith('$') && looksLikeCredential(value, { passwordLike: true });
}

const PGPASS = { kind: 'pgpass-password', label: 'Password in a .pgpass line' };
/** hostname:port:database:username:password; the first four may be '*', and ':' or '\\' in a field is escaped. */
const PGPASS_ENTRY =
	/(?<![^\s"'>])(?:[A-Za-z0-9.*_-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):(?:\d{1,5}|\*):(?:\\.|[^\s:\\"']){1,100}:(?:\\.|[^\s:\\"']){1,100}:(?<secret>(?:\\.|[^\s:\\"']){1,200})(?=[\s"']|$)/dg;
const PGPASS_LINE = /^[ \t]*[^\s:]+(?::(?:\\.|[^\s:\\])+){4}[ \t]*\r?$/;
/** What every entry holds: the port field between colons. */
const PORT_FIELD = /:(?:\d{1,5}|\*):/g;

/** Entries are looked for only on lines with a port field, each line once: the entry pattern is costly to try everywhere. */
const PGPASS_RULE: SecretRule = {
	kinds: [PGPASS],
	*find(text: string): Iterable<SecretFinding> {
		const port = new RegExp(PORT_FIELD.source, 'g');
		let match: RegExpExecArray | null;
		while ((match = port.exec(text)) !== null) {
			const line = lineAround(text, match.index);
			port.lastIndex = Math.max(port.lastIndex, line.end);
			const lineText = text.slice(line.start, line.end);
			const usable = PGPASS_LINE.test(lineText) || /pgpass/i.test(lineText);
			for (const entry of usable ? lineText.matchAll(PGPASS_ENTRY) : []) {
				const [start, end] = entry.indices!.groups!['secret']!;
				const value = lineText.slice(start, end);
				if (!looksLikePlaceholder(value) && looksLikeCredential(value, { passwordLike: true })) {
					yield { ...PGPASS, start: line.start + start, end: line.start + end };
				}
			}
		}
	},
};

export const POSITIONAL_SECRET_RULES: readonly SecretRule[] = [
	patternRule({
		kind,
		label,
		// 'auth=("u", "p")', 'session.auth = ("u", "p")', 'http_auth=["u", "p"]' (requests, httpx, Elasticsearch).
		pattern: new RegExp(
			`(?<![A-Za-z0-9_])(?:basic_|http_|proxy_)?auth[ \\t]{0,4}[=:][ \\t]{0,4}[([]${USER_THEN_PASSWORD}[ \\t]{0,4}[)\\]]`,
			'dg',
		),
		requires: /auth/,
		accept: pairPassword,
	}),
	patternRule({
		kind,
		label,
		pattern: new RegExp(`(?<![A-Za-z0-9_])(?:${BASIC_AUTH_CALLS})[ \\t]{0,4}\\(?${USER_THEN_PASSWORD}`, 'dg'),
		requires: /Auth|auth|ogin|Credential|PlainAuth|password/,
		accept: pairPassword,
	}),
	patternRule({
		kind,
		label,
		// curl's and wget's '-u user:password' / '--user=user:password'.
		pattern: /(?<=[ \t])(?:-u[ \t]{0,4}|--user[ \t=]{1,4})(?<q>["']?)[^\s:"'$`]{1,100}:(?<secret>[^\s"'`]{1,200})\k<q>(?=[\s"'`]|$)/dg,
		requires: /curl|wget|http/,
		accept: (value, text, start) => pairPassword(value) && /(?<![\w-])(?:curl|wget|http|httpie)(?![\w-])/.test(lineText(text, start)),
	}),
	patternRule({
		kind,
		label,
		pattern: /(?<=[ \t])(?:-p|--password)[ \t]{1,4}(?<q>["']?)(?<secret>[^\s"'`$-][^\s"'`]{2,199})\k<q>(?=[\s"'`]|$)/dg,
		requires: /login|sshpass/,
		accept: (value, text, start) => pairPassword(value) && PASSWORD_FLAG_COMMANDS.test(lineText(text, start)),
	}),
	patternRule({
		kind,
		label,
		pattern: /(?<=[ \t])-p(?<secret>[^\s"'`$-][^\s"'`]{2,199})(?=[\s"'`]|$)/dg,
		requires: /mysql|mariadb/,
		accept: (value, text, start) => pairPassword(value) && GLUED_PASSWORD_COMMANDS.test(lineText(text, start)),
	}),
	PGPASS_RULE,
	// .netrc and _netrc: 'machine api.heroku.com login me@acme.dev password …'.
	patternRule({
		kind,
		label,
		pattern: /(?<![\w-])password[ \t]+(?<secret>[^\s"'`]{1,200})/dg,
		requires: /machine/,
		accept: (value, text, start) => /(?<![\w-])(?:machine|login)[ \t]/.test(lineText(text, start)) && pairPassword(value),
	}),
];
