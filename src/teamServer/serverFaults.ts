/**
 * FOR TESTS ONLY. Misbehaviour the server can be told to show, so that clients (Hearth's own remote
 * backend, the official openai package) can be tested against this real server answering 429 or 500,
 * rejecting a key, sending a body that is not JSON, closing a stream half way, or being slow. The CLI
 * never sets these; nothing outside tests should.
 */
export interface ServerFaults {
	/** The next `count` requests, any route, are answered with `status` and an OpenAI error body (429: with Retry-After). */
	failNext?: { status: number; count: number };
	/**
	 * Every streamed answer is cut (the connection destroyed, no `[DONE]`) after this many `data:`
	 * events, until the faults are replaced. The generation behind it is aborted as for a client that left.
	 */
	closeMidStreamAfterChunks?: number;
	/**
	 * Every streamed answer stops sending after this many `data:` events but keeps the connection
	 * open (a stalled upstream), until the faults are replaced: for testing a client's idle timeout.
	 * The generation behind it runs on unseen and stops when the client leaves.
	 */
	stallMidStreamAfterChunks?: number;
	/** The next successful answer, any route, is not valid JSON: a cut-off body, or (streamed) a first event that is not JSON. */
	malformedJsonNext?: boolean;
	/** Every answer waits this long before its first byte, until the faults are replaced. */
	delayFirstByteMs?: number;
}

/** What one streamed answer is to do wrong. */
export interface StreamFaults {
	malformedFirstEvent: boolean;
	closeAfterEvents?: number;
	stallAfterEvents?: number;
}

/** The server's current faults; one-shot ones are used up as requests take them. */
export class FaultInjector {
	private faults: ServerFaults = {};

	constructor(faults: ServerFaults | undefined) {
		this.replace(faults ?? {});
	}

	/** Copied: counting down `failNext` does not change the caller's object. */
	replace(faults: ServerFaults): void {
		this.faults = { ...faults, failNext: faults.failNext && { ...faults.failNext } };
	}

	get delayFirstByteMs(): number {
		return Math.max(0, this.faults.delayFirstByteMs ?? 0);
	}

	/** The status to fail this request with, if a `failNext` count is left. */
	takeFailure(): number | undefined {
		const failNext = this.faults.failNext;
		if (!failNext || failNext.count <= 0) {
			return undefined;
		}
		failNext.count--;
		return failNext.status;
	}

	takeMalformedJson(): boolean {
		const malformed = this.faults.malformedJsonNext === true;
		this.faults.malformedJsonNext = false;
		return malformed;
	}

	takeStreamFaults(): StreamFaults {
		return {
			malformedFirstEvent: this.takeMalformedJson(),
			closeAfterEvents: this.faults.closeMidStreamAfterChunks,
			stallAfterEvents: this.faults.stallMidStreamAfterChunks,
		};
	}
}

/** A JSON body cut in the middle, as a proxy that dropped the connection would leave it. */
export function truncatedJson(text: string): string {
	return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}
