/**
 * Bounds the requests one engine holds: the running one plus `maxQueued` waiting. The engines run
 * requests one at a time anyway; the bound is what keeps a burst from piling up unbounded work (and
 * memory, and clients waiting minutes), answered instead with 429 and Retry-After.
 */
export class AdmissionGate {
	private held = 0;

	constructor(private readonly maxQueued: number) {}

	/** A release function, or undefined when the engine is full. */
	tryEnter(): (() => void) | undefined {
		if (this.held >= 1 + this.maxQueued) {
			return undefined;
		}
		this.held++;
		let released = false;
		return () => {
			if (!released) {
				released = true;
				this.held--;
			}
		};
	}
}
