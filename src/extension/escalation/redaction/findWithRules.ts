import type { SecretFinding } from './secretFinding.js';
import type { SecretRule } from './secretRule.js';

/**
 * Every value that `rules` find in `text`, sorted by position and never overlapping. Rules run in
 * order of precedence; a finding that overlaps one already taken is dropped.
 */
export function findWithRules(rules: readonly SecretRule[], text: string): SecretFinding[] {
	const taken: SecretFinding[] = []; // sorted by start
	for (const rule of rules) {
		for (const finding of rule.find(text)) {
			const index = firstEndingAfter(taken, finding.start);
			const next = taken[index];
			if (next === undefined || next.start >= finding.end) {
				taken.splice(index, 0, finding);
			}
		}
	}
	return taken;
}

/** Index of the first taken finding that ends after `offset` (binary search: they are sorted and disjoint). */
function firstEndingAfter(taken: readonly SecretFinding[], offset: number): number {
	let low = 0;
	let high = taken.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (taken[middle]!.end <= offset) {
			low = middle + 1;
		} else {
			high = middle;
		}
	}
	return low;
}
