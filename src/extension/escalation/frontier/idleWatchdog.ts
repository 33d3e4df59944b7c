/**
 * Fires once when `touch` has not been called for `timeoutMs`: the timeout for "no first byte" and
 * for "no data mid-stream" alike, as one rule (nothing arrived for that long).
 */
export class IdleWatchdog {
	private timer: NodeJS.Timeout | undefined;
	private fired = false;

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
		if (this.fired) {
			return;
		}
		clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.fired = true;
			this.onIdle();
		}, this.timeoutMs);
	}

	stop(): void {
		clearTimeout(this.timer);
	}
}
