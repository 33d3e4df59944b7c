import { compileGlob, type GlobOptions, type GlobPattern } from './globPattern.js';

/**
 * An ordered list of gitignore-style patterns and git's way of applying them: the last pattern that
 * matches decides, a pattern that matches a directory applies to everything inside it, and a file
 * inside an excluded directory cannot be re-included by a later '!' pattern (git does not descend
 * into an ignored directory either).
 */
export interface IgnoreRules {
	readonly patterns: readonly IgnorePattern[];
}

export interface IgnorePattern extends GlobPattern {
	/** 1-based line in the ignore file, or index + 1 in a list of globs. */
	readonly line: number;
}

export function parseIgnoreRules(lines: readonly string[], options: GlobOptions = {}): IgnoreRules {
	const patterns: IgnorePattern[] = [];
	lines.forEach((text, index) => {
		const pattern = compileGlob(text, options);
		if (pattern !== undefined) {
			patterns.push({ ...pattern, line: index + 1 });
		}
	});
	return { patterns };
}

export function parseIgnoreFile(text: string, options: GlobOptions = {}): IgnoreRules {
	return parseIgnoreRules(text.replace(/^\uFEFF/, '').split(/\r?\n/), options);
}

/** The pattern that excludes `path` (a normalised relative path), or undefined when it is not excluded. */
export function excludingPattern(rules: IgnoreRules, path: string): IgnorePattern | undefined {
	const segments = path.split('/');
	// Directories first, outermost first: an excluded directory excludes everything below it.
	for (let depth = 1; depth < segments.length; depth++) {
		const decision = lastMatch(rules, segments.slice(0, depth).join('/'), true);
		if (decision !== undefined && !decision.negated) {
			return decision;
		}
	}
	const decision = lastMatch(rules, path, false);
	return decision !== undefined && !decision.negated ? decision : undefined;
}

function lastMatch(rules: IgnoreRules, path: string, isDirectory: boolean): IgnorePattern | undefined {
	for (let i = rules.patterns.length - 1; i >= 0; i--) {
		const pattern = rules.patterns[i]!;
		if ((isDirectory || !pattern.directoryOnly) && pattern.regex.test(path)) {
			return pattern;
		}
	}
	return undefined;
}
