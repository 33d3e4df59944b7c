/**
 * The two scores of the fill-in-the-middle evaluation. Both compare with trailing whitespace
 * removed: whether a completion ends with the line break that follows the middle is decided by
 * the editor's post-processing, not by the model's knowledge of the code.
 */

export function levenshtein(a: string, b: string): number {
	if (a === b) return 0;
	if (a.length === 0) return b.length;
	if (b.length === 0) return a.length;
	let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
	let current = new Array<number>(b.length + 1);
	for (let i = 1; i <= a.length; i++) {
		current[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const substitution = previous[j - 1]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
			current[j] = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1);
		}
		[previous, current] = [current, previous];
	}
	return previous[b.length]!;
}

/** 1 − Levenshtein distance ÷ the longer length: 1 for identical, 0 for nothing in common. */
export function editSimilarity(completion: string, expected: string): number {
	const a = completion.trimEnd();
	const b = expected.trimEnd();
	const longer = Math.max(a.length, b.length);
	return longer === 0 ? 1 : 1 - levenshtein(a, b) / longer;
}

export function exactMatch(completion: string, expected: string): boolean {
	return completion.trimEnd() === expected.trimEnd();
}
