import { looksLikeCredential } from './credentialHeuristics.js';
import { PASSWORD, SECRET } from './namedAssignmentRule.js';
import type { SecretFinding } from './secretFinding.js';
import type { SecretRule } from './secretRule.js';
import { secretName } from './secretNames.js';

/**
 * Secrets whose name is itself a value, not a variable. Environment variables written as a
 * name/value pair: Kubernetes and Compose (`- name: DB_PASSWORD` then `value: "…"`), ECS task definitions
 * (`{ "name": "API_SECRET", "value": "…" }`) and Terraform (`{ name = "…", value = "…" }`).
 */

/** 'name' with a quoted secret name (any syntax), or YAML's unquoted one; then, on its line or the next, 'value'. */
const PAIR =
	/(?<![A-Za-z0-9_-])["']?name["']?[ \t]{0,8}(?:[:=][ \t]{0,8}(?<q>["'])(?<quotedName>[A-Za-z_][A-Za-z0-9_]{0,99})\k<q>|:[ \t]{1,8}(?<yamlName>[A-Za-z_][A-Za-z0-9_]{0,99}))[ \t]{0,8},?[ \t]{0,8}(?:\r?\n[ \t]{0,80}(?:-[ \t]{1,8})?)?["']?value["']?[ \t]{0,8}[:=][ \t]{0,8}/dg;
const QUOTED = /(["'])((?:\\.|(?!\1)[^\\\n]){0,4096})\1/y;
/** An unquoted YAML or HCL value: up to a comment, a separator or the line's end. */
const UNQUOTED = /[^\s,}#][^\n,}#]{0,255}/y;

/**
 * A secret name and a literal side by side in code: the two quoted arguments of a call
 * (`define('DB_PASSWORD', '…')`, `os.Setenv("GITHUB_TOKEN", "…")`, `os.getenv("API_KEY", "…")`,
 * `System.setProperty("db.password", "…")`), or the fallback after a lookup
 * (`process.env.STRIPE_KEY || '…'`, `os.environ.get("DB_PASSWORD") or "…"`).
 */
const NAME_THEN_LITERAL =
	/(?:\([ \t]{0,8}(?<q>["'])(?<argName>[A-Za-z_][A-Za-z0-9_.-]{0,99})\k<q>[ \t]{0,8},|(?<![A-Za-z0-9_])(?<fallbackName>[A-Za-z_][A-Za-z0-9_]{0,99})["'\])]{0,3}[ \t]{0,8}(?:\|\||\?\?|or(?=[ \t])))[ \t]{0,40}(?=["'])/dg;

const AMBIGUOUS_WORDS = /^(?:auth|key|keys|token|tokens|pass|pw|pwd|credentials?)$/i;

function* literalsAfterNames(text: string): Iterable<SecretFinding> {
	if (!/\(|\|\||\?\?|[ \t]or[ \t]/.test(text)) {
		return;
	}
	for (const match of text.matchAll(NAME_THEN_LITERAL)) {
		const name = match.groups!['argName'] ?? match.groups!['fallbackName']!;
		// A bare 'auth' or 'key' as an argument is an app label or a dictionary key ("('auth', '0003_…')"), not a setting.
		const verdict = AMBIGUOUS_WORDS.test(name) ? undefined : secretName(name);
		if (verdict === undefined) {
			continue;
		}
		const at = match.index + match[0].length;
		QUOTED.lastIndex = at;
		const quoted = QUOTED.exec(text);
		if (quoted === null) {
			continue;
		}
		const start = at + 1;
		const end = start + quoted[2]!.length;
		if (looksLikeCredential(text.slice(start, end), verdict)) {
			yield { ...(verdict.passwordLike ? PASSWORD : SECRET), start, end };
		}
	}
}

export const NAME_LITERAL_RULE: SecretRule = { kinds: [PASSWORD, SECRET], find: literalsAfterNames };

export const NAME_VALUE_PAIR_RULE: SecretRule = {
	kinds: [PASSWORD, SECRET],
	*find(text: string): Iterable<SecretFinding> {
		for (const match of text.matchAll(PAIR)) {
			const verdict = secretName(match.groups!['quotedName'] ?? match.groups!['yamlName']!);
			if (verdict === undefined) {
				continue;
			}
			const at = match.index + match[0].length;
			QUOTED.lastIndex = at;
			const quoted = QUOTED.exec(text);
			let start: number;
			let end: number;
			if (quoted !== null) {
				start = at + 1;
				end = start + quoted[2]!.length;
			} else {
				UNQUOTED.lastIndex = at;
				const unquoted = UNQUOTED.exec(text);
				if (unquoted === null) {
					continue;
				}
				start = at;
				end = at + unquoted[0].trimEnd().length;
			}
			if (looksLikeCredential(text.slice(start, end), verdict)) {
				yield { ...(verdict.passwordLike ? PASSWORD : SECRET), start, end };
			}
		}
	},
};
