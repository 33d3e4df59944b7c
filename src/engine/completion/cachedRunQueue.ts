import { CompletionCache } from '../cache/completionCache.js';
import { SerialQueue } from '../scheduling/serialQueue.js';
import { cachedResult, cacheVariant, cancelledResult, type CompletionRequest, type CompletionResult } from './completionTypes.js';

/**
 * The front every completion backend shares: an earlier suggestion answers first; otherwise the
 * request waits its turn (leaving the queue at once when its signal aborts) and the model's whole
 * answer is remembered for next time.
 */
export class CachedRunQueue {
	private readonly queue = new SerialQueue();
	private readonly cache = new CompletionCache();

	/** The answer from earlier suggestions, without calling the model, when there is one. */
	cached(request: CompletionRequest): CompletionResult | undefined {
		if (request.useCache === false) {
			return undefined;
		}
		const cached = this.cache.lookup(request.prefix, request.suffix, cacheVariant(request));
		return cached && cachedResult(cached);
	}

	/** Runs `task` (given when the request was queued) in turn, unless the cache answers first. */
	run(request: CompletionRequest, task: (queuedAt: number) => Promise<CompletionResult>): Promise<CompletionResult> {
		if (!request.signal?.aborted) {
			const cached = this.cached(request);
			if (cached) {
				return Promise.resolve(cached);
			}
		}
		const variant = cacheVariant(request);
		const queuedAt = performance.now();
		return this.queue
			.run(
				() => task(queuedAt),
				request.signal,
				() => cancelledResult(performance.now() - queuedAt),
			)
			.then((result) => {
				// A suggestion cut short by the time budget is not the model's whole answer: not cached.
				if (result.stopReason !== 'cancelled' && result.stopReason !== 'time-budget') {
					this.cache.remember(request.prefix, request.suffix, variant, result.text);
				}
				return result;
			});
	}

	/** Requests waiting behind the running one. */
	get waiting(): number {
		return this.queue.length;
	}

	idle(): Promise<void> {
		return this.queue.idle();
	}
}
