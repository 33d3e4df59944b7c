import { decodeBase64, lineAround, looksLikeFiller, looksLikePlaceholder, realPassword } from './credentialHeuristics.js';
import { patternRule, type SecretRule } from './secretRule.js';

/**
 * Secrets recognised by the structure they sit in: signed tokens, credentials inside URLs and
 * connection strings, HTTP Authorization values and webhook URLs. Only the secret part is redacted,
 * so the preview still shows which host or header it was for.
 */

/** A JWT's header is base64url JSON naming its algorithm: this is what tells it from any three dotted base64 runs. */
function isJwt(value: string): boolean {
	const header = decodeBase64(value.slice(0, value.indexOf('.')));
	if (header === undefined) {
		return false;
	}
	try {
		const parsed: unknown = JSON.parse(header);
		return typeof parsed === 'object' && parsed !== null && ('alg' in parsed || 'typ' in parsed);
	} catch {
		return false;
	}
}

/** Basic credentials are base64 of 'user:password'. */
function isBasicCredential(value: string): boolean {
	const decoded = decodeBase64(value);
	return (
		decoded !== undefined &&
		/^[\x20-\x7e]+:[\x20-\x7e]+$/.test(decoded) &&
		!looksLikePlaceholder(decoded.slice(decoded.indexOf(':') + 1))
	);
}

/**
 * 'scheme://user:password@': the user part stops at the first ':', the password at the last '@'
 * before the path (passwords may contain an unencoded '@'), so only the password is redacted.
 * Database URLs are written by hand, often with an unencoded '#' or '?' in the password; in web
 * URLs those start the fragment or query, whose '@' (an e-mail address) is no credential.
 */
function credentialInUrl(schemes: string, passwordStops: string): RegExp {
	return new RegExp(`(?<![A-Za-z0-9+.-])(?:${schemes})://[^\\s:/?#@"'\`<>]*:(?<secret>[^\\s/"'\`<>${passwordStops}]+)@`, 'gid');
}

/** SQLAlchemy and its kin name the driver after the dialect ('postgresql+psycopg2://', 'mysql+pymysql://'). */
const DATABASE_SCHEMES =
	'(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|neo4j(?:\\+s)?|bolt|couchdb|cassandra|oracle|db2|redshift|snowflake|trino|presto|timescaledb|vertica|sybase|firebird|hana)(?:\\+[A-Za-z0-9_]{1,30})?';
const OTHER_URL_SCHEMES =
	'https?|ftps?|sftp|ssh|git(?:\\+https?|\\+ssh)?|svn|smtps?|imaps?|pop3s?|ldaps?|wss?|socks5h?|nntp|cloudinary|nats|kafka|mqtts?';

/** The query parameters that make a URL or string an Azure shared access signature. */
const SAS_PARAMETER = /(?:^|[?&;"'\s])(?:sv|se|sp|sr|srt|ss|spr|st|skoid)=/;

export const STRUCTURED_SECRET_RULES: readonly SecretRule[] = [
	patternRule({
		kind: 'jwt',
		label: 'JSON Web Token',
		pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*(?![A-Za-z0-9_-])/dg,
		accept: isJwt,
	}),
	patternRule({
		kind: 'slack-webhook-url',
		label: 'Slack webhook URL',
		pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>T[A-Z0-9]{6,}\/[A-Za-z0-9]+(?:\/[A-Za-z0-9]+){1,2})/dg,
		accept: (value) => !looksLikeFiller(value.slice(value.lastIndexOf('/') + 1)),
	}),
	patternRule({
		kind: 'discord-webhook-url',
		label: 'Discord webhook URL token',
		pattern: /discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/(?<secret>[A-Za-z0-9_-]{60,70})(?![A-Za-z0-9_-])/dg,
		accept: (value) => !looksLikeFiller(value),
	}),
	patternRule({
		kind: 'azure-storage-account-key',
		label: 'Azure storage account key',
		pattern: /(?<![A-Za-z0-9])AccountKey=(?<secret>[A-Za-z0-9+/]{40,}={0,2})/dgi,
		accept: (value) => !looksLikeFiller(value),
	}),
	patternRule({
		kind: 'azure-shared-access-key',
		label: 'Azure shared access key',
		pattern: /(?<![A-Za-z0-9])SharedAccessKey=(?<secret>[A-Za-z0-9+/]{40,}={0,2})/dgi,
		accept: (value) => !looksLikeFiller(value),
	}),
	patternRule({
		kind: 'connection-string-password',
		label: 'Database or broker connection string password',
		pattern: credentialInUrl(DATABASE_SCHEMES, ''),
		requires: /:\/\//,
		accept: realPassword,
	}),
	// Go's MySQL driver has its own DSN: 'user:password@tcp(host:3306)/db'.
	patternRule({
		kind: 'connection-string-password',
		label: 'Database or broker connection string password',
		pattern: /(?<=["'`\s=])[^\s:"'`@/]{1,64}:(?<secret>[^\s"'`@]{1,200})@(?:tcp|unix)\(/dg,
		requires: /@(?:tcp|unix)\(/,
		accept: realPassword,
	}),
	patternRule({
		kind: 'url-password',
		label: 'Password in a URL',
		pattern: credentialInUrl(OTHER_URL_SCHEMES, '?#'),
		requires: /:\/\//,
		// Tests of URL parsers use short words ('http://wrong:info@host'); a real password is not one.
		accept: (value) => realPassword(value) && !/^[a-z]{1,6}$/.test(value),
	}),
	patternRule({
		kind: 'azure-sas-signature',
		label: 'Azure shared access signature',
		pattern: /(?<![A-Za-z0-9_])sig=(?<secret>[A-Za-z0-9%+/=]{16,200})(?![A-Za-z0-9%+/=])/dg,
		requires: /sig=/,
		accept: (value, text, start) => {
			const line = lineAround(text, start);
			return !looksLikePlaceholder(value) && SAS_PARAMETER.test(text.slice(line.start, start - 4));
		},
	}),
	patternRule({
		kind: 'okta-api-token',
		label: 'Okta API token (SSWS)',
		pattern: /(?<![A-Za-z0-9_])SSWS[ \t]{1,20}(?<secret>[A-Za-z0-9_-]{20,100})(?![A-Za-z0-9_-])/dg,
		requires: /SSWS/,
		accept: (value) => !looksLikePlaceholder(value),
	}),
	patternRule({
		kind: 'bearer-token',
		label: 'Bearer token in an Authorization header',
		pattern:
			/(?<![A-Za-z0-9_-])authorization["'\]]{0,2}[ \t]{0,20}[:=,][ \t]{0,20}(?:["'`][ \t]{0,20})?bearer[ \t]{1,20}(?<secret>[A-Za-z0-9._~+/-]{12,4096}=*)(?![A-Za-z0-9._~+/=-])/dgi,
		// Opaque tokens are random: a digit somewhere, or a length no word has.
		accept: (value) => !looksLikePlaceholder(value) && (/\d/.test(value) || value.length >= 24),
	}),
	patternRule({
		kind: 'basic-auth-header',
		label: 'Basic credentials in an Authorization header',
		pattern:
			/(?<![A-Za-z0-9_-])authorization["'\]]{0,2}[ \t]{0,20}[:=,][ \t]{0,20}(?:["'`][ \t]{0,20})?basic[ \t]{1,20}(?<secret>[A-Za-z0-9+/]{8,4096}={0,2})(?![A-Za-z0-9+/=])/dgi,
		accept: isBasicCredential,
	}),
];
