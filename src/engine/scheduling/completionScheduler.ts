import { cancelledResult, type CompletionRequest, type CompletionResult } from '../completion/completionTypes.js';
import type { CompletionBackend } from '../runtime/completionBackend.js';
import { AdaptiveDebounce, waitUnlessAborted, type DebounceBounds } from './adaptiveDebounce.js';

/**
 * A run nobody waits for any more, which has shown text a next keystroke could type through, is
 * stopped after this long unless that keystroke picks it up first. One that has shown nothing yet
 * (still evaluating its prompt) is stopped at once: only a request at the very same place could
 * join it, and that one finds the evaluated part of the prompt in the KV cache anyway.
 */
const ORPHAN_GRACE_MS = 30;
/** Longest stretch of typed text that can follow a running stream. */
const MAX_JOIN_CHARS = 128;

export interface ScheduledRequest extends Omit<CompletionRequest, 'documentKey' | 'onText'> {
	documentKey: string;
	debounce: DebounceBounds;
	/** Compute the next suggestion, as if this one were accepted, once the machine is idle (default true). */
	prefetch?: boolean;
}

/**
 * How a request was answered: from earlier suggestions (`cache`), by a model run of its own
 * (`model`), by following a run started for an earlier keystroke whose output the user is typing
 * (`joined`), or not at all because a newer keystroke came while it waited (`skipped`).
 */
export type AnswerSource = 'cache' | 'model' | 'joined' | 'skipped';

export interface ScheduledAnswer {
	source: AnswerSource;
	result: CompletionResult;
	/** The model run that answered (or was started for) this request: see RunReport.id. */
	runId?: number;
}

/** A model run as it ended, for statistics: also sent for prefetches and for runs whose requester left. */
export interface RunReport {
	/** Runs are numbered in the order they start. */
	id: number;
	documentKey: string;
	kind: 'request' | 'prefetch';
	result: CompletionResult;
}

export interface SchedulerOptions {
	/** Delay between a shown suggestion and the prefetch of the next one (default 300 ms). */
	prefetchIdleMs?: number;
	onRunFinished?(report: RunReport): void;
	now?: () => number;
	/**
	 * Grace before any orphaned run is stopped, whether or not it has shown text (30 was the old
	 * behaviour); default: 30 ms once it has shown text, none before.
	 */
	orphanGraceMs?: number;
	/**
	 * Hold a run's generation (and a keystroke's few new prompt tokens) until a key gap has passed, while steady typing makes
	 * the next key likely to come first (default true; false was the old behaviour).
	 */
	holdGeneration?: boolean;
	/** Stop prefetching in a document whose prefetches go unused (default true; false was the old behaviour). */
	stopUnusedPrefetches?: boolean;
}

interface ModelRun {
	readonly id: number;
	readonly documentKey: string;
	readonly prefix: string;
	readonly suffix: string;
	readonly kind: 'request' | 'prefetch';
	readonly controller: AbortController;
	readonly done: Promise<CompletionResult>;
	/** Post-processed text generated so far. */
	partial: string;
	finished: boolean;
	waiters: number;
	orphanTimer?: NodeJS.Timeout;
}

interface Place {
	prefix: string;
	suffix: string;
}

/**
 * Prefetches in a row that the user did not go on from, after which a document gets no more until
 * the user takes a suggestion again (types through one or accepts one): someone who is not taking
 * suggestions would only pay for them in CPU (on a 1.5B model on two cores, ~2 CPU-seconds each).
 */
const MAX_UNUSED_PREFETCHES = 2;

interface DocumentState {
	readonly debounce: AdaptiveDebounce;
	/** Aborted when a newer request for the document arrives: the older one waits in vain. */
	waiting?: AbortController;
	run?: ModelRun;
	/** Where the last prefetch computed the next suggestion, until a request shows whether the user went there. */
	prefetchedAt?: Place;
	/** The end of the last suggestion delivered: a request there means the user accepted it. */
	shownEnd?: Place;
	unusedPrefetches: number;
}

/**
 * What happens between a keystroke and a model call, per document: answers from earlier
 * suggestions first; following a running stream the user types along with; an adaptive wait that
 * lets a quick next keystroke make the call unnecessary; one model run at a time per document, the
 * stale one stopped within a token; and, when the user pauses on a suggestion, the next suggestion
 * computed ahead so that accepting is followed by an instant one.
 *
 * Used by the language server and by the benchmark alike, so the benchmark measures what users get.
 */
