import { DEFAULT_SETTINGS, type HearthSettings } from '../../src/shared/settings.js';

/** Settings for tests: CPU only, a small context, and the given overrides merged in. */
export function testSettings(
	overrides: {
		model?: Partial<HearthSettings['model']>;
		chatModel?: Partial<HearthSettings['chatModel']>;
		inlineCompletion?: Partial<HearthSettings['inlineCompletion']>;
		performance?: Partial<HearthSettings['performance']>;
		actions?: Partial<HearthSettings['actions']>;
	} = {},
): HearthSettings {
	return {
		model: { ...DEFAULT_SETTINGS.model, ...overrides.model },
		chatModel: { ...DEFAULT_SETTINGS.chatModel, ...overrides.chatModel },
		// A generous time budget: a loaded CI machine must not turn into a different (truncated) result.
		// No debounce either, unless a test is about it: the tests time cancellations against the model.
		// No prefetch or extra context: their runs and prompt changes would surprise tests that count.
		// No confidence gate or unsure-token cut: random weights are never confident (both have tests of their own).
		inlineCompletion: {
			...DEFAULT_SETTINGS.inlineCompletion,
			timeBudgetMs: 60_000,
			debounceMinMs: 0,
			debounceMaxMs: 0,
			prefetch: false,
			extraContext: false,
			minConfidence: 0,
			minTokenConfidence: 0,
			...overrides.inlineCompletion,
		},
		performance: { ...DEFAULT_SETTINGS.performance, contextSize: 1024, gpu: 'off', ...overrides.performance },
		actions: { ...DEFAULT_SETTINGS.actions, ...overrides.actions },
	};
}
