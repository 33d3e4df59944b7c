/**
 * Runs tasks one at a time, first in first out. A task whose signal aborts while it waits leaves
 * the queue at once and settles with `onAborted()`: a burst of superseded requests (key repeat, a
 * paste) must not line up behind the running one, each to be started and stopped in turn.
 */
export class SerialQueue {
	private readonly waiting: { start: () => void; signal?: AbortSignal; onAbort: () => void }[] = [];
	private running = false;
	private readonly idleWaiters: (() => void)[] = [];

	/** How many tasks wait (the running one not counted). */
	get length(): number {
		return this.waiting.length;
	}

	run<T>(task: () => Promise<T>, signal: AbortSignal | undefined, onAborted: () => T): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const entry = {
				signal,
				start: () => {
					signal?.removeEventListener('abort', entry.onAbort);
					task()
						.then(resolve, reject)
						.finally(() => this.next());
				},
				onAbort: () => {
					const index = this.waiting.indexOf(entry);
					if (index !== -1) {
						this.waiting.splice(index, 1);
						resolve(onAborted());
					}
				},
			};
			if (signal?.aborted) {
				resolve(onAborted());
				return;
			}
			signal?.addEventListener('abort', entry.onAbort, { once: true });
			this.waiting.push(entry);
			if (!this.running) {
				this.next();
			}
		});
	}

	/**
	 * Resolves once nothing runs or waits. (Not by queueing a no-op task and looping: its promise
	 * settles a microtask before the queue moves on, so such a loop would never let the event loop
	 * run again.)
	 */
	idle(): Promise<void> {
		if (!this.running && this.waiting.length === 0) {
			return Promise.resolve();
		}
		return new Promise((resolve) => this.idleWaiters.push(resolve));
	}

	private next(): void {
		const entry = this.waiting.shift();
		this.running = entry !== undefined;
		if (entry) {
			entry.start();
			return;
		}
		for (const resolve of this.idleWaiters.splice(0)) {
			resolve();
		}
	}
}
