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
	'id_rsa*',
	'*.p12',
	'*.pfx',
	'.npmrc',
	'.pypirc',
	'.netrc',
	'credentials.json',
	'secrets.*',
];
