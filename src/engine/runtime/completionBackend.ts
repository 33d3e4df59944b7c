import type { CompletionRequest, CompletionResult } from '../completion/completionTypes.js';
import type { ModelInfo } from './modelInfo.js';

/**
 * What the scheduler and the language server need from whatever produces completions: the model run
 * in this process (CompletionEngine) or an OpenAI-compatible server (OpenAiCompletionBackend).
 */
export interface CompletionBackend {
	readonly info: ModelInfo;
	/** The answer from earlier suggestions, without calling the model, when there is one. */
	cachedCompletion(request: CompletionRequest): CompletionResult | undefined;
	complete(request: CompletionRequest): Promise<CompletionResult>;
	/** Requests waiting behind the running one. */
	readonly queuedRequests: number;
	/** A closed document's cached state may go. */
	forgetDocument(documentKey: string): void;
	dispose(): Promise<void>;
}
