import { DEFAULT_SETTINGS, type HearthSettings } from './settings.js';

export interface ParsedSettings {
	settings: HearthSettings;
	/** One line per setting that was ignored, naming the key, the bad value and the value used. */
	problems: string[];
}

/**
 * Turns whatever `workspace/configuration` returned into typed settings. A bad value never stops
 * the server: it is replaced by the default and reported, so the user sees what to fix.
 */
export function parseSettings(raw: unknown): ParsedSettings {
	const problems: string[] = [];
	const root = asRecord(raw);
	const read = <T>(section: string, key: string, fallback: T, valid: (value: unknown) => value is T): T => {
		const value = asRecord(root[section])[key];
		if (value === undefined || value === null) {
			return fallback;
		}
		if (!valid(value)) {
			problems.push(
				`Setting hearth.${section}.${key} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(fallback)}.`,
			);
			return fallback;
		}
		return value;
	};
	const defaults = DEFAULT_SETTINGS;
	const settings: HearthSettings = {
		model: {
			path: read('model', 'path', defaults.model.path, isString).trim(),
			backend: read('model', 'backend', defaults.model.backend, oneOf(['local', 'server'] as const)),
			serverUrl: read('model', 'serverUrl', defaults.model.serverUrl, isHttpUrlOrEmpty).trim(),
			serverModel: read('model', 'serverModel', defaults.model.serverModel, isString).trim(),
		},
		inlineCompletion: {
			enabled: read('inlineCompletion', 'enabled', defaults.inlineCompletion.enabled, isBoolean),
			maxTokens: read('inlineCompletion', 'maxTokens', defaults.inlineCompletion.maxTokens, integerIn(1, 512)),
			mode: read('inlineCompletion', 'mode', defaults.inlineCompletion.mode, oneOf(['auto', 'single-line', 'multi-line'] as const)),
			timeBudgetMs: read('inlineCompletion', 'timeBudgetMs', defaults.inlineCompletion.timeBudgetMs, integerIn(100, 60_000)),
			debounceMinMs: read('inlineCompletion', 'debounceMinMs', defaults.inlineCompletion.debounceMinMs, integerIn(0, 2000)),
			debounceMaxMs: read('inlineCompletion', 'debounceMaxMs', defaults.inlineCompletion.debounceMaxMs, integerIn(0, 2000)),
			contextBudget: read('inlineCompletion', 'contextBudget', defaults.inlineCompletion.contextBudget, integerIn(128, 131_072)),
			extraContext: read('inlineCompletion', 'extraContext', defaults.inlineCompletion.extraContext, isBoolean),
			prefetch: read('inlineCompletion', 'prefetch', defaults.inlineCompletion.prefetch, isBoolean),
		},
		performance: {
			threads: read('performance', 'threads', defaults.performance.threads, integerIn(0, 256)),
			contextSize: read('performance', 'contextSize', defaults.performance.contextSize, integerIn(256, 131_072)),
			gpu: read('performance', 'gpu', defaults.performance.gpu, oneOf(['auto', 'off'] as const)),
		},
		actions: {
			maxTokens: read('actions', 'maxTokens', defaults.actions.maxTokens, integerIn(0, 16_384)),
		},
	};
	return { settings, problems };
}

function asRecord(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function isString(value: unknown): value is string {
	return typeof value === 'string';
}

function isHttpUrlOrEmpty(value: unknown): value is string {
	if (typeof value !== 'string') {
		return false;
	}
	if (value.trim() === '') {
		return true;
	}
	try {
		const url = new URL(value.trim());
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}

function isBoolean(value: unknown): value is boolean {
	return typeof value === 'boolean';
}

function integerIn(min: number, max: number) {
	return (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function oneOf<const T extends readonly string[]>(options: T) {
	return (value: unknown): value is T[number] => typeof value === 'string' && (options as readonly string[]).includes(value);
}
