/**
 * Fill-in-the-middle completion on one loaded model: the completion pipeline over the tokens of the
 * model run in this process. Requests run one at a time (two cores do not gain from running two);
 * each recent document has its own context sequence, whose KV state is kept between requests.
 */

import { CompletionPipeline } from '../completion/completionPipeline.js';
import type { CompletionRequest, CompletionResult } from '../completion/completionTypes.js';
import type { Logger } from '../logger.js';
import { decodeAbortProblem } from './decodeAbort.js';
import type { CompletionBackend } from './completionBackend.js';
import type { LoadedModel } from './loadModel.js';
import { LocalTokenSource, type LocalTokenSourceOptions } from './localTokenSource.js';
import type { ModelInfo } from './modelInfo.js';

// The request and result types live in completion/completionTypes.ts; re-exported for the callers of old.
export {
	cachedResult,
	cacheVariant,
	cancelledResult,
	idleStats,
	type CompletionRequest,
	type CompletionResult,
	type CompletionStats,
	type StopReason,
} from '../completion/completionTypes.js';

export interface CompletionEngineOptions extends LocalTokenSourceOptions {
	/** Attach each run's prompt tokens to its result. */
	keepPromptTokens?: boolean;
}

export class CompletionEngine implements CompletionBackend {
	private readonly source: LocalTokenSource;
	private readonly pipeline: CompletionPipeline;

	constructor(
		private readonly loaded: LoadedModel,
		logger: Logger,
		options: CompletionEngineOptions = {},
	) {
		this.source = new LocalTokenSource(loaded, options);
		this.pipeline = new CompletionPipeline(this.source, logger, options);
		const library = this.source.decodeAbortLibrary;
		logger.debug(
			library !== undefined
				? `completion: a cancellation stops llama.cpp inside a decode (llama.cpp's abort callback in ${library}, set by dist/native/decodeAbort)`
				: `completion: a cancellation stops llama.cpp between decodes only (${
						options.decodeAbort === false
							? 'decode abort switched off'
							: (decodeAbortProblem(loaded.context) ?? 'no decode abort')
					})`,
		);
	}

	/** Whether a cancellation stops a decode in flight, not only the next one (DecodeAbort). */
	get abortsDecodes(): boolean {
		return this.source.abortsDecodes;
	}

	get info(): ModelInfo {
		return this.loaded.info;
	}

	/** The answer from earlier suggestions, without calling the model, when there is one. */
	cachedCompletion(request: CompletionRequest): CompletionResult | undefined {
		return this.pipeline.cached(request);
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		return this.pipeline.complete(request);
	}

	/** Requests waiting behind the running one (superseded ones leave at once). */
	get queuedRequests(): number {
		return this.pipeline.queuedRequests;
	}

	/** Forgets a closed document's KV cache claim, so its sequence goes to the next document first. */
	forgetDocument(documentKey: string): void {
		this.source.forgetDocument(documentKey);
	}

	async dispose(): Promise<void> {
		await this.pipeline.idle();
		await this.loaded.dispose();
	}
}
