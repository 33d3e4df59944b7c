/**
 * When inline completions run: the count of requests in flight, listeners told when completions
 * start after a quiet spell, and waits for the next quiet spell. The selection actions give way to
 * completions through it, and the status turns busy while any runs.
 */
export class CompletionActivity {
	private activeRequests = 0;
	private lastCompletionEndedAt = 0;
	private readonly completionStartListeners = new Set<() => void>();

	/** `onBusyChange` hears when the first completion starts (true) and the last one ends (false). */
	constructor(private readonly onBusyChange: (busy: boolean) => void = () => {}) {}

	/** Whether any completion is running now. */
	get running(): boolean {
		return this.activeRequests > 0;
	}

	/** Marks a completion as running; the returned function marks it done (once, however often called). */
	beginRequest(): () => void {
		if (this.activeRequests++ === 0) {
			for (const listener of this.completionStartListeners) {
				listener();
			}
			this.onBusyChange(true);
		}
		let ended = false;
		return () => {
			if (ended) {
				return;
			}
			ended = true;
			if (--this.activeRequests === 0) {
				this.lastCompletionEndedAt = performance.now();
				this.onBusyChange(false);
			}
		};
	}

	/** Calls `listener` each time completions start after a quiet spell; returns the unsubscribe. */
	onCompletionStart(listener: () => void): () => void {
		this.completionStartListeners.add(listener);
		return () => this.completionStartListeners.delete(listener);
	}

	/** Resolves once no completion has run for `quietMs` (the user stopped typing), or `signal` aborts. */
	async whenCompletionsQuiet(quietMs: number, signal?: AbortSignal): Promise<void> {
		for (;;) {
			if (signal?.aborted) {
				return;
			}
			const quietFor = performance.now() - this.lastCompletionEndedAt;
			if (this.activeRequests === 0 && quietFor >= quietMs) {
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, this.activeRequests > 0 ? 50 : quietMs - quietFor));
		}
	}
}
