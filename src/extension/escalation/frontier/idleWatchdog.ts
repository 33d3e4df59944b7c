/**
 * Fires once when `touch` has not been called for `timeoutMs`: the timeout for "no first byte" and
 * for "no data mid-stream" alike, as one rule (nothing arrived for that long). What counts as
 * something is the caller's to say: chunks that carry nothing must not touch it (see carriesProgress).
 */
export class IdleWatchdog {
	private timer: NodeJS.Timeout | undefined;
	private fired = false;
	private stopped = false;

	constructor(
		private readonly timeoutMs: number,
		private readonly onIdle: () => void,
	) {
		this.touch();
	}

	get hasFired(): boolean {
		return this.fired;
	}

	touch(): void {
		if (this.fired || this.stopped) {
			return;
		}
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.fired = true;
			this.onIdle();
		}, this.timeoutMs);
	}

	/** For good: a late `touch` (bytes still arriving) does not start it again. */
	stop(): void {
		this.stopped = true;
		clearTimeout(this.timer);
	}
}
