/** What the race keeps of one /infill answer. */
export interface InfillResponse {
	content: string;
	/** Prompt tokens the server computed (not taken from its cache) and the time it took. */
	promptN: number;
	promptMs: number;
	predictedN: number;
	predictedMs: number;
	/** Length of the whole prompt, and how many of its tokens the slot's cache supplied (timings.cache_n). */
	promptTokens: number | null;
	cachedTokens: number | null;
	/** 'limit', 'eos', 'word' or 'none', as the server reports why generation stopped. */
	stopType: string | null;
}

/** Reads llama-server's /infill JSON; throws on a shape the race cannot count, so no run reads as free. */
export function parseInfillResponse(json: unknown): InfillResponse {
	if (typeof json !== 'object' || json === null) {
		throw new Error('llama-server answered /infill with something other than a JSON object');
	}
	const body = json as Record<string, unknown>;
	if (typeof body.content !== 'string') {
		throw new Error('llama-server /infill answer has no "content" string');
	}
	const timings = body.timings;
	if (typeof timings !== 'object' || timings === null) {
		throw new Error('llama-server /infill answer has no "timings"');
	}
	const timing = (name: string): number => {
		const value = (timings as Record<string, unknown>)[name];
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			throw new Error(`llama-server /infill timings lack a number "${name}"`);
		}
		return value;
	};
	const optionalNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
	return {
		content: body.content,
		promptN: timing('prompt_n'),
		promptMs: timing('prompt_ms'),
		predictedN: timing('predicted_n'),
		predictedMs: timing('predicted_ms'),
		promptTokens: optionalNumber(body.tokens_evaluated),
		cachedTokens: optionalNumber((timings as Record<string, unknown>).cache_n),
		stopType: typeof body.stop_type === 'string' ? body.stop_type : null,
	};
}
