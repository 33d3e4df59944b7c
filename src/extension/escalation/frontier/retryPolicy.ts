/** How often and how long to wait before sending a request again that the server certainly did not process. */
export interface RetryOptions {
	maxRetries: number;
	baseDelayMs: number;
	/** The longest wait; a server that asks for longer (Retry-After) is not retried early, the failure is surfaced. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 2, baseDelayMs: 1_000, maxDelayMs: 20_000 };

/**
 * The statuses after which sending again cannot make the model answer twice: 429 (rate limited:
 * refused before any work) and the gateway statuses 502/503/504 (a proxy or load balancer found no
 * healthy backend). Not 500: an internal error may come after the model had started (and billed)
 * the work, and an answer that fails the same way on every try would be paid for each time; the
 * user sees the error and decides. Not 4xx others: the same request would fail the same way.
 */
export function isRetryableStatus(status: number): boolean {
	return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * The server's requested wait, from `retry-after-ms` (OpenAI sends it) or `Retry-After` (seconds or
 * an HTTP date); undefined when absent or unreadable.
 */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
	const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
	if (Number.isFinite(milliseconds) && milliseconds >= 0) {
		return milliseconds;
	}
	const value = headers?.get('retry-after')?.trim();
	if (!value) {
		return undefined;
	}
	if (/^\d+(?:\.\d+)?$/.test(value)) {
		return Number.parseFloat(value) * 1000;
	}
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1-based), or undefined when the server asks for longer than
 * `maxDelayMs` allows (retrying sooner would only be refused again, and count against the limit).
 * Without a request from the server: exponential backoff with jitter, capped.
 */
export function retryDelayMs(
	retry: number,
	options: RetryOptions,
	requestedMs: number | undefined,
	random = Math.random,
): number | undefined {
	if (requestedMs !== undefined) {
		return requestedMs <= options.maxDelayMs ? requestedMs : undefined;
	}
	const exponential = options.baseDelayMs * 2 ** (retry - 1);
	// Jitter in [50%, 100%]: clients that failed together do not all come back together.
	return Math.min(options.maxDelayMs, exponential * (0.5 + random() / 2));
}

/** Waits `ms`, or rejects as soon as `signal` aborts (a retry's wait must not hold up a cancel). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) {
			reject(signal.reason);
			return;
		}
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal.reason);
		};
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal.addEventListener('abort', onAbort, { once: true });
	});
}
