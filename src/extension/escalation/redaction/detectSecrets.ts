import { findWithRules } from './findWithRules.js';
import type { SecretFinding } from './secretFinding.js';
import { SECRET_RULES } from './secretRules.js';

/** Every secret value in `text`, sorted by position and never overlapping (see findWithRules for precedence). */
export function detectSecrets(text: string): SecretFinding[] {
	return findWithRules(SECRET_RULES, text);
}
