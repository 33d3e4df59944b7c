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

/** `unloaded`: the local model was unloaded after `hearth.model.idleUnloadMinutes` without use; the next use loads it again. */
export type ServerState = 'loading' | 'ready' | 'busy' | 'error' | 'disabled' | 'unloaded';

export interface ServerStatus {
	state: ServerState;
	/** The active model, once known (kept while a reload is in progress or has failed). */
	model?: ModelSummary;
	/** One line for the status bar tooltip, e.g. why loading failed. */
	message?: string;
	/** Suggestions held back since the server started because the model was unsure of them (`hearth.inlineCompletion.minConfidence`). */
	heldBack?: number;
	/** The chat model slot (`hearth.chatModel`); absent when none is chosen. */
	chatModel?: ChatModelStatus;
	/** Where the actions go now and why (one line from the routing function), e.g. "Document This on …". */
	actionRoute?: string;
}

/** The chat model slot as the status bar and the switcher show it. */
export interface ChatModelStatus {
	state: 'loading' | 'ready' | 'error' | 'unloaded';
	/** `shared`: the completion model's own file, loaded once for both roles. */
	where: 'local' | 'shared' | 'server';
	displayName: string;
	/** The GGUF file, or the server's base URL. */
	location: string;
	/** Local files: the size on disk. */
	sizeBytes?: number;
	/** Whether it follows chat prompts (instruction-tuned with a real chat template; always true for a server). */
	canChat: boolean;
	/** One line per detected capability (FIM tokens, chat template, instruct/base, trained context). */
	evidence: string[];
	speed?: ModelSpeed;
	/** Why loading failed, or what happened last. */
	message?: string;
}

/** Speed measured on this machine from the model's own runs since it was loaded. */
export interface ModelSpeed {
	/** Prompt tokens evaluated per second of prompt evaluation. */
	promptTokensPerSecond?: number;
	/** Tokens generated per second of generation. */
	generatedTokensPerSecond?: number;
	/** Runs the figures are taken from. */
	runs: number;
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
	/** Speed measured on this machine since the model was loaded; absent before its first run. */
	speed?: ModelSpeed;
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
	/** The answer came from the small first prompt of a cold document; its whole prompt is filled in next (a 'prefetch' run). */
	smallFirstPrompt?: boolean;
}

/** Asks the server for the active model's details. */
export namespace ModelInfoRequest {
	export const method = 'hearth/modelInfo' as const;
	export type Params = void;
	export type Result = ModelSummary | null;
}

/** Passed in `initializationOptions` when the client starts the server. */
export interface HearthInitializationOptions {
	/**
	 * The model used when the user has not chosen one. Optional: without it the server uses the model
	 * bundled beside it (models/starter/…), which is what editors other than VS Code rely on.
	 */
	defaultModelPath?: string;
	/**
	 * Where downloaded models live: the extension's global storage, never the workspace. Optional so
	 * that a server started without one simply offers no downloads.
	 */
	modelsDirectory?: string;
}

/** What the switcher shows: the models on disk and whether each one (and each catalog entry) fits. */
export namespace ListModelsRequest {
	export const method = 'hearth/listModels' as const;
	export interface Params {
		/**
		 * Catalog entries to judge, by id, approximate size and KV cache bytes per token of context
		 * (from the architecture: layers × KV heads × head size × 2 × 2 bytes), when the catalog knows it.
		 */
		catalog: { id: string; sizeBytes: number; kvBytesPerToken?: number }[];
		/**
		 * The role the model would take (default `completion`): the memory the other role's model holds
		 * stays in use, so the verdict counts both models; the model the switch would replace comes free.
		 */
		role?: 'completion' | 'chat';
	}
	export type Result = ModelInventory;
}

export interface ModelInventory {
	/** GGUF files in the models directory, newest first. */
	downloaded: LocalModelFile[];
	/** Memory the fit verdicts were judged against. */
	memory: { where: 'RAM' | 'VRAM'; freeBytes: number; totalBytes: number; backend: string };
	/** Catalog id → verdict. */
	catalogFit: Record<string, FitVerdict>;
}

export interface LocalModelFile {
	path: string;
	fileName: string;
	sizeBytes: number;
	modifiedMs: number;
	fit: FitVerdict;
}

export interface FitVerdict {
	fits: boolean;
	/** Estimated bytes the model needs with the configured context. */
	needBytes: number;
	/** A few words for the QuickPick, e.g. "fits: needs 1.9 GB of 11.2 GB free RAM". */
	summary: string;
}

