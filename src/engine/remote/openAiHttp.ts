/**
 * The small HTTP vocabulary of the OpenAI-compatible backend: headers, readable error texts and the
 * hints that go with an HTTP status, shared by the connection check and the completion stream.
 */

export function headersFor(apiKey: string | undefined): Record<string, string> {
	return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

export async function describeHttpError(response: Response): Promise<string> {
	const body = await response.text().catch(() => '');
	let detail = body.trim().slice(0, 200);
	try {
		const parsed = JSON.parse(body) as { error?: { message?: string } | string };
		detail = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? detail);
	} catch {
		// not JSON: the raw text is the best detail there is
	}
	return `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
}

export function hintFor(status: number): string {
	switch (status) {
		case 401:
		case 403:
			return ' (set or check the API key: Hearth: Choose Model → Use an OpenAI-compatible server…)';
		case 404:
			return ' (is the base URL right? It usually ends in /v1)';
		case 429:
			return ' (the server is busy; try again shortly)';
		default:
			return '';
	}
}

export function networkMessage(error: unknown): string {
	if (error instanceof Error) {
		const cause = (error as { cause?: { code?: string; message?: string } }).cause;
		if (error.name === 'TimeoutError') {
			return 'no answer in time';
		}
		return cause?.code ?? cause?.message ?? error.message;
	}
	return String(error);
}
