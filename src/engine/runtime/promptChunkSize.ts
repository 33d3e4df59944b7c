/**
 * How many prompt tokens go to llama.cpp in one batch. Each batch pays a fixed cost (on a CPU a
 * one-token decode reads every weight once: a 1.5B model on two cores spends ~120 CPU-ms on 1 token,
 * ~290 on 8, ~900 on 64), so batches of a few tokens waste throughput; but a batch is also the unit
 * a cancellation deals with, in one of two ways.
 *
 * Without Hearth's decode abort, a cancellation lands between batches only. Far from the prompt's
 * end (a cold start, a jump to another place) the tokens are ones the next keystroke's prompt
 * shares: a batch a cancellation cannot stop is not wasted, the next run keeps it, so these go in
 * large batches. The last tokens (what was typed, and in a prefix-suffix-middle prompt the text
 * after the cursor) are the ones a newer keystroke changes: their batch size follows the measured
 * time of the batches, doubled while a batch takes well under the target and halved while it takes
 * over it. On a GPU it grows to hundreds of tokens; on a two-core laptop with a 1.5B model it
 * settles at a handful.
 *
 * With the decode abort (DecodeAbort) a cancellation stops the batch in flight within a few
 * milliseconds whatever its size, and the aborted batch's work is lost. The batch size then only
 * weighs the fixed cost against that loss: batches are timed against a longer target, never below
 * ABORTABLE_MIN_CHUNK_TOKENS, and are the same near the prompt's end and far from it.
 */

/**
 * A batch of the prompt's last tokens should take about this long, so that a cancellation stops the
 * compute soon: the bench's target is 50 ms from the editor's cancel at the 95th percentile, and a
 * batch measured near a 40 ms target still ran 75 ms now and then (the bundled model: 64 tokens
 * take ~20 ms). A model whose smallest batch takes longer (a 1.5B model on two cores: 151 ms for 8
 * tokens) settles at the smallest.
 */
export const PROMPT_CHUNK_TARGET_MS = 20;
/**
 * Below this a batch costs far more per token (a 1.5B model on two cores: 52 ms for 1 token, 102 for
 * 4, 151 for 8, 813 for 64), and it could not meet the target anyway.
 */
const MIN_CHUNK_TOKENS = 8;
/**
 * With the decode abort: an aborted batch loses at most about this much work (on average half), and
 * a batch holds at least this many tokens (a 1.5B model on two cores: ~14 CPU-ms a token at 64,
 * ~37 at 8; 64 tokens take ~0.5 s a few hundred tokens into the prompt, over the target).
 */
export const ABORTABLE_CHUNK_TARGET_MS = 250;
const ABORTABLE_MIN_CHUNK_TOKENS = 64;
const MAX_CHUNK_TOKENS = 512;
/** Where the size starts before anything was measured. */
const INITIAL_CHUNK_TOKENS = 16;
/** A batch this much under the target lets the size double (with room for the fixed cost). */
const GROW_BELOW = 0.45;
/** Tokens still to evaluate beyond this many after a batch make it a fill batch. */
const FILL_TAIL_TOKENS = 64;
/** The least a fill batch holds (the old fixed chunk: about llama.cpp's full speed on a CPU for a 1.5B model). */
const FILL_CHUNK_TOKENS = 64;
/**
 * A fill batch is this many measured batches, when those hold fewer than FILL_BELOW_TOKENS: a slow
 * model pays a fixed cost per decode that batches of a few tokens multiply, and a fill batch's work
 * is kept by the next run anyway. A model whose measured batch holds more gains little from larger
 * ones, and a larger batch in flight would delay the next keystroke's run.
 */
const FILL_CHUNK_FACTOR = 8;
const FILL_BELOW_TOKENS = 16;

export interface PromptChunkSizeOptions {
	/** Every batch this size (the engine's old fixed 64-token chunks, say). */
	fixedTokens?: number;
	/** How long a timed batch should take (default: PROMPT_CHUNK_TARGET_MS, or ABORTABLE_CHUNK_TARGET_MS with `abortsDecodes`). */
	targetMs?: number;
	/** Whether a cancellation stops a batch in flight (Hearth's decode abort), not only between batches. */
	abortsDecodes?: boolean;
}

export class PromptChunkSize {
	private size: number;
	/** Whether a batch of the measured size has been timed yet (before that, the size says nothing about the model). */
	private measured = false;
	private readonly fixedTokens: number | undefined;
	private readonly targetMs: number;
	private readonly minTokens: number;
	private readonly abortsDecodes: boolean;

	constructor(options: PromptChunkSizeOptions = {}) {
		this.fixedTokens = options.fixedTokens;
		this.abortsDecodes = options.abortsDecodes === true;
		this.targetMs = options.targetMs ?? (this.abortsDecodes ? ABORTABLE_CHUNK_TARGET_MS : PROMPT_CHUNK_TARGET_MS);
		this.minTokens = this.abortsDecodes ? ABORTABLE_MIN_CHUNK_TOKENS : MIN_CHUNK_TOKENS;
		this.size = this.fixedTokens ?? Math.max(this.minTokens, INITIAL_CHUNK_TOKENS);
	}

	/** The measured batch size for the prompt's last tokens. */
	get tokens(): number {
		return this.size;
	}

	/**
	 * Tokens for the next batch when `left` prompt tokens remain to evaluate. `timedOnly`: no fill
	 * batches, for a run nobody waits for (a prefetch, the fill of a cold document's prompt), which
	 * the next keystroke interrupts: its batch in flight would delay that keystroke's own run.
	 * With the decode abort every batch is a timed one: a fill batch in flight would be lost whole.
	 */
	next(left: number, timedOnly = false): number {
		if (this.fixedTokens !== undefined) {
			return Math.min(left, this.fixedTokens);
		}
		if (this.abortsDecodes) {
			return Math.min(left, this.size);
		}
		const fill =
			this.measured && this.size >= FILL_BELOW_TOKENS
				? this.size
				: Math.min(MAX_CHUNK_TOKENS, Math.max(FILL_CHUNK_TOKENS, this.size * FILL_CHUNK_FACTOR));
		if (!timedOnly && left - fill > FILL_TAIL_TOKENS) {
			return fill;
		}
		return Math.min(left, this.size);
	}

	/** A batch of `tokens` took `milliseconds`: adjusts the size for the next one. */
	record(tokens: number, milliseconds: number): void {
		if (this.fixedTokens !== undefined || tokens !== this.size) {
			return; // a short last batch or a fill batch says nothing about a full one
		}
		this.measured = true;
		if (milliseconds > this.targetMs && this.size > this.minTokens) {
			this.size = Math.max(this.minTokens, this.size / 2);
		} else if (milliseconds < this.targetMs * GROW_BELOW && this.size < MAX_CHUNK_TOKENS) {
			this.size = Math.min(MAX_CHUNK_TOKENS, this.size * 2);
		}
	}
}