export class CompletionScheduler {
	private readonly documents = new Map<string, DocumentState>();
	private prefetchTimer: NodeJS.Timeout | undefined;
	private runsStarted = 0;
	private readonly prefetchIdleMs: number;

	constructor(
		private readonly engine: CompletionBackend,
		private readonly options: SchedulerOptions = {},
	) {
		this.prefetchIdleMs = options.prefetchIdleMs ?? 300;
	}

	/** A warm-up that came while the model was busy, run once it is free. */
	private deferredWarm: Omit<ScheduledRequest, 'signal'> | undefined;

	async request(request: ScheduledRequest): Promise<ScheduledAnswer> {
		const state = this.documentState(request.documentKey);
		state.waiting?.abort();
		this.cancelPendingPrefetch();
		// A keystroke anywhere supersedes a warm-up still waiting: its own document's prompt comes first,
		// and another document's warm-up (a fill the user left behind) would take this one's cache.
		this.deferredWarm = undefined;
		const { signal } = request;

		const cached = this.engine.cachedCompletion(request);
		this.noteTaken(state, request, cached?.stats.cacheHit === 'type-through');
		if (cached) {
			// A prefetch of what comes after this very suggestion stays: it is the next answer.
			if (!isRunFor(state.run, request.prefix + cached.text, request.suffix)) {
				this.dropUnjoinableRun(state, request);
			}
			return this.delivered(request, { source: 'cache', result: cached });
		}

		const joined = await this.tryJoin(state, request);
		if (joined) {
			// Typing what a stream was producing before it was shown is not taking a suggestion: it says
			// nothing of whether the user accepts them, which is what a prefetch bets on.
			return this.delivered(request, joined);
		}
		this.dropUnjoinableRun(state, request);
		// Whatever runs for another document (a prefetch, most likely) must not delay this keystroke.
		this.abortOtherPrefetches(request.documentKey);

		const waiting = new AbortController();
		state.waiting = waiting;
		const keystroke = { lastCharacter: request.prefix.at(-1) ?? '', atLineEnd: /^[ \t]*(\r?\n|$)/.test(request.suffix) };
		const keystrokeAt = performance.now();
		const delay = state.debounce.delayFor(keystroke, request.debounce);
		const holdMs = this.options.holdGeneration === false ? 0 : state.debounce.generationHoldMs(keystroke);
		const waitSignal = signal ? AbortSignal.any([signal, waiting.signal]) : waiting.signal;
		const proceed = await waitUnlessAborted(delay, waitSignal);
		if (state.waiting === waiting) {
			state.waiting = undefined;
		}
		if (!proceed) {
			return { source: 'skipped', result: cancelledResult() };
		}

		// A cold document may be answered from a small near-cursor prompt; its whole prompt is then filled in.
		const asked: ScheduledRequest = { ...request, smallFirstPrompt: true };
		const run = this.startRun(state, holdMs > delay ? { ...asked, generateNotBefore: keystrokeAt + holdMs } : asked, 'request');
		const result = await this.waitFor(run, signal);
		if (result === undefined) {
			return { source: 'model', result: cancelledResult(), runId: run.id };
		}
		if (result.stats.smallFirstPrompt === true && result.stopReason !== 'cancelled') {
			// While the user reads the suggestion or types on, the whole prompt goes into the document's cache.
			const { signal: _signal, ...whole } = request;
			this.warm(whole);
		}
		return this.delivered(request, { source: 'model', result, runId: run.id });
	}

	/**
	 * Evaluates a prompt ahead of need (after its extra context changed, say) while nothing else
	 * runs; the next keystroke stops it, keeping what it evaluated so far.
	 */
	warm(request: Omit<ScheduledRequest, 'signal'>): void {
		if (this.busy()) {
			// Not dropped: a slow run would otherwise swallow the pause's warm-up. It runs when the
			// model is free, unless a newer request for the document comes first.
			this.deferredWarm = request;
			return;
		}
		this.deferredWarm = undefined;
		this.startRun(this.documentState(request.documentKey), { ...request, maxTokens: 1, prefetch: false }, 'prefetch');
	}

	private startDeferredWarm(): void {
		const deferred = this.deferredWarm;
		if (deferred && !this.busy() && this.documents.has(deferred.documentKey)) {
			this.warm(deferred);
		}
	}

	/** The text a document's running stream has produced so far (undefined when none runs). */
	runningText(documentKey: string): string | undefined {
		const run = this.documents.get(documentKey)?.run;
		return run && !run.finished ? run.partial : undefined;
	}

