import { inAssignmentContext, lineAround, looksLikeFiller } from './credentialHeuristics.js';
import { patternRule, type SecretRule } from './secretRule.js';

/**
 * Secrets whose shape alone is too common to redact on sight (40 base64 characters, 32 hex digits,
 * a UUID): they count only next to a name or a mention that says what they are.
 */

/** Between a name and its value: closing quotes or bracket, an assignment operator, an opening quote. */
const ASSIGN = `["'\\]]{0,2}[ \\t]{0,20}(?:=|:=|:|=>)[ \\t]{0,20}["'\`]?`;
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Random base64 of this length has all three classes; a run of one case or of words does not (nor AWS's documentation key '…EXAMPLEKEY'). */
function mixedBase64(value: string): boolean {
	return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value) && !looksLikeFiller(value) && !value.endsWith('EXAMPLEKEY');
}

/** A mention of the provider on the value's line or in the few lines above it (a config block, a client constructor). */
function mentionedNearby(word: RegExp): (value: string, text: string, start: number) => boolean {
	return (_value, text, start) => {
		const line = lineAround(text, start);
		return word.test(text.slice(Math.max(0, line.start - 300), line.end));
	};
}

export const CONTEXTUAL_SECRET_RULES: readonly SecretRule[] = [
	patternRule({
		kind: 'aws-secret-access-key',
		label: 'AWS secret access key',
		pattern: new RegExp(
			`(?<![A-Za-z0-9])(?:aws[_.-]?secret(?:[_.-]?access)?|secret[_.-]?access)[_.-]?key${ASSIGN}(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`,
			'dgi',
		),
		accept: mixedBase64,
	}),
	// Passed by position right after its key ID: 'NewStaticCredentials("AKIA…", "…", "")', 'boto3.client("s3", "AKIA…", "…")'.
	patternRule({
		kind: 'aws-secret-access-key',
		label: 'AWS secret access key',
		pattern: /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/dg,
		requires: /AKIA|ASIA/,
		accept: (value, text, start) =>
			inAssignmentContext(text, start) &&
			mixedBase64(value) &&
			/(?:AKIA|ASIA)[A-Z2-7]{16}/.test(text.slice(Math.max(0, start - 200), start)),
	}),
	// An auth token is 32 hex digits like many hashes: it counts as a string next to a mention of
	// Twilio, often passed by position ('Client(account_sid, "…")'), so no name says what it is.
	patternRule({
		kind: 'twilio-auth-token',
		label: 'Twilio auth token',
		pattern: /(?<![A-Za-z0-9_])[0-9a-f]{32}(?![A-Za-z0-9_])/dg,
		requires: /[Tt]wilio|TWILIO|AC[0-9a-f]{32}/,
		accept: (value, text, start) =>
			inAssignmentContext(text, start) &&
			!looksLikeFiller(value) &&
			mentionedNearby(/twilio|(?<![A-Za-z0-9_])AC[0-9a-f]{32}/i)(value, text, start),
	}),
	patternRule({
		kind: 'twilio-api-key',
		label: 'Twilio API key SID',
		pattern: /(?<![A-Za-z0-9_])SK[0-9a-f]{32}(?![A-Za-z0-9_])/dg,
		accept: (value, text, start) => inAssignmentContext(text, start) && !looksLikeFiller(value.slice(2)),
	}),
	patternRule({
		kind: 'twilio-account-sid',
		label: 'Twilio account SID',
		pattern: /(?<![A-Za-z0-9_])AC[0-9a-f]{32}(?![A-Za-z0-9_])/dg,
		accept: (value, text, start) => inAssignmentContext(text, start) && !looksLikeFiller(value.slice(2)),
	}),
	patternRule({
		kind: 'mailgun-api-key',
		label: 'Mailgun API key',
		pattern: /(?<![A-Za-z0-9_-])(?:key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})(?![A-Za-z0-9_-])/dg,
		requires: /key-|[Mm]ailgun|MAILGUN/,
		accept: (value, text, start, end) =>
			!looksLikeFiller(value) &&
			inAssignmentContext(text, start) &&
			(mentionedNearby(/mailgun/i)(value, text, start) ||
				(value.startsWith('key-') && /api[_-]?key/i.test(text.slice(lineAround(text, start).start, end)))),
	}),
	patternRule({
		kind: 'heroku-api-key',
		label: 'Heroku API key',
		pattern: new RegExp(`heroku[A-Za-z0-9_.-]{0,40}${ASSIGN}(?<secret>${UUID})(?![A-Za-z0-9-])`, 'dgi'),
		accept: (value) => !looksLikeFiller(value.replace(/-/g, '')),
	}),
];
