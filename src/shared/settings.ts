/**
 * The user's settings, as both sides read them. The server pulls the `hearth` section through
 * `workspace/configuration`; package.json declares the same keys with their scopes. Model location
 * and performance settings are machine-scoped so that a workspace cannot point the extension at a
 * file or a thread count of its choosing.
 */
export const SETTINGS_SECTION = 'hearth';

export type CompletionModeSetting = 'auto' | 'single-line' | 'multi-line';
export type GpuSetting = 'auto' | 'off';

export interface HearthSettings {
	model: { path: string };
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
}

export const DEFAULT_SETTINGS: HearthSettings = {
	model: { path: '' },
	inlineCompletion: { enabled: true, maxTokens: 64, mode: 'auto', timeBudgetMs: 3000, debounceMinMs: 0, debounceMaxMs: 400, contextBudget: 1536, extraContext: true, prefetch: true },
	performance: { threads: 0, contextSize: 2048, gpu: 'auto' },
};

/** Settings whose change means the model must be loaded again. */
export function modelReloadNeeded(before: HearthSettings, after: HearthSettings): boolean {
	return (
		before.model.path !== after.model.path ||
		before.performance.threads !== after.performance.threads ||
		before.performance.contextSize !== after.performance.contextSize ||
		before.performance.gpu !== after.performance.gpu
	);
}
