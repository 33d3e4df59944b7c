/** Why a model could not be loaded, in words a user can act on. */
export type ModelLoadErrorCode =
	| 'not-found'
	| 'not-a-file'
	| 'not-gguf'
	| 'truncated'
	| 'not-a-language-model'
	| 'insufficient-memory'
	| 'load-failed'
	/** It loads, but its weights compute NaN or infinite logits. */
	| 'broken-weights'
	| 'server-unreachable'
	| 'server-rejected';

export class ModelLoadError extends Error {
	constructor(
		readonly code: ModelLoadErrorCode,
		/** One line for the status bar and the log, naming the file and what to do. */
		readonly userMessage: string,
		options?: { cause?: unknown },
	) {
		super(userMessage, options);
		this.name = 'ModelLoadError';
	}
}
