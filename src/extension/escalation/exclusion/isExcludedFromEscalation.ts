import { CONTENT_ESCALATION_EXCLUSIONS, DEFAULT_ESCALATION_EXCLUSIONS, HEARTH_IGNORE_FILE } from './defaultExclusions.js';
import { excludingPattern, parseIgnoreFile, parseIgnoreRules, type IgnoreRules } from './ignoreRules.js';

export interface EscalationExclusionSources {
	/** The user's exclusion globs from settings (gitignore syntax, '!' allowed). */
	readonly userGlobs: readonly string[];
	/** Contents of `.hearthignore` in the workspace root, when there is one. */
	readonly ignoreFileText?: string;
	/** Match without regard to case (file systems on Windows and macOS); the built-in list always does. */
	readonly ignoreCase?: boolean;
	/**
	 * The file's text, for the built-in checks of contents (an .npmrc is secret only when it holds
	 * an auth token). Without it, such a file is excluded: what cannot be checked is not sent.
	 */
	readonly fileText?: string;
}

export interface EscalationExclusion {
	readonly excluded: boolean;
	/** Which pattern of which source excluded the file, for the message that refuses to send it. */
	readonly reason?: string;
}

const DEFAULT_RULES = parseIgnoreRules(DEFAULT_ESCALATION_EXCLUSIONS, { ignoreCase: true });
const CONTENT_RULES = CONTENT_ESCALATION_EXCLUSIONS.map((exclusion) => ({
	exclusion,
	rules: parseIgnoreRules([exclusion.pattern], { ignoreCase: true }),
}));

/** 'a\\b/./c' → 'a/b/c'; leading './' and '/' removed. */
function normalisePath(relativePath: string): string {
	return relativePath
		.replace(/\\/g, '/')
		.split('/')
		.filter((segment) => segment !== '' && segment !== '.')
		.join('/');
}

/**
 * Whether a workspace file may never leave the machine. The three sources are checked separately,
 * and any one of them excludes: a '!' line can only take back what its own source excluded, so a
 * repository's `.hearthignore` cannot re-include what the user or the built-in list excluded.
 */
export function isExcludedFromEscalation(relativePath: string, sources: EscalationExclusionSources): EscalationExclusion {
	const path = normalisePath(relativePath);
	if (path.length === 0) {
		return { excluded: false };
	}
	const options = { ignoreCase: sources.ignoreCase ?? false };
	const checks: { rules: IgnoreRules; where: (line: number) => string }[] = [
		{ rules: DEFAULT_RULES, where: () => 'the built-in list of secret files' },
		{ rules: parseIgnoreRules(sources.userGlobs, options), where: () => 'the exclusion globs in settings' },
	];
	if (sources.ignoreFileText !== undefined) {
		checks.push({ rules: parseIgnoreFile(sources.ignoreFileText, options), where: (line) => `${HEARTH_IGNORE_FILE} (line ${line})` });
	}
	for (const { rules, where } of checks) {
		const pattern = excludingPattern(rules, path);
		if (pattern !== undefined) {
			return { excluded: true, reason: `${path} matches "${pattern.source}" in ${where(pattern.line)}` };
		}
	}
	for (const { exclusion, rules } of CONTENT_RULES) {
		if (excludingPattern(rules, path) === undefined) {
			continue;
		}
		if (sources.fileText === undefined) {
			return {
				excluded: true,
				reason: `${path} matches "${exclusion.pattern}" in the built-in list of secret files, and may hold ${exclusion.holds}`,
			};
		}
		if (exclusion.holdsSecret(sources.fileText)) {
			return { excluded: true, reason: `${path} holds ${exclusion.holds}` };
		}
	}
	return { excluded: false };
}
