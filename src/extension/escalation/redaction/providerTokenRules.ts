import { decodeBase64, looksLikeFiller } from './credentialHeuristics.js';
import { patternRule, type SecretRule } from './secretRule.js';

/**
 * Tokens that announce themselves: a vendor prefix and a fixed alphabet and length. The prefix makes
 * these precise on their own, so they need no variable name around them; each pattern ends where
 * the token's alphabet ends, so a longer run of the same characters is not a token.
 */

/** Not preceded by a character that would make the prefix part of a longer word. */
export const START = '(?<![A-Za-z0-9_])';
/** Not followed by more of a token alphabet. */
export const END = '(?![A-Za-z0-9_])';
export const END_DASHED = '(?![A-Za-z0-9_-])';

export function prefixed(kind: string, label: string, body: string): SecretRule {
	return patternRule({ kind, label, pattern: new RegExp(`${START}${body}`, 'gd'), accept: (value) => !looksLikeFiller(value) });
}

/** The first part of a Discord bot token is the bot's user ID (a snowflake: 17 to 20 digits), in base64. */
function isDiscordToken(value: string): boolean {
	const [id] = value.split('.');
	const decoded = decodeBase64(id!);
	return decoded !== undefined && /^\d{17,20}$/.test(decoded);
}

export const PROVIDER_TOKEN_RULES: readonly SecretRule[] = [
	// AWS's documentation key 'AKIAIOSFODNN7EXAMPLE' is quoted in tools and tests everywhere.
	patternRule({
		kind: 'aws-access-key-id',
		label: 'AWS access key ID',
		pattern: new RegExp(`${START}(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}${END}`, 'gd'),
		accept: (value) => !looksLikeFiller(value) && !value.endsWith('EXAMPLE'),
	}),
	prefixed('github-personal-access-token', 'GitHub personal access token', `ghp_[A-Za-z0-9]{36}${END}`),
	prefixed('github-oauth-token', 'GitHub OAuth access token', `gho_[A-Za-z0-9]{36}${END}`),
	prefixed('github-user-token', 'GitHub user-to-server token', `ghu_[A-Za-z0-9]{36}${END}`),
	prefixed('github-app-token', 'GitHub App installation token', `ghs_[A-Za-z0-9]{36}${END}`),
	prefixed('github-refresh-token', 'GitHub refresh token', `ghr_[A-Za-z0-9]{36,76}${END}`),
	prefixed('github-fine-grained-token', 'GitHub fine-grained personal access token', `github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${END}`),
	prefixed(
		'gitlab-token',
		'GitLab token',
		`(?:glpat|glptt|gldt|glrt|gloas|glcbt|glft|glimt|glsoat)-[A-Za-z0-9_-]{20,300}(?:\\.[A-Za-z0-9_-]{1,100}){0,3}${END_DASHED}`,
	),
	prefixed('slack-token', 'Slack token', `(?:xox[abeoprs]|xapp)-\\d{1,20}-[A-Za-z0-9-]{8,250}[A-Za-z0-9]${END}`),
	prefixed('stripe-live-secret-key', 'Stripe live secret key', `sk_live_[A-Za-z0-9]{20,247}${END}`),
	prefixed('stripe-test-secret-key', 'Stripe test secret key', `sk_test_[A-Za-z0-9]{20,247}${END}`),
	prefixed('stripe-restricted-key', 'Stripe restricted key', `rk_(?:live|test)_[A-Za-z0-9]{20,247}${END}`),
	prefixed('stripe-webhook-secret', 'Stripe webhook signing secret', `whsec_[A-Za-z0-9+/]{32,100}={0,2}${END}`),
	prefixed('anthropic-api-key', 'Anthropic API key', `sk-ant-[a-z]{1,20}\\d{0,4}-[A-Za-z0-9_-]{32,300}${END_DASHED}`),
	// Project, service-account and admin keys carry their kind; the legacy format is 'sk-' and 48
	// alphanumerics with 'T3BlbkFJ' ('OpenAI' in base64) in the middle, matched here by its length.
	prefixed(
		'openai-api-key',
		'OpenAI API key',
		`sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,300}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{40,64})${END_DASHED}`,
	),
	prefixed('google-api-key', 'Google API key', `AIza[A-Za-z0-9_-]{35}${END_DASHED}`),
	prefixed('google-oauth-client-secret', 'Google OAuth client secret', `GOCSPX-[A-Za-z0-9_-]{28}${END_DASHED}`),
	prefixed('sendgrid-api-key', 'SendGrid API key', `SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${END_DASHED}`),
	prefixed('npm-token', 'npm access token', `npm_[A-Za-z0-9]{36}${END}`),
	prefixed('pypi-token', 'PyPI API token', `pypi-AgE[A-Za-z0-9_-]{50,400}${END_DASHED}`),
	prefixed('huggingface-token', 'Hugging Face access token', `hf_[A-Za-z0-9]{34,40}${END}`),
	prefixed('shopify-access-token', 'Shopify access token', `shp(?:at|ca|pa)_[a-fA-F0-9]{32}${END}`),
	prefixed('shopify-shared-secret', 'Shopify shared secret', `shpss_[a-fA-F0-9]{32}${END}`),
	prefixed('digitalocean-token', 'DigitalOcean token', `do[opr]_v1_[a-f0-9]{64}${END}`),
	prefixed('square-access-token', 'Square access token', `sq0atp-[A-Za-z0-9_-]{22}${END_DASHED}`),
	prefixed('square-oauth-secret', 'Square OAuth secret', `sq0csp-[A-Za-z0-9_-]{43}${END_DASHED}`),
	// Also in the Bot API's URLs, right after 'bot': 'https://api.telegram.org/bot<token>/sendMessage'.
	patternRule({
		kind: 'telegram-bot-token',
		label: 'Telegram bot token',
		pattern: new RegExp(`(?:(?<=[/.]bot)|${START})\\d{8,10}:AA[A-Za-z0-9_-]{33}${END_DASHED}`, 'gd'),
		accept: (value) => !looksLikeFiller(value),
	}),
	prefixed(
		'firebase-cloud-messaging-key',
		'Firebase Cloud Messaging server key',
		`AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100,300}${END_DASHED}`,
	),
	prefixed('databricks-token', 'Databricks access token', `dapi[a-f0-9]{32}(?:-\\d)?${END}`),
	prefixed('heroku-api-key', 'Heroku API key', `HRKU-[A-Za-z0-9_-]{40,200}${END_DASHED}`),
	prefixed('age-secret-key', 'age secret key', `AGE-SECRET-KEY-1[0-9A-Z]{58}${END}`),
	patternRule({
		kind: 'discord-bot-token',
		label: 'Discord bot token',
		pattern: new RegExp(`${START}[MNO][A-Za-z0-9_-]{22,27}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}${END_DASHED}`, 'gd'),
		accept: isDiscordToken,
	}),
];
