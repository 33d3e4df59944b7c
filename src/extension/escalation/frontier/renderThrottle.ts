/**
 * Passes values on to `render` at most once per `intervalMs`: the first at once, and of those that
 * come faster only the latest, when the interval is up. An answer streamed in hundreds of small
 * chunks a second then costs the answer view a few renders a second, not one per chunk, and the
 * view still ends on the latest text. Free of vscode, so it is tested on its own.
 */

/** Time and timers; tests pass a clock they move by hand. */
export interface ThrottleClock {
	now(): number;
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: ThrottleClock = {
	now: () => performance.now(),
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Four renders a second: smooth enough to read along, cheap for a long answer. */
export const ANSWER_RENDER_INTERVAL_MS = 250;

export class RenderThrottle<T> {
	private pending: { value: T } | undefined;
	private timer: unknown;
	private lastRenderAt = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly render: (value: T) => void,
		private readonly intervalMs = ANSWER_RENDER_INTERVAL_MS,
		private readonly clock: ThrottleClock = REAL_CLOCK,
	) {}

	/** `value` is the newest: rendered now if the interval since the last render is up, else when it is (unless replaced first). */
	update(value: T): void {
		this.pending = { value };
		if (this.timer !== undefined) {
			return;
		}
		const wait = this.lastRenderAt + this.intervalMs - this.clock.now();
		if (wait <= 0) {
			this.flush();
			return;
		}
		this.timer = this.clock.setTimeout(() => {
			this.timer = undefined;
			this.flush();
		}, wait);
	}

	/** Renders the pending value now, if there is one. */
	flush(): void {
		this.clearTimer();
		const pending = this.pending;
		if (pending === undefined) {
			return;
		}
		this.pending = undefined;
		this.lastRenderAt = this.clock.now();
		this.render(pending.value);
	}

	/** Drops the pending value: what is rendered next is up to the caller (the finished answer). */
	cancel(): void {
		this.clearTimer();
		this.pending = undefined;
	}

	private clearTimer(): void {
		if (this.timer !== undefined) {
			this.clock.clearTimeout(this.timer);
			this.timer = undefined;
		}
	}
}
