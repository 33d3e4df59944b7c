/**
 * The small HTTP vocabulary of the OpenAI-compatible backends: the one fetch they all use, headers,
 * readable error texts and the hints that go with an HTTP status, shared by the connection checks,
 * the completion stream and the chat stream.
 */

import { ModelLoadError } from '../runtime/modelLoadError.js';

/**
 * fetch for the server the user named, and no other: a redirect is answered, never followed. Followed,
 * a 307 or 308 would send the request's body (the code around the cursor, the selection) to
 * wherever the Location header points.
 */
export async function serverFetch(url: string, init: RequestInit): Promise<Response> {
	const response = await fetch(url, { ...init, redirect: 'manual' });
	refuseRedirect(response, url);
	return response;
}

/** Throws a readable error for a redirect (3xx) answer. */
export function refuseRedirect(response: Response, url: string): void {
	if (response.status >= 300 && response.status < 400) {
		const location = response.headers.get('location') ?? '(no Location header)';
		void response.body?.cancel().catch(() => undefined);
		throw new ModelLoadError(
			'server-rejected',
			`${url} answered with a redirect (HTTP ${response.status} to ${location}), which Hearth does not follow: set the server URL to the address that answers.`,
		);
	}
}

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

/** How long the connection check waits for `/models`. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The connection check of a completion or chat server: its `/models` list (ids, and each one's
 * `owned_by`, which names the serving engine), or a ModelLoadError a user can act on.
 */
export async function listServerModels(
	baseUrl: string,
	apiKey: string | undefined,
	role: 'completion' | 'chat',
): Promise<{ ids: string[]; ownedBy: string[] }> {
	try {
		const response = await serverFetch(`${baseUrl}/models`, {
			headers: headersFor(apiKey),
			signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
		});
		if (!response.ok) {
			throw new ModelLoadError(
				'server-rejected',
				`${baseUrl}/models answered ${await describeHttpError(response)}${hintFor(response.status)}`,
			);
		}
		const body = (await response.json().catch(() => undefined)) as { data?: { id?: unknown; owned_by?: unknown }[] } | undefined;
		if (!body || !Array.isArray(body.data)) {
			throw new ModelLoadError(
				'server-rejected',
				`${baseUrl}/models did not answer with an OpenAI model list: is this an OpenAI-compatible server (the base URL usually ends in /v1)?`,
			);
		}
		return {
			ids: body.data.map((entry) => String(entry.id ?? '')).filter((id) => id !== ''),
			ownedBy: body.data.map((entry) => String(entry.owned_by ?? '')),
		};
	} catch (error) {
		if (error instanceof ModelLoadError) {
			throw error;
		}
		throw new ModelLoadError(
			'server-unreachable',
			`Cannot reach the ${role} server at ${baseUrl}: ${networkMessage(error)}. Is it running?`,
			{
				cause: error,
			},
		);
	}
}
