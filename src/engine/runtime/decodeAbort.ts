/**
 * Stopping a decode in flight. node-llama-cpp 3.22 cannot: a cancellation lands between its decodes
 * only, and on two cores one decode of a 1.5B model takes 50 ms for a single token and 150 ms for
 * eight. Hearth's small native module (src/engine/native/decodeAbort.cpp, built beside the server
 * bundle as dist/native/decodeAbort-<platform>-<arch>.node) sets llama.cpp's abort callback on a
 * context node-llama-cpp made, with node-llama-cpp's own prebuilt binaries. The callback reads a flag
 * between graph nodes, and a decode that sees it returns at once: llama.cpp drops that batch's KV
 * entries, and node-llama-cpp rejects the decode without moving the sequence on. So the sequence
 * stays as it was before the batch, and the next run carries on from there.
 *
 * Where the module is not built (not Linux, no C++ compiler at build time) or refuses a context (a
 * node-llama-cpp whose layout it was not built for), `DecodeAbort.for` returns undefined and runs
 * stop between decodes, as before.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LlamaContext } from 'node-llama-cpp';

/** What src/engine/native/decodeAbort.cpp exports. */
interface DecodeAbortModule {
	/** A handle for setAborted, or why the context cannot have the abort. */
	attach(nativeContext: object, nativeModel: object): object | string;
	setAborted(handle: object, aborted: boolean): void;
	/** The libllama whose llama_set_abort_callback it calls. */
	library(): string;
}

/** What a decode cut short by DecodeAbort resolves to. */
export const DECODE_ABORTED = Symbol('decode aborted');

/** node-llama-cpp's error for a decode llama.cpp did not finish (llama_decode returned 2, "aborted", or another failure). */
const FAILED_DECODE_MESSAGE = 'Eval has failed';

/**
 * What llama.cpp logs, at error level, for a decode its abort callback stopped (GGML_STATUS_ABORTED
 * is 1, llama_decode's "aborted" is 2): expected on every cancellation, so not an error.
 */
const ABORTED_DECODE_LOG =
	/(?:compute_async failed with error 1|failed to compute graph, compute status: 1|llama_decode: failed to decode, ret = 2)$/;

export function isAbortedDecodeLog(text: string): boolean {
	return ABORTED_DECODE_LOG.test(text);
}

export const DECODE_ABORT_MODULE_NAME = `decodeAbort-${process.platform}-${process.arch}.node`;

/**
 * The module's path: dist/native/ beside the server bundle (dist/server.mjs), or, for the compiled
 * sources the tests and the bench run (out/src/engine/runtime/), the project's dist/native/.
 */
export function decodeAbortModulePath(from: string = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
	for (let directory = from; ; directory = path.dirname(directory)) {
		for (const candidate of [
			path.join(directory, 'native', DECODE_ABORT_MODULE_NAME),
			path.join(directory, 'dist', 'native', DECODE_ABORT_MODULE_NAME),
		]) {
			if (existsSync(candidate)) {
				return candidate;
			}
		}
		if (path.dirname(directory) === directory) {
			return undefined;
		}
	}
}

let loadedModule: { module?: DecodeAbortModule; problem?: string } | undefined;

function decodeAbortModule(): { module?: DecodeAbortModule; problem?: string } {
	if (loadedModule === undefined) {
		const file = decodeAbortModulePath();
		if (file === undefined) {
			loadedModule = { problem: `${DECODE_ABORT_MODULE_NAME} is not built (npm run build builds it on Linux with g++)` };
		} else {
			try {
				loadedModule = { module: createRequire(import.meta.url)(file) as DecodeAbortModule };
			} catch (error) {
				loadedModule = { problem: `${file} does not load: ${(error as Error).message}` };
			}
		}
	}
	return loadedModule;
}

const byContext = new WeakMap<LlamaContext, { abort?: DecodeAbort; problem?: string }>();

/** Why `DecodeAbort.for(context)` is undefined, for the log; undefined when it is not. */
export function decodeAbortProblem(context: LlamaContext): string | undefined {
	DecodeAbort.for(context);
	return byContext.get(context)?.problem;
}

export class DecodeAbort {
	/** Whether KV entries were shifted since the last decode that ran to its end (see `shifted`). */
	private shiftPending = false;

	private constructor(
		private readonly module: DecodeAbortModule,
		private readonly handle: object,
	) {}

	/** The context's abort, when Hearth's module could set llama.cpp's abort callback on it. */
	static for(context: LlamaContext): DecodeAbort | undefined {
		let entry = byContext.get(context);
		if (entry === undefined) {
			entry = DecodeAbort.attach(context);
			byContext.set(context, entry);
		}
		return entry.abort;
	}

	private static attach(context: LlamaContext): { abort?: DecodeAbort; problem?: string } {
		const { module, problem } = decodeAbortModule();
		if (module === undefined) {
			return { problem };
		}
		// node-llama-cpp keeps its native objects in private fields; nothing else reaches them.
		const nativeContext = (context as unknown as { _ctx?: object })._ctx;
		const nativeModel = (context.model as unknown as { _model?: object })._model;
		if (typeof nativeContext !== 'object' || typeof nativeModel !== 'object') {
			return { problem: "node-llama-cpp's context has no native objects where this node-llama-cpp version keeps them" };
		}
		const handle = module.attach(nativeContext, nativeModel);
		return typeof handle === 'string' ? { problem: handle } : { abort: new DecodeAbort(module, handle) };
	}

	/**
	 * Says that KV entries of this context were shifted (tokens erased before others: node-llama-cpp
	 * moves the later ones down). llama.cpp applies that shift at the start of the next decode,
	 * rotating each layer's keys in place; an abort between two layers would leave some rotated and
	 * the rest pending, and the next decode would rotate the first ones again. So the next decode
	 * runs to its end, whatever the signal says.
	 */
	shifted(): void {
		this.shiftPending = true;
	}

	/** The libllama (node-llama-cpp's own, already loaded) whose abort callback the module sets, for the log. */
	get library(): string {
		return this.module.library();
	}

	/** Sets the flag llama.cpp's abort callback reads for this context (tests set a stale one with it). */
	setAborted(aborted: boolean): void {
		this.module.setAborted(this.handle, aborted);
	}

	/**
	 * Runs `decode` (one node-llama-cpp evaluation) so that `signal` aborting stops it between graph
	 * nodes; DECODE_ABORTED when it did. Decodes on a context run one after another, and a run's
	 * decodes only start after the previous run's have settled; the flag is cleared before the
	 * decode (a stale one, set after the decode it was meant for had returned) and after it.
	 */
	async run<T>(signal: AbortSignal, decode: () => Promise<T>): Promise<T | typeof DECODE_ABORTED> {
		if (signal.aborted) {
			return DECODE_ABORTED;
		}
		this.setAborted(false);
		if (this.shiftPending) {
			const result = await decode();
			this.shiftPending = false;
			return result;
		}
		const abort = () => this.setAborted(true);
		signal.addEventListener('abort', abort, { once: true });
		try {
			return await decode();
		} catch (error) {
			if (signal.aborted && error instanceof Error && error.message === FAILED_DECODE_MESSAGE) {
				return DECODE_ABORTED;
			}
			throw error;
		} finally {
			signal.removeEventListener('abort', abort);
			this.setAborted(false);
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
