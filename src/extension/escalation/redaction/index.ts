export { detectSecrets } from './detectSecrets.js';
export { redactionPlaceholder, redactSecrets } from './redactSecrets.js';
export type { RedactionResult, SecretFinding } from './secretFinding.js';
export type { SecretKind } from './secretRule.js';
export { SECRET_KINDS } from './secretRules.js';
