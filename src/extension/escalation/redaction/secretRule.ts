import type { SecretFinding } from './secretFinding.js';

/**
 * A detection rule: one kind of secret and how to find its values. Most rules are a regular
 * expression whose `secret` group is the value; the few that need more than a pattern (PEM blocks,
 * variable names) implement `find` by hand.
 */
export interface SecretRule {
	/** The kinds this rule reports (most rules report one). */
	readonly kinds: readonly SecretKind[];
	/** The values this rule finds in `text`, in order, not overlapping each other. */
	find(text: string): Iterable<SecretFinding>;
}

export interface SecretKind {
	readonly kind: string;
	readonly label: string;
}

export interface PatternRuleSpec {
	readonly kind: string;
	readonly label: string;
	/**
	 * Global pattern with the `d` flag and a named group `secret` (the value to redact); without the
	 * group the whole match is the value. Patterns must stay linear: start with a literal or a
	 * bounded class, never nest quantifiers.
	 */
	readonly pattern: RegExp;
	/**
	 * A cheap test of the whole text (a literal the secret or its context always holds): when it
	 * fails, the pattern is not run at all. For patterns that cannot start with a literal.
	 */
	readonly requires?: RegExp;
	/** Second look at a candidate that the pattern alone cannot judge (context, checksum-like shape). */
	readonly accept?: (value: string, text: string, start: number, end: number) => boolean;
}

export function patternRule(spec: PatternRuleSpec): SecretRule {
	if (!spec.pattern.global || !spec.pattern.hasIndices) {
		throw new Error(`pattern of ${spec.kind} needs the g and d flags`);
	}
	const { kind, label } = spec;
	return {
		kinds: [{ kind, label }],
		*find(text: string): Iterable<SecretFinding> {
			if (spec.requires !== undefined && !spec.requires.test(text)) {
				return;
			}
			// matchAll works on a copy of the pattern, so its lastIndex is never shared between texts.
			for (const match of text.matchAll(spec.pattern)) {
				const [start, end] = match.indices?.groups?.['secret'] ?? match.indices![0]!;
				const value = text.slice(start, end);
				if (value.length > 0 && (spec.accept?.(value, text, start, end) ?? true)) {
					yield { kind, label, start, end };
				}
			}
		},
	};
}