/**
 * Downloads a catalog model into the models directory. Progress arrives as DownloadProgress
 * notifications carrying the same token; cancelling the request ($/cancelRequest) stops the download
 * and keeps the partial file for a later resume. Resolves with the finished, verified file's path.
 */
export namespace DownloadModelRequest {
	export const method = 'hearth/downloadModel' as const;
	export interface Params {
		progressToken: string;
		uri: string;
		fileName: string;
		/** Approximate size, for progress before the server answers. */
		sizeBytes?: number;
		verify?: { sizeBytes?: number; sha256?: string };
	}
	export interface Result {
		path: string;
		sizeBytes: number;
		/** The SHA-256 of the file kept (absent when it was already there). */
		sha256?: string;
		/** What the SHA-256 matched: the catalog's value, the server's X-Linked-ETag, or both; empty: not verified. */
		verifiedAgainst: ('catalog' | 'server')[];
		/** One sentence for the log: what the file was checked against, or that it was not. */
		verification: string;
	}
}

export namespace DownloadProgressNotification {
	export const method = 'hearth/downloadProgress' as const;
	export interface Params {
		progressToken: string;
		phase: 'downloading' | 'verifying';
		downloadedBytes: number;
		totalBytes: number;
	}
}

/** Checks a GGUF file without switching to it: is it a language model this build can run, and does it fit? */
export namespace InspectModelRequest {
	export const method = 'hearth/inspectModel' as const;
	export interface Params {
		path: string;
	}
	export type Result =
		| { ok: true; displayName: string; sizeBytes: number; architecture: string; quantization: string; fit: FitVerdict }
		| { ok: false; message: string };
}

/**
 * The API key for the OpenAI-compatible completion server, pushed by the client from VS Code's
 * secret storage whenever it changes (empty: none). It never goes through settings or logs.
 */
export namespace ServerCredentialsNotification {
	export const method = 'hearth/serverCredentials' as const;
	export interface Params {
		apiKey: string;
	}
}

/**
 * Runs a selection action (explain, refactor, clean up docs) on the local model. The answer streams
 * as ActionProgress notifications carrying the whole text so far; cancelling the request stops
 * generation within a token. Inline completions take precedence: the action pauses while the user
 * types and resumes where it stopped.
 */
export namespace RunActionRequest {
	export const method = 'hearth/runAction' as const;
	export interface Params {
		progressToken: string;
		kind: 'explain' | 'refactor' | 'cleanup';
		code: string;
		languageId: string;
		filePath?: string;
		instruction?: string;
	}
	export interface Result {
		text: string;
		stopReason: string;
		/** The model that answered, for the panel's footer. */
		model: string;
		totalMs: number;
		generatedTokens: number;
		tokensPerSecond: number;
		/** How often typing paused the action. */
		pauses: number;
		/** Refactor and clean-up: the code to put in place of the selection, taken out of the answer. */
		proposal?: string;
		/** Clean-up: whether the proposal changes comments only; when not, it must not be offered. */
		commentOnly?: { ok: true } | { ok: false; reason: string };
		/**
		 * Where the action ran and why, from what each model can do: a chat prompt, Document This on a
		 * base fill-in-the-middle model, or nowhere (`unavailable`: no local model can do it; `text` is
		 * empty and the editor offers a local chat model and the frontier model's preview instead).
		 */
		route?: { via: 'chat' | 'document-this' | 'unavailable'; reason: string };
		/** Document This: the answer is a generated doc comment (empty when the model wrote none), not an explanation. */
		docComment?: { comment: string };
		/**
		 * The local model's own probabilities of its answer (natural-log, per token); `unsure` below the
		 * threshold measured for the route (the editor says so and offers Escalate…).
		 */
		confidence?: { meanLogProb: number; minLogProb: number; unsure: boolean };
		/** Why the rewrite is not offered for review (empty, deletes most of the selection, does not parse); `proposal` is then absent. */
		refused?: string;
	}
}

export namespace ActionProgressNotification {
	export const method = 'hearth/actionProgress' as const;
	export interface Params {
		progressToken: string;
		text: string;
	}
}

/**
 * Whether a proposed clean-up changes comments only, for proposals that did not come from the local
 * model (a frontier model's). The server decides with the same lexer as for local answers, so no code
 * change can reach the diff of a clean-up whichever model wrote it.
 */
export namespace CheckCommentOnlyRequest {
	export const method = 'hearth/checkCommentOnly' as const;
	export interface Params {
		original: string;
		proposal: string;
		languageId: string;
	}
	export type Result = { ok: true } | { ok: false; reason: string };
}
