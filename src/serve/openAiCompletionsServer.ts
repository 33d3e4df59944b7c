import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompletionBackend } from '../engine/runtime/completionBackend.js';

export interface CompletionsServerOptions {
	backend: CompletionBackend;
	/** The model id served and listed. */
	modelId: string;
	host?: string;
	port?: number;
	/** When set, requests must carry `Authorization: Bearer <apiKey>`. */
	apiKey?: string;
}

export interface RunningServer {
	/** e.g. http://127.0.0.1:PORT/v1 */
	url: string;
	close(): Promise<void>;
}

/**
 * Serves a completion backend over the OpenAI wire format (`GET /v1/models`, `POST /v1/completions`
 * with `suffix` for fill-in-the-middle, streamed as server-sent events or not): the shared-server
 * setup a team points its editors at, and a real server to test Hearth's own client against. A client
 * that goes away mid-stream aborts the generation.
 */
export async function startCompletionsServer(options: CompletionsServerOptions): Promise<RunningServer> {
	const server = http.createServer((request, response) => {
		handle(options, request, response).catch((error: unknown) => {
			if (!response.headersSent) {
				sendError(response, 500, `internal error: ${error instanceof Error ? error.message : String(error)}`, 'server_error');
			} else {
				response.destroy();
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
	const address = server.address() as AddressInfo;
	return {
		url: `http://${address.address}:${address.port}/v1`,
		close: () => {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

async function handle(options: CompletionsServerOptions, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
	const route = `${request.method} ${(request.url ?? '').split('?')[0]}`;
	if (options.apiKey !== undefined && request.headers.authorization !== `Bearer ${options.apiKey}`) {
		sendError(response, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
		return;
	}
	if (route === 'GET /v1/models') {
		sendJson(response, 200, { object: 'list', data: [{ id: options.modelId, object: 'model', created: 0, owned_by: 'hearth' }] });
		return;
	}
	if (route !== 'POST /v1/completions') {
		sendError(response, 404, `Unknown route ${route}`, 'invalid_request_error');
		return;
	}
	let body: { prompt?: unknown; suffix?: unknown; max_tokens?: unknown; stream?: unknown };
	try {
		body = JSON.parse(await readBody(request)) as typeof body;
	} catch {
		sendError(response, 400, 'The body is not valid JSON.', 'invalid_request_error');
		return;
	}
	if (typeof body.prompt !== 'string') {
		sendError(response, 400, '`prompt` must be a string.', 'invalid_request_error', null, 'prompt');
		return;
	}
	const maxTokens = typeof body.max_tokens === 'number' && body.max_tokens > 0 ? Math.min(Math.floor(body.max_tokens), 512) : 16;
	const abort = new AbortController();
	// The response's close (not the request's) is what says the client hung up mid-stream.
	response.on('close', () => abort.abort());
	const id = `cmpl-${Date.now().toString(36)}`;
	const created = Math.floor(Date.now() / 1000);
	const stream = body.stream === true;
	let sent = '';
	if (stream) {
		response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
	}
	const result = await options.backend.complete({
		prefix: body.prompt,
		suffix: typeof body.suffix === 'string' ? body.suffix : '',
		maxTokens,
		mode: 'multi-line',
		useCache: false,
		signal: abort.signal,
		onText: (text) => {
			// Post-processed text can shrink (a partial line held back): only growth is streamed.
			if (stream && text.startsWith(sent) && text.length > sent.length) {
				writeEvent(response, { id, object: 'text_completion', created, model: options.modelId, choices: [{ index: 0, text: text.slice(sent.length), finish_reason: null, logprobs: null }] });
				sent = text;
			}
		},
	});
	if (abort.signal.aborted) {
		return;
	}
	const finishReason = result.stopReason === 'max-tokens' ? 'length' : 'stop';
	const usage = { prompt_tokens: result.stats.promptTokens, completion_tokens: result.stats.generatedTokens, total_tokens: result.stats.promptTokens + result.stats.generatedTokens };
	if (!stream) {
		sendJson(response, 200, { id, object: 'text_completion', created, model: options.modelId, choices: [{ index: 0, text: result.text, finish_reason: finishReason, logprobs: null }], usage });
		return;
	}
	const rest = result.text.startsWith(sent) ? result.text.slice(sent.length) : '';
	writeEvent(response, { id, object: 'text_completion', created, model: options.modelId, choices: [{ index: 0, text: rest, finish_reason: finishReason, logprobs: null }], usage });
	response.end('data: [DONE]\n\n');
}

function writeEvent(response: http.ServerResponse, data: unknown): void {
	response.write(`data: ${JSON.stringify(data)}\n\n`);
}

function sendJson(response: http.ServerResponse, status: number, data: unknown): void {
	response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(data));
}

function sendError(response: http.ServerResponse, status: number, message: string, type: string, code: string | null = null, param: string | null = null): void {
	sendJson(response, status, { error: { message, type, param, code } });
}

const MAX_BODY_BYTES = 4 * 1024 ** 2;

function readBody(request: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new Error('body too large'));
				request.destroy();
				return;
			}
			chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}
