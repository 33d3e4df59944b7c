/** The ignore file in the workspace root whose patterns can never be escalated (gitignore syntax). */
export const HEARTH_IGNORE_FILE = '.hearthignore';

/**
 * Files that hold secrets by their nature and are never escalated, whatever the settings say
 * (shown in settings so the user knows). gitignore syntax, applied without regard to case: the
 * '!' lines keep the templates that document a .env file without holding one.
 */
export const DEFAULT_ESCALATION_EXCLUSIONS: readonly string[] = [
	'.env',
	'.env.*',
	'!.env.example',
	'!.env.sample',
	'!.env.template',
	'*.pem',
	'*.key',
	'*.p12',
	'*.pfx',
	// SSH private keys under their default names (and their .pub halves, which sit beside them), PuTTY's.
	'id_rsa*',
	'id_dsa*',
	'id_ecdsa*',
	'id_ed25519*',
	'*.ppk',
	// Tool credential stores.
	'**/.aws/credentials',
	'**/.kube/config',
	'**/.docker/config.json',
	'.git-credentials',
	'.netrc',
	'_netrc',
	'.pypirc',
	// Terraform variable files hold provider keys and passwords; state files hold every secret applied.
	'*.tfvars',
	'*.tfvars.json',
	'*.tfstate',
	'*.tfstate.backup',
	'credentials.json',
	'secrets.*',
];

/** A file that is never escalated when its contents hold a secret; without them it is not escalated either. */
export interface ContentExclusion {
	/** gitignore syntax, applied without regard to case. */
	readonly pattern: string;
	/** What in the file makes it secret, for settings and the refusal message. */
	readonly holds: string;
	readonly holdsSecret: (text: string) => boolean;
}

/** A literal value, not a reference to the environment ('${NPM_TOKEN}'), which is what a checked-in config should hold. */
const LITERAL_VALUE = `[ \\t]*["']?(?!\\$\\{?[A-Za-z_])[^\\s"']`;

/**
 * Config files that are ordinary until someone pastes a token into them: an .npmrc only sets a
 * registry until it holds `_authToken=`, and the same for Yarn's.
 */
export const CONTENT_ESCALATION_EXCLUSIONS: readonly ContentExclusion[] = [
	{
		pattern: '.npmrc',
		holds: 'an auth token (_authToken, _auth or _password)',
		holdsSecret: (text) => new RegExp(`^[ \\t]*(?:\\S*:)?_(?:authToken|auth|password)[ \\t]*=${LITERAL_VALUE}`, 'm').test(text),
	},
	{
		pattern: '.yarnrc.yml',
		holds: 'an auth token (npmAuthToken or npmAuthIdent)',
		holdsSecret: (text) => new RegExp(`^[ \\t]*npmAuth(?:Token|Ident)[ \\t]*:${LITERAL_VALUE}`, 'm').test(text),
	},
];
