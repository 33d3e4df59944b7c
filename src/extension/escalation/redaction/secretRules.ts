import { COMMENT_SECRET_RULE } from './commentSecretRule.js';
import { concatenatedSecretRule } from './concatenatedSecretRule.js';
import { CONTEXTUAL_SECRET_RULES } from './contextualSecretRules.js';
import { NAMED_ASSIGNMENT_RULE } from './namedAssignmentRule.js';
import { NAME_LITERAL_RULE, NAME_VALUE_PAIR_RULE } from './nameValuePairRule.js';
import { POSITIONAL_SECRET_RULES } from './positionalSecretRules.js';
import { PRIVATE_KEY_RULE } from './privateKeyRule.js';
import { MORE_PROVIDER_TOKEN_RULES } from './moreProviderTokenRules.js';
import { PROVIDER_TOKEN_RULES } from './providerTokenRules.js';
import type { SecretKind, SecretRule } from './secretRule.js';
import { STRUCTURED_SECRET_RULES } from './structuredSecretRules.js';

/** The rules that look at the text as it is, most specific first. */
const DIRECT_RULES: readonly SecretRule[] = [
	PRIVATE_KEY_RULE,
	...PROVIDER_TOKEN_RULES,
	...MORE_PROVIDER_TOKEN_RULES,
	...STRUCTURED_SECRET_RULES,
	...CONTEXTUAL_SECRET_RULES,
	...POSITIONAL_SECRET_RULES,
	NAME_VALUE_PAIR_RULE,
	NAMED_ASSIGNMENT_RULE,
	NAME_LITERAL_RULE,
	COMMENT_SECRET_RULE,
];

/**
 * All rules, most specific first: where two findings overlap, the earlier rule's wins, so a GitHub
 * token assigned to `GITHUB_TOKEN` is reported as a GitHub token, not as a secret-named variable,
 * and a key inside a PEM block is part of the block. A secret split into joined string literals
 * is judged whole, before any rule sees one of its pieces alone.
 */
export const SECRET_RULES: readonly SecretRule[] = [
	PRIVATE_KEY_RULE,
	concatenatedSecretRule(() => DIRECT_RULES.slice(1)),
	...DIRECT_RULES.slice(1),
];

/** Every kind that can be reported, once each, for settings and documentation. */
export const SECRET_KINDS: readonly SecretKind[] = [
	...new Map(SECRET_RULES.flatMap((rule) => rule.kinds).map((kind) => [kind.kind, kind])).values(),
];
