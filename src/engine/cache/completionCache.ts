/** How much text on each side of the cursor identifies a completion context. */
const PREFIX_KEY_CHARS = 2048;
const SUFFIX_KEY_CHARS = 512;
/** Longest stretch of typed characters a cached suggestion is followed through. */
const MAX_TYPE_THROUGH_CHARS = 128;

export type CacheHit = 'exact' | 'type-through';

export interface CachedCompletion {
	text: string;
	hit: CacheHit;
}

/**
 * Suggestions already computed, keyed on the text around the cursor (least recently used out
 * first). Besides exact hits (the user came back to the same spot), it answers "type-through": the
 * user typed characters that match the start of a suggestion, so the rest of that suggestion is
 * still the answer and no model call is needed. `variant` separates settings that change the
 * answer (mode, length).
 */
export class CompletionCache {
	private readonly entries = new Map<string, string>();

	constructor(private readonly capacity = 256) {}

	lookup(prefix: string, suffix: string, variant: string): CachedCompletion | undefined {
		const exact = this.touch(keyOf(prefix, suffix, variant));
		if (exact !== undefined) {
			return { text: exact, hit: 'exact' };
		}
		const limit = Math.min(MAX_TYPE_THROUGH_CHARS, prefix.length);
		for (let typed = 1; typed <= limit; typed++) {
			const typedText = prefix.slice(prefix.length - typed);
			const earlier = this.entries.get(keyOf(prefix.slice(0, prefix.length - typed), suffix, variant));
			if (earlier !== undefined && earlier.length > typed && earlier.startsWith(typedText)) {
				const rest = earlier.slice(typed);
				this.remember(prefix, suffix, variant, rest);
				return { text: rest, hit: 'type-through' };
			}
		}
		return undefined;
	}

	remember(prefix: string, suffix: string, variant: string, text: string): void {
		if (!text) {
			return;
		}
		const key = keyOf(prefix, suffix, variant);
		this.entries.delete(key);
		this.entries.set(key, text);
		if (this.entries.size > this.capacity) {
			this.entries.delete(this.entries.keys().next().value!);
		}
	}

	clear(): void {
		this.entries.clear();
	}

	get size(): number {
		return this.entries.size;
	}

	private touch(key: string): string | undefined {
		const text = this.entries.get(key);
		if (text !== undefined) {
			this.entries.delete(key);
			this.entries.set(key, text);
		}
		return text;
	}
}

/**
 * Line endings are normalised so that a CRLF document and its LF twin share entries; only the text
 * nearest the cursor is part of the key, which keeps hashing cheap in huge documents.
 */
function keyOf(prefix: string, suffix: string, variant: string): string {
	const near = prefix.slice(-PREFIX_KEY_CHARS).replace(/\r\n/g, '\n');
	const after = suffix.slice(0, SUFFIX_KEY_CHARS).replace(/\r\n/g, '\n');
	return `${variant}\u0000${near}\u0000${after}`;
}
