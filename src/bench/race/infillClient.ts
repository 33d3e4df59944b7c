import { parseInfillResponse, type InfillResponse } from './infillResponse.js';

/** Sends one /infill body and waits for the whole answer, as llama.vscode does (no streaming, no abort). */
export type InfillClient = (body: Record<string, unknown>) => Promise<InfillResponse>;

export function httpInfillClient(baseUrl: string): InfillClient {
	return async (body) => {
		const response = await fetch(`${baseUrl}/infill`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) {
			throw new Error(`llama-server /infill: HTTP ${response.status} ${text.slice(0, 300)}`);
		}
		return parseInfillResponse(JSON.parse(text));
	};
}
