import { CONTEXTUAL_SECRET_RULES } from './contextualSecretRules.js';
import { NAMED_ASSIGNMENT_RULE } from './namedAssignmentRule.js';
import { PRIVATE_KEY_RULE } from './privateKeyRule.js';
import { PROVIDER_TOKEN_RULES } from './providerTokenRules.js';
import type { SecretKind, SecretRule } from './secretRule.js';
import { STRUCTURED_SECRET_RULES } from './structuredSecretRules.js';

/**
 * All rules, most specific first: where two findings overlap, the earlier rule's wins, so a GitHub
 * token assigned to `GITHUB_TOKEN` is reported as a GitHub token, not as a secret-named variable,
 * and a key inside a PEM block is part of the block.
 */
export const SECRET_RULES: readonly SecretRule[] = [
	PRIVATE_KEY_RULE,
	...PROVIDER_TOKEN_RULES,
	...STRUCTURED_SECRET_RULES,
	...CONTEXTUAL_SECRET_RULES,
	NAMED_ASSIGNMENT_RULE,
];

/** Every kind that can be reported, once each, for settings and documentation. */
export const SECRET_KINDS: readonly SecretKind[] = [...new Map(SECRET_RULES.flatMap((rule) => rule.kinds).map((kind) => [kind.kind, kind])).values()];
