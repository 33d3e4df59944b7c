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

	/** The document is closed: its sequence is the first to be handed out again. */
	release(documentKey: string): void {
		this.owners.delete(documentKey);
	}
}
