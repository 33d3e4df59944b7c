import type { LlamaContextSequence } from 'node-llama-cpp';

/**
 * Hands each document a context sequence of its own, least recently used first out, so that the
 * KV cache of a file survives a visit to another file. A document that comes back after its
 * sequence went elsewhere starts over on whichever sequence is free or oldest.
 */
export class SequencePool {
	/** Document key → sequence, in order of last use (oldest first). */
	private readonly owners = new Map<string, LlamaContextSequence>();

	constructor(private readonly sequences: readonly LlamaContextSequence[]) {
		if (sequences.length === 0) {
			throw new Error('SequencePool needs at least one sequence');
		}
	}

	acquire(documentKey: string): LlamaContextSequence {
		const owned = this.owners.get(documentKey);
		if (owned) {
			this.owners.delete(documentKey);
			this.owners.set(documentKey, owned);
			return owned;
		}
		const taken = new Set(this.owners.values());
		let sequence = this.sequences.find((candidate) => !taken.has(candidate));
		if (!sequence) {
			const [oldestKey, oldest] = this.owners.entries().next().value!;
			this.owners.delete(oldestKey);
			sequence = oldest;
		}
		this.owners.set(documentKey, sequence);
		return sequence;
	}

	/** Whether the document has a sequence of its own now (acquire() would not hand it another). */
	owns(documentKey: string): boolean {
		return this.owners.has(documentKey);
	}

	/**
	 * A sequence for a one-off prompt of `documentKey` that must leave the document's own sequence as
	 * it is: a free one, else the least recently used other document's (which loses it). Undefined
	 * when the document's own is the only one.
	 */
	scratch(documentKey: string): LlamaContextSequence | undefined {
		const taken = new Set(this.owners.values());
		const free = this.sequences.find((candidate) => !taken.has(candidate));
		if (free) {
			return free;
		}
		for (const [key, sequence] of this.owners) {
			if (key !== documentKey) {
				this.owners.delete(key);
				return sequence;
			}
		}
		return undefined;
	}

	/** The document is closed: its sequence is the first to be handed out again. */
	release(documentKey: string): void {
		this.owners.delete(documentKey);
	}
}
