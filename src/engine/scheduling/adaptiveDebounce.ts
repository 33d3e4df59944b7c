/** Characters after which a suggestion is likely wanted right away. */
const EAGER_AFTER = new Set([' ', '\t', '\n', '(', '[', '{', '.', ',', ':', '=', '>', ';']);
/** How quickly the typing-speed estimate follows the latest keystroke. */
const SMOOTHING = 0.3;
/** A pause longer than this is thinking, not typing: it does not count as typing speed. */
const PAUSE_MS = 1500;
/** Generation is held only for a typist this quick: a longer gap is a pause, whose suggestion should not wait. */
const MAX_HOLD_GAP_MS = 400;

export interface DebounceBounds {
	minMs: number;
	maxMs: number;
}

export interface KeystrokeContext {
	/** The character just before the cursor ('' at the start of the document). */
	lastCharacter: string;
	/** True when only whitespace follows the cursor on its line. */
	atLineEnd: boolean;
}

/**
 * How long to wait after a keystroke before asking the model, learned per document from how fast
 * the user types. While someone types a word quickly, the next key usually comes before a
 * suggestion could be shown, so waiting saves a model call that would be thrown away (the 100 % CPU
 * per keystroke peers are known for); after a space, a bracket or at the end of a line a suggestion
 * is likely wanted, so the wait is short. A slow model does not shorten the mid-word wait: a run it
 * starts at an ordinary key gap is thrown away at the next key after costing a prompt batch and
 * perhaps a token (on a 1.5B model, waiting 1.1 gaps instead of 1.5 started ~4 times as many runs
 * mid-word, nearly all cancelled, for ~60 ms less wait on the few answers there).
 */
export class AdaptiveDebounce {
	private typingIntervalMs: number | undefined;
	private lastKeystrokeAt: number | undefined;
	private latencyMs: number | undefined;

	constructor(private readonly now: () => number = () => performance.now()) {}

	/** Records a keystroke (a completion request) and returns the delay before generating for it. */
	delayFor(context: KeystrokeContext, bounds: DebounceBounds): number {
		const time = this.now();
		if (this.lastKeystrokeAt !== undefined) {
			const interval = time - this.lastKeystrokeAt;
			if (interval < PAUSE_MS) {
				this.typingIntervalMs =
					this.typingIntervalMs === undefined ? interval : this.typingIntervalMs + SMOOTHING * (interval - this.typingIntervalMs);
			}
		}
		this.lastKeystrokeAt = time;

		const min = Math.max(0, bounds.minMs);
		const max = Math.max(min, bounds.maxMs);
		if (this.typingIntervalMs === undefined) {
			return min; // nothing learned yet: do not make the first suggestion wait
		}
		const gap = this.typingIntervalMs;
		let delay: number;
		if (EAGER_AFTER.has(context.lastCharacter)) {
			delay = gap * 0.25;
		} else {
			// Mid-word: outwait the usual gap between keys, so a key that is coming arrives first and
			// this request is dropped before it costs a model call.
			delay = gap * (context.atLineEnd ? 1.3 : 1.5);
		}
		return Math.round(Math.min(max, Math.max(min, delay)));
	}

	/**
	 * After a character that asks for a suggestion at once, how long after the keystroke generation
	 * should wait (0: not at all). While the user types steadily and the model takes longer than the
	 * gap between keys, the next key almost surely comes before the answer, and each decode a run made
	 * before it (even one of a few prompt tokens costs a pass over the weights) would be thrown away:
	 * generation waits until a key gap has passed without a key, and with it the few prompt tokens the
	 * keystroke added (a long stretch of new text before the cursor is evaluated at once, as the next
	 * keystroke's prompt keeps it). Call after `delayFor`.
	 */
	generationHoldMs(context: KeystrokeContext): number {
		const gap = this.typingIntervalMs;
		if (gap === undefined || gap > MAX_HOLD_GAP_MS || !EAGER_AFTER.has(context.lastCharacter)) {
			return 0; // nothing learned, or mid-word: the wait before the run already covers a key gap
		}
		if (this.latencyMs !== undefined && this.latencyMs < gap) {
			return 0; // the answer comes before the next key would
		}
		return Math.round(gap * 1.1);
	}

	/** Records how long a model call took: a model that answers within a key gap needs no generation hold. */
	recordLatency(milliseconds: number): void {
		this.latencyMs = this.latencyMs === undefined ? milliseconds : this.latencyMs + SMOOTHING * (milliseconds - this.latencyMs);
	}
}

/** Resolves after `milliseconds`, or early with false when `signal` aborts. */
export function waitUnlessAborted(milliseconds: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) {
		return Promise.resolve(false);
	}
	if (milliseconds <= 0) {
		return Promise.resolve(true);
	}
	return new Promise((resolve) => {
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(true);
		}, milliseconds);
		signal.addEventListener('abort', onAbort, { once: true });
	});
}
