import { redactionPlaceholder, redactSecrets } from '../redaction/index.js';

export interface RestoredText {
	text: string;
	/** Placeholders put back to the original secret value. */
	restored: number;
	/** Placeholders left as they are: the rewrite moved or multiplied them so that which value belongs where is unclear. */
	unrestored: number;
}

/**
 * A rewrite of `original` with the redaction placeholders the model kept turned back into the
 * original's secret values (this happens locally; the values were never sent). Per kind: when the
 * rewrite holds as many placeholders as the original had secrets, they are restored in order;
 * when all of a kind's secrets are one value, every placeholder of that kind gets it; otherwise
 * the placeholders stay, visible in the diff, for the user to fix.
 */
export function restoreRedactedSecrets(rewrite: string, original: string): RestoredText {
	const valuesByKind = new Map<string, string[]>();
	for (const finding of redactSecrets(original).findings) {
		const values = valuesByKind.get(finding.kind) ?? [];
		values.push(original.slice(finding.start, finding.end));
		valuesByKind.set(finding.kind, values);
	}
	let text = rewrite;
	let restored = 0;
	let unrestored = 0;
	for (const [kind, values] of valuesByKind) {
		const placeholder = redactionPlaceholder({ kind });
		const occurrences = text.split(placeholder).length - 1;
		if (occurrences === 0) {
			continue;
		}
		const sameValue = values.every((value) => value === values[0]);
		if (occurrences === values.length || sameValue) {
			let index = 0;
			text = text.split(placeholder).reduce((joined, part) => joined + (sameValue ? values[0] : values[index++]) + part);
			restored += occurrences;
		} else {
			unrestored += occurrences;
		}
	}
	return { text, restored, unrestored };
}
