/**
 * The protocol between the extension (client) and the language server, in one place. Each custom
 * message is a method name plus its parameter/result types. Plain constants rather than
 * vscode-jsonrpc message-type objects, because the client and the server depend on different
 * versions of that package and a method name is all the wire needs.
 */

/** The state of the server and its model, pushed to the client whenever it changes. */
export namespace ServerStatusNotification {
	export const method = 'hearth/serverStatus' as const;
	export type Params = ServerStatus;
}

export type ServerState = 'loading' | 'ready' | 'busy' | 'error' | 'disabled';

export interface ServerStatus {
	state: ServerState;
	/** The active model, once known (kept while a reload is in progress or has failed). */
	model?: ModelSummary;
	/** One line for the status bar tooltip, e.g. why loading failed. */
	message?: string;
}

export interface ModelSummary {
	displayName: string;
	path: string;
	sizeBytes: number;
	quantization: string;
	contextSize: number;
	threads: number;
	backend: string;
	fimFamily: string;
	fimReason: string;
}

/** Sent after every inline completion the server computed or abandoned. */
export namespace CompletionStatsNotification {
	export const method = 'hearth/completionStats' as const;
	export type Params = CompletionReport;
}

export interface CompletionReport {
	uri: string;
	/**
	 * Where the answer came from: 'model' (a run for this request), 'prefetch' (a run ahead of an
	 * accept), 'joined' (a running stream the user typed along with), 'cache' (an earlier
	 * suggestion), 'skipped' (a newer keystroke came first; the model was never asked).
	 */
	source: 'model' | 'prefetch' | 'joined' | 'cache' | 'skipped';
	stopReason: string;
	/** 'exact' or 'type-through' when an earlier suggestion answered without a model call. */
	cacheHit?: string;
	cancelled: boolean;
	suggestionLength: number;
	promptTokens: number;
	reusedPromptTokens: number;
	evaluatedPromptTokens: number;
	generatedTokens: number;
	/** Tokens that came out of the model after the request's cancellation arrived (target: at most 1). */
	tokensAfterCancel: number;
	promptMs: number;
	firstTokenMs?: number;
	totalMs: number;
}

/** Asks the server for the active model's details. */
export namespace ModelInfoRequest {
	export const method = 'hearth/modelInfo' as const;
	export type Params = void;
	export type Result = ModelSummary | null;
}

/** Passed in `initializationOptions` when the client starts the server. */
export interface HearthInitializationOptions {
	/** The model used when the user has not chosen one: the one bundled with the extension. */
	defaultModelPath: string;
}