	/** Resolves once no run is under way (a prefetch not yet started is called off). */
	async idle(): Promise<void> {
		this.cancelPendingPrefetch();
		for (;;) {
			const running = [...this.documents.values()].flatMap((state) => (state.run && !state.run.finished ? [state.run.done] : []));
			if (running.length === 0) {
				return;
			}
			await Promise.allSettled(running);
		}
	}

	/** The document was closed: stop its work and forget it. */
	forget(documentKey: string): void {
		if (this.deferredWarm?.documentKey === documentKey) {
			this.deferredWarm = undefined;
		}
		const state = this.documents.get(documentKey);
		state?.waiting?.abort();
		state?.run?.controller.abort();
		this.documents.delete(documentKey);
		this.engine.forgetDocument(documentKey);
	}

	/** Stops everything (the model is being replaced or the server shuts down). */
	dispose(): void {
		this.cancelPendingPrefetch();
		for (const key of [...this.documents.keys()]) {
			this.forget(key);
		}
	}

	/** A request waits or a run is under way somewhere. */
	private busy(): boolean {
		const active = [...this.documents.values()].some(
			(state) => state.waiting !== undefined || (state.run !== undefined && !state.run.finished),
		);
		return active || this.engine.queuedRequests > 0;
	}

	private documentState(documentKey: string): DocumentState {
		let state = this.documents.get(documentKey);
		if (!state) {
			state = { debounce: new AdaptiveDebounce(this.options.now), unusedPrefetches: 0 };
			this.documents.set(documentKey, state);
		}
		return state;
	}

	/**
	 * Follows the document's running stream when the request is the same place plus characters the
	 * stream has produced (or may still produce): the answer is then the rest of that stream.
	 */
	private async tryJoin(state: DocumentState, request: ScheduledRequest): Promise<ScheduledAnswer | undefined> {
		const run = state.run;
		if (!run || !isJoinable(run, request)) {
			return undefined;
		}
		const typed = request.prefix.slice(run.prefix.length);
		const result = await this.waitFor(run, request.signal);
		if (result === undefined) {
			return { source: 'joined', result: cancelledResult(), runId: run.id };
		}
		if (result.stopReason === 'cancelled' || !result.text.startsWith(typed) || result.text.length === typed.length) {
			// The stream went another way than the user: this request needs a run of its own.
			return undefined;
		}
		const text = result.text.slice(typed.length);
		return { source: 'joined', result: { ...result, text }, runId: run.id };
	}

	/** Whether the user goes on from suggestions: prefetching the next one is worth it only while they do. */
	private noteTaken(state: DocumentState, request: ScheduledRequest, typingThrough: boolean): void {
		const at = (place: Place | undefined) => place !== undefined && place.prefix === request.prefix && place.suffix === request.suffix;
		if (typingThrough) {
			state.unusedPrefetches = 0; // on the way to the prefetched place, perhaps: it stays
			return;
		}
		if (at(state.prefetchedAt) || at(state.shownEnd)) {
			state.unusedPrefetches = 0;
		} else if (state.prefetchedAt !== undefined) {
			state.unusedPrefetches++;
		}
		state.prefetchedAt = undefined;
	}

	/** A running stream the request cannot use is stopped now rather than after its grace period. */
	private dropUnjoinableRun(state: DocumentState, request: ScheduledRequest): void {
		const run = state.run;
		if (run && !run.finished && !isJoinable(run, request)) {
			run.controller.abort();
		}
	}

	private startRun(state: DocumentState, request: ScheduledRequest, kind: ModelRun['kind']): ModelRun {
		const controller = new AbortController();
		const id = ++this.runsStarted;
		// What only the scheduler reads stays here; everything else is the engine's request as given.
		const { debounce: _debounce, prefetch: _prefetch, signal: _signal, ...completion } = request;
		const done = this.engine
			.complete({
				...completion,
				...(kind === 'prefetch' ? { background: true } : {}),
				useCache: false,
				signal: controller.signal,
				onText: (text) => (run.partial = text),
			})
			.finally(() => {
				run.finished = true;
				clearTimeout(run.orphanTimer);
			})
			.then((result) => {
				if (result.stopReason !== 'cancelled') {
					state.debounce.recordLatency(result.stats.totalMs);
				}
				this.options.onRunFinished?.({ id, documentKey: request.documentKey, kind, result });
				return result;
			});
		const run: ModelRun = {
			id,
			documentKey: request.documentKey,
			prefix: request.prefix,
			suffix: request.suffix,
			kind,
			controller,
			done,
			partial: '',
			finished: false,
			waiters: 0,
		};
		state.run = run;
		void done
			.catch(() => undefined)
			.then(() => {
				if (state.run === run) {
					state.run = undefined;
				}
				this.startDeferredWarm();
			});
		return run;
	}

