import { looksLikeCredential } from './credentialHeuristics.js';
import { PASSWORD, SECRET } from './namedAssignmentRule.js';
import type { SecretFinding } from './secretFinding.js';
import type { SecretRule } from './secretRule.js';
import { secretName } from './secretNames.js';

/**
 * Secrets written into comments as prose: `// old token: Zk8m… (rotated)`, `/* auth token Bq4v… *\/`,
 * `# the password is Wq7!…`. Commented-out assignments (`# API_KEY=…`) are the named-assignment
 * rule's; here the value may have words after it and no operator before it, so it must look
 * random (letters and digits mixed, and long unless it is a password).
 */

/** A comment: a line that opens with a comment marker, or a trailing '//' or '#' after code. */
const COMMENT = /(?:^[ \t]*(?:\/\/+|#+|--|;+|\/?\*+|<!--|REM(?= ))|[ \t](?:\/\/|#)(?=[ \t]))(?<body>[^\n]{1,1000})/gm;
/** Every secret name holds one of these (as the named-assignment rule's names do). */
const NAME_HINT = /pass|pwd|pw|secret|token|auth|credential|key|salt|pat(?![a-z])/i;
const PROSE_WORDS = /^(?:pass|pw|pwd|auth|key|keys)$/i;
const WORD = /[A-Za-z_][A-Za-z0-9_.-]{0,99}/g;
/** After the name: an operator, or 'is'/'was', or nothing; then the value, quoted or not. */
const VALUE = /["']?[ \t]{0,8}(?:[:=]|:=|=>|is[ \t]|was[ \t])?[ \t]{0,8}(?<q>["'`]?)(?<value>[^\s"'`]{1,256})\k<q>/y;

function randomEnough(value: string, passwordLike: boolean): boolean {
	return (
		/[0-9]/.test(value) &&
		/[A-Za-z]/.test(value) &&
		value.length >= (passwordLike ? 8 : 12) &&
		looksLikeCredential(value, { passwordLike })
	);
}

export const COMMENT_SECRET_RULE: SecretRule = {
	kinds: [PASSWORD, SECRET],
	*find(text: string): Iterable<SecretFinding> {
		for (const comment of text.matchAll(COMMENT)) {
			const body = comment.groups!['body']!;
			if (!NAME_HINT.test(body)) {
				continue;
			}
			const bodyStart = comment.index + comment[0].length - body.length;
			const word = new RegExp(WORD.source, 'g');
			let match: RegExpExecArray | null;
			while ((match = word.exec(body)) !== null) {
				// Alone, 'pass', 'auth' and 'key' are words of prose ('adjusted to pass np.float32').
				const name = match[0].replace(/[.-]+$/, '');
				const verdict = NAME_HINT.test(name) && !PROSE_WORDS.test(name) ? secretName(name) : undefined;
				if (verdict === undefined) {
					continue;
				}
				VALUE.lastIndex = match.index + match[0].length;
				const value = VALUE.exec(body);
				if (value === null) {
					continue;
				}
				// Prose punctuation after the value is not part of it.
				const raw = value.groups!['value']!;
				const trimmed = raw.replace(/\*\/$/, '').replace(/[.,;:!?)\]}>]+$/, '');
				const valueStart = VALUE.lastIndex - raw.length - value.groups!['q']!.length;
				// Code in a comment ('token[0].spelling', 'PKCS15Token()', 'np.float32') is no secret.
				const code = /[()[\]{}<>]/.test(trimmed) || /^[A-Za-z_][\w]*\.[A-Za-z_]/.test(trimmed);
				if (!code && randomEnough(trimmed, verdict.passwordLike)) {
					yield {
						...(verdict.passwordLike ? PASSWORD : SECRET),
						start: bodyStart + valueStart,
						end: bodyStart + valueStart + trimmed.length,
					};
					word.lastIndex = valueStart + raw.length;
				}
			}
		}
	},
};
