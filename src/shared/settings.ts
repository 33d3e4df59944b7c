/**
 * The user's settings, as both sides read them. The server pulls the `hearth` section through
 * `workspace/configuration`; package.json declares the same keys with their scopes. Model location
 * and performance settings are machine-scoped so that a workspace cannot point the extension at a
 * file or a thread count of its choosing.
 */
export const SETTINGS_SECTION = 'hearth';

export type CompletionModeSetting = 'auto' | 'single-line' | 'multi-line';
export type GpuSetting = 'auto' | 'off';
/** Where completions come from: a GGUF file run in the server process, or an OpenAI-compatible server. */
export type ModelBackendSetting = 'local' | 'server';

export interface HearthSettings {
	model: {
		path: string;
		backend: ModelBackendSetting;
		/** Base URL of an OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM), e.g. http://127.0.0.1:8080/v1. */
		serverUrl: string;
		/** The model name that server expects in requests. */
		serverModel: string;
	};
	inlineCompletion: {
		enabled: boolean;
		maxTokens: number;
		mode: CompletionModeSetting;
		timeBudgetMs: number;
		/** Bounds of the adaptive wait between a keystroke and the model call. */
		debounceMinMs: number;
		debounceMaxMs: number;
		/** Most prompt tokens per completion (the text around the cursor plus extra context). */
		contextBudget: number;
		/** Add recently edited and similar chunks of other open files ahead of the file. */
		extraContext: boolean;
		/** Prepare the next suggestion while one is shown, as if it were accepted. */
		prefetch: boolean;
	};
	performance: { threads: number; contextSize: number; gpu: GpuSetting };
	/** Explain, refactor and clean up. */
	actions: {
		/** Most tokens one answer may have, below the action's own limit (actionMaxTokens); 0: the action's own limit. */
		maxTokens: number;
	};
}

export const DEFAULT_SETTINGS: HearthSettings = {
	model: { path: '', backend: 'local', serverUrl: '', serverModel: '' },
	inlineCompletion: {
		enabled: true,
		maxTokens: 64,
		mode: 'auto',
		timeBudgetMs: 3000,
		debounceMinMs: 0,
		debounceMaxMs: 400,
		contextBudget: 1536,
		extraContext: true,
		prefetch: true,
	},
	performance: { threads: 0, contextSize: 2048, gpu: 'auto' },
	actions: { maxTokens: 0 },
};

/** Settings whose change means the model must be loaded again. */
export function modelReloadNeeded(before: HearthSettings, after: HearthSettings): boolean {
	return (
		before.model.path !== after.model.path ||
		before.model.backend !== after.model.backend ||
		before.model.serverUrl !== after.model.serverUrl ||
		before.model.serverModel !== after.model.serverModel ||
		before.performance.threads !== after.performance.threads ||
		before.performance.contextSize !== after.performance.contextSize ||
		before.performance.gpu !== after.performance.gpu
	);
}
