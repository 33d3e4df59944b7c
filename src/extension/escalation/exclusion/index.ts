export {
	CONTENT_ESCALATION_EXCLUSIONS,
	DEFAULT_ESCALATION_EXCLUSIONS,
	HEARTH_IGNORE_FILE,
	type ContentExclusion,
} from './defaultExclusions.js';
export { compileGlob, type GlobOptions, type GlobPattern } from './globPattern.js';
export { excludingPattern, parseIgnoreFile, parseIgnoreRules, type IgnorePattern, type IgnoreRules } from './ignoreRules.js';
export { isExcludedFromEscalation, type EscalationExclusion, type EscalationExclusionSources } from './isExcludedFromEscalation.js';
