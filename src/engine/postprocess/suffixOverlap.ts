/**
 * Models often finish by re-typing the text that already follows the cursor (a closing
 * bracket the editor auto-inserted, the rest of the line). These helpers remove that echo.
 */

/** How much of the suffix start we compare against; overlaps are short in practice. */
const MAX_OVERLAP_CHARS = 512;
/** Overlaps that contain letters or digits must be at least this long to be trusted. */
const MIN_WORDY_OVERLAP = 4;

/**
 * If `text` ends with the beginning of `suffix` (ignoring whitespace at the end of `text`),
 * returns `text` without that overlap. A short overlap made of letters is usually coincidence
 * (`a + b` before `b;`), so only punctuation overlaps (`)`, `"]);`) or ones of at least
 * four characters count.
 */
export function trimSuffixOverlap(text: string, suffix: string): string {
	const trimmed = text.trimEnd();
	const head = normalizeEol(suffix.slice(0, 2 * MAX_OVERLAP_CHARS)).slice(0, Math.min(MAX_OVERLAP_CHARS, trimmed.length));
	for (let length = head.length; length > 0; length--) {
		const overlap = head.slice(0, length);
		if (overlap.trim() === '' || !trimmed.endsWith(overlap)) continue;
		const wordy = /[\p{L}\p{N}_]/u.test(overlap);
		if (!wordy || overlap.length >= MIN_WORDY_OVERLAP) return trimmed.slice(0, trimmed.length - length);
	}
	return text;
}

/** True when inserting `text` would only repeat what already follows the cursor. */
export function onlyDuplicatesSuffix(text: string, suffix: string): boolean {
	const wanted = text.trim();
	if (wanted === '') return false;
	const head = normalizeEol(suffix.slice(0, 2 * (wanted.length + MAX_OVERLAP_CHARS))).trimStart();
	return head.startsWith(wanted);
}

function normalizeEol(text: string): string {
	return text.replace(/\r\n/g, '\n');
}