	/**
	 * Waits for a run on behalf of one request. When the request is cancelled it stops waiting at
	 * once; the run itself is stopped once nobody waits for it, after a grace period in which the
	 * next keystroke's request may pick it up.
	 */
	private async waitFor(run: ModelRun, signal: AbortSignal | undefined): Promise<CompletionResult | undefined> {
		if (signal?.aborted) {
			this.releaseWaiter(run, false);
			return undefined;
		}
		run.waiters++;
		clearTimeout(run.orphanTimer);
		if (!signal) {
			return run.done;
		}
		let onAbort: (() => void) | undefined;
		const left = new Promise<undefined>((resolve) => {
			onAbort = () => {
				// Within the cancel itself, not a turn later: a run nobody waits for stops at once.
				this.releaseWaiter(run, true);
				resolve(undefined);
			};
			signal.addEventListener('abort', onAbort, { once: true });
		});
		try {
			return await Promise.race([run.done, left]);
		} finally {
			signal.removeEventListener('abort', onAbort!);
		}
	}

	private releaseWaiter(run: ModelRun, counted: boolean): void {
		if (counted) {
			run.waiters--;
		}
		if (run.waiters <= 0 && !run.finished) {
			clearTimeout(run.orphanTimer);
			const grace = this.options.orphanGraceMs ?? (run.partial === '' ? 0 : ORPHAN_GRACE_MS);
			if (grace <= 0) {
				run.controller.abort();
				return;
			}
			run.orphanTimer = setTimeout(() => {
				if (run.waiters <= 0) {
					run.controller.abort();
				}
			}, grace);
		}
	}

	/** A suggestion is on its way to the screen: the next one, as if it is accepted, is prepared when idle. */
	private delivered(request: ScheduledRequest, answer: ScheduledAnswer): ScheduledAnswer {
		if (answer.result.text !== '' && !request.signal?.aborted) {
			this.documentState(request.documentKey).shownEnd = { prefix: request.prefix + answer.result.text, suffix: request.suffix };
			if (request.prefetch !== false) {
				this.schedulePrefetch(request, answer.result.text);
			}
		}
		return answer;
	}

	private schedulePrefetch(request: ScheduledRequest, suggestion: string): void {
		this.cancelPendingPrefetch();
		const next: ScheduledRequest = { ...request, prefix: request.prefix + suggestion, signal: undefined };
		this.prefetchTimer = setTimeout(() => {
			this.prefetchTimer = undefined;
			const state = this.documentState(request.documentKey);
			if (isRunFor(state.run, next.prefix, next.suffix)) {
				return;
			}
			const unused = this.options.stopUnusedPrefetches !== false && state.unusedPrefetches >= MAX_UNUSED_PREFETCHES;
			if (unused || this.busy() || this.engine.cachedCompletion(next)) {
				return;
			}
			state.prefetchedAt = { prefix: next.prefix, suffix: next.suffix };
			this.startRun(state, next, 'prefetch');
		}, this.prefetchIdleMs);
		this.prefetchTimer.unref?.();
	}

	private cancelPendingPrefetch(): void {
		clearTimeout(this.prefetchTimer);
		this.prefetchTimer = undefined;
	}

	private abortOtherPrefetches(documentKey: string): void {
		for (const [key, state] of this.documents) {
			if (key !== documentKey && state.run?.kind === 'prefetch' && state.run.waiters <= 0) {
				state.run.controller.abort();
			}
		}
	}
}

/**
 * The request is at the run's place plus typed characters (same text after the cursor) and what it
 * typed agrees with what the run has produced so far.
 */
function isJoinable(run: ModelRun, request: ScheduledRequest): boolean {
	if (run.controller.signal.aborted || run.suffix !== request.suffix || !request.prefix.startsWith(run.prefix)) {
		return false;
	}
	const typed = request.prefix.slice(run.prefix.length);
	if (typed.length > MAX_JOIN_CHARS) {
		return false;
	}
	if (run.finished) {
		return false; // a finished run's answer is in the cache, which was asked first
	}
	// Only what the stream has already shown it agrees with: waiting on a stream that has not got
	// that far yet could end in a detour (its text goes elsewhere) that costs a whole run's time.
	return run.partial.startsWith(typed);
}

function isRunFor(run: ModelRun | undefined, prefix: string, suffix: string): boolean {
	return run !== undefined && !run.finished && !run.controller.signal.aborted && run.prefix === prefix && run.suffix === suffix;
}
