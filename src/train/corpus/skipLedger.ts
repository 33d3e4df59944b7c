/**
 * Counts every file the corpus builder does not include, by reason, with a few examples each, so
 * nothing is left out silently and the report says why the corpus is the size it is.
 */

export interface SkipSummary {
	readonly files: number;
	readonly bytes: number;
	readonly examples: readonly string[];
}

const EXAMPLES_PER_REASON = 5;

export class SkipLedger {
	private readonly reasons = new Map<string, { files: number; bytes: number; examples: string[] }>();

	record(reason: string, example: string, bytes = 0): void {
		let entry = this.reasons.get(reason);
		if (!entry) {
			entry = { files: 0, bytes: 0, examples: [] };
			this.reasons.set(reason, entry);
		}
		entry.files++;
		entry.bytes += bytes;
		if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push(example);
	}

	count(reason: string): number {
		return this.reasons.get(reason)?.files ?? 0;
	}

	get totalFiles(): number {
		let total = 0;
		for (const entry of this.reasons.values()) total += entry.files;
		return total;
	}

	/** Reasons sorted by file count, largest first. */
	toJSON(): Record<string, SkipSummary> {
		const sorted = [...this.reasons.entries()].sort((a, b) => b[1].files - a[1].files);
		return Object.fromEntries(
			sorted.map(([reason, entry]) => [reason, { files: entry.files, bytes: entry.bytes, examples: [...entry.examples] }]),
		);
	}
}
