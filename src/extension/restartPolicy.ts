/**
 * How often the language server may crash before the client gives up restarting it. Pure logic, so
 * it is unit-tested without an editor: a server that dies on every start (a model that crashes
 * llama.cpp, say) must not be restarted forever, but one crash an hour must never leave the user
 * without completions.
 */
export class RestartPolicy {
	private crashes: number[] = [];

	constructor(
		readonly maxRestarts = 4,
		readonly windowMs = 3 * 60_000,
		private readonly now: () => number = Date.now,
	) {}

	/** Records a crash; true when the server should be started again. */
	recordCrashAndDecide(): boolean {
		const time = this.now();
		this.crashes = this.crashes.filter((crash) => time - crash < this.windowMs);
		this.crashes.push(time);
		return this.crashes.length <= this.maxRestarts;
	}

	/** A manual restart by the user starts a fresh count. */
	reset(): void {
		this.crashes = [];
	}
}
