/**
 * Whether a variable, key or setting name says that its value is a secret: 'DB_PASSWORD',
 * 'apiKey', 'client_secret', 'AWS_SESSION_TOKEN', 'spring.datasource.password', '--auth-token'.
 * Names about a secret but not holding one ('tokenUrl', 'passwordHash', 'secretName',
 * 'max_tokens', 'tokenizer') do not count: what follows the secret word must still be the secret.
 */

export interface SecretName {
	/** Passwords are judged more leniently (people choose short ones) and reported as such. */
	readonly passwordLike: boolean;
}

const PASSWORD_WORD = /^(?:[a-z]*(?:password|passwd|passphrase|passcode)|pwd|pass|pw)$/;
const SECRET_WORD =
	/^(?:[a-z]*(?:secret|token)|secrets|credentials?|auth|authorization|apikey|privatekey|accesskey|secretkey|authkey|signingkey|encryptionkey|masterkey|sessionkey|apisecret)$/;
/** 'key' (and 'salt') is a secret only with one of these before it ('api key', 'private key', 'auth salt'), never alone. */
const KEY_QUALIFIERS = new Set([
	'api',
	'access',
	'private',
	'secret',
	'auth',
	'signing',
	'sign',
	'encryption',
	'encrypt',
	'decryption',
	'master',
	'client',
	'app',
	'application',
	'account',
	'consumer',
	'shared',
	'storage',
	'admin',
	'subscription',
	'webhook',
	'hmac',
	'jwt',
	'session',
	'license',
	'service',
	'server',
	'write',
	'read',
	'deploy',
	'cipher',
	'crypto',
	'aes',
	'nonce',
	'in',
	'auth',
	'master',
	'root',
	'install',
]);
/** What may follow the secret word in a name that still holds the secret itself ('SECRET_KEY_BASE', 'apiKeyValue', 'password2'). */
const TRAILERS = new Set([
	'key',
	'value',
	'val',
	'str',
	'string',
	'data',
	'raw',
	'plain',
	'plaintext',
	'cleartext',
	'base',
	'b64',
	'base64',
	'hex',
	'bytes',
	'literal',
	'secret',
	'token',
	'password',
	'pass',
	'prod',
	'production',
	'dev',
	'development',
	'staging',
	'stage',
	'test',
	'live',
	'local',
	'default',
	'new',
	'old',
	'current',
	'primary',
	'secondary',
	'override',
	'encoded',
	'enc',
	'v',
]);

/** Splits 'AWS_SECRET_ACCESS_KEY', 'clientSecret', 'APIKey2', 'spring.datasource.password' into lower-case words. */
export function nameWords(name: string): string[] {
	return name
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
		.replace(/([A-Za-z])([0-9])/g, '$1 $2')
		.replace(/([0-9])([A-Za-z])/g, '$1 $2')
		.split(/[^A-Za-z0-9]+/)
		.filter((word) => word.length > 0)
		.map((word) => word.toLowerCase());
}

export function secretName(name: string): SecretName | undefined {
	const words = nameWords(name);
	let last = -1;
	let passwordLike = false;
	words.forEach((word, index) => {
		// 'key' and 'salt' need a qualifier ('api key', 'auth salt'); 'pat' (a personal access token) a word before it ('GITHUB_PAT', not 'pat = r"…"').
		const qualifiedKey = (word === 'key' || word === 'salt') && index > 0 && KEY_QUALIFIERS.has(words[index - 1]!);
		const qualifiedPat = word === 'pat' && index > 0;
		if (PASSWORD_WORD.test(word)) {
			last = index;
			passwordLike = true;
		} else if (SECRET_WORD.test(word) || qualifiedKey || qualifiedPat) {
			last = index;
			passwordLike = false;
		}
	});
	// 'publicKey', 'publicKeyToken', 'public_api_key': public halves are meant to be shared.
	if (last === -1 || words.slice(0, last).some((word) => word === 'public' || word === 'publishable' || word === 'pub')) {
		return undefined;
	}
	const trailersOk = words.slice(last + 1).every((word) => /^\d+$/.test(word) || TRAILERS.has(word));
	return trailersOk ? { passwordLike } : undefined;
}
