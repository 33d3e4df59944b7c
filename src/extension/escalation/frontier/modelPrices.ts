/** USD per million tokens, as a vendor's price list states them. */
export interface ModelPrice {
	inputPerMillion: number;
	outputPerMillion: number;
}

/** When the list below was checked against the vendors' pricing pages. Prices change: the user can override them in settings. */
export const PRICES_CHECKED = '2025-08';

/**
 * List prices of common frontier models (standard tier, no batch or cache discount, short-context
 * rates), keyed by model id prefix: 'gpt-4o' covers 'gpt-4o-2024-08-06', and the longest matching
 * prefix wins, so 'gpt-4o-mini' is not priced as 'gpt-4o'.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
	'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
	'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
	'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
	'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
	'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
	'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
	'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
	'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
	o1: { inputPerMillion: 15, outputPerMillion: 60 },
	o3: { inputPerMillion: 2, outputPerMillion: 8 },
	'o3-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
	'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
	'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75 },
	'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
	'claude-3-7-sonnet': { inputPerMillion: 3, outputPerMillion: 15 },
	'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4 },
	'gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10 },
	'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
};

/** The list price for `model`, if the list knows it. Provider prefixes ('openai/gpt-4o', as routers name models) are ignored. */
export function listPriceOf(model: string): { key: string; price: ModelPrice } | undefined {
	const id = model.trim().toLowerCase().replace(/^.*\//, '');
	let best: string | undefined;
	for (const key of Object.keys(MODEL_PRICES)) {
		// A prefix must end at a boundary: 'o3' prices 'o3-2025-04-16', not 'o3x'.
		const matches = id === key || id.startsWith(`${key}-`) || id.startsWith(`${key}:`) || id.startsWith(`${key}@`);
		if (matches && (best === undefined || key.length > best.length)) {
			best = key;
		}
	}
	return best === undefined ? undefined : { key: best, price: MODEL_PRICES[best]! };
}
