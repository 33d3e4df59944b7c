/**
 * Stopping a decode in flight. node-llama-cpp 3.22 cannot: a cancellation lands between its decodes
 * only, and on two cores one decode of a 1.5B model takes 50 ms for a single token and 150 ms for
 * eight. Hearth's build of its addon (src/build/llamaAddon) adds `abortDecode(flag)` to the native
 * context. llama.cpp's abort callback reads that flag between graph nodes, and a decode that sees it
 * returns at once: llama.cpp drops that batch's KV entries, and node-llama-cpp rejects the decode
 * without moving the sequence on. So the sequence stays as it was before the batch, and the next
 * run carries on from there.
 *
 * With node-llama-cpp's own prebuilt binaries there is no such method: `DecodeAbort.for` returns
 * undefined, and runs stop between decodes as before.
 */

import type { LlamaContext } from 'node-llama-cpp';

/** What Hearth's patch of the addon adds to the native context. */
interface AbortableNativeContext {
	abortDecode(aborted: boolean): void;
}

/** What a decode cut short by DecodeAbort resolves to. */
export const DECODE_ABORTED = Symbol('decode aborted');

/** The addon's error for a decode its abort callback stopped (decodeAbort.diff). */
const ABORTED_MESSAGE = 'Decode was aborted';

/**
 * What llama.cpp logs, at error level, for a decode its abort callback stopped (GGML_STATUS_ABORTED
 * is 1, llama_decode's "aborted" is 2): expected on every cancellation, so not an error.
 */
const ABORTED_DECODE_LOG =
	/(?:compute_async failed with error 1|failed to compute graph, compute status: 1|llama_decode: failed to decode, ret = 2)$/;

export function isAbortedDecodeLog(text: string): boolean {
	return ABORTED_DECODE_LOG.test(text);
}

const byContext = new WeakMap<LlamaContext, DecodeAbort | null>();

export class DecodeAbort {
	private constructor(private readonly native: AbortableNativeContext) {}

	/** The context's abort, when its addon has one (Hearth's build of it). */
	static for(context: LlamaContext): DecodeAbort | undefined {
		let abort = byContext.get(context);
		if (abort === undefined) {
			// node-llama-cpp keeps the native context in a private field; nothing else reaches it.
			const native = (context as unknown as { _ctx?: Partial<AbortableNativeContext> })._ctx;
			abort = typeof native?.abortDecode === 'function' ? new DecodeAbort(native as AbortableNativeContext) : null;
			byContext.set(context, abort);
		}
		return abort ?? undefined;
	}

	/**
	 * Runs `decode` (one node-llama-cpp evaluation) so that `signal` aborting stops it between graph
	 * nodes; DECODE_ABORTED when it did. Decodes on a context run one after another, and a run's
	 * decodes only start after the previous run's have settled, so the flag cleared here can only
	 * be a stale one, set after the decode it was meant for had already returned.
	 */
	async run<T>(signal: AbortSignal, decode: () => Promise<T>): Promise<T | typeof DECODE_ABORTED> {
		if (signal.aborted) {
			return DECODE_ABORTED;
		}
		this.native.abortDecode(false);
		const abort = () => this.native.abortDecode(true);
		signal.addEventListener('abort', abort, { once: true });
		try {
			return await decode();
		} catch (error) {
			if (signal.aborted && error instanceof Error && error.message === ABORTED_MESSAGE) {
				return DECODE_ABORTED;
			}
			throw error;
		} finally {
			signal.removeEventListener('abort', abort);
		}
	}
}

/** Runs `decode` through the context's DecodeAbort when it has one, else plainly (stopping only at its end). */
export function abortableDecode<T>(
	abort: DecodeAbort | undefined,
	signal: AbortSignal,
	decode: () => Promise<T>,
): Promise<T | typeof DECODE_ABORTED> {
	return abort === undefined ? decode() : abort.run(signal, decode);
}
