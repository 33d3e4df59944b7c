import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatEngine } from '../engine/chat/chatEngine.js';
import { silentLogger, type Logger } from '../engine/logger.js';
import type { CompletionBackend } from '../engine/runtime/completionBackend.js';
import { AdmissionGate } from './admissionGate.js';
import { serveChatCompletions } from './chatCompletionsRoute.js';
import { serveCompletions } from './completionsRoute.js';
import { unixSeconds, type Exchange, type GenerationReport } from './exchange.js';
import { OpenAiHttpError, sendError, sendJson } from './openAiErrors.js';
import { readJsonObject } from './requestBody.js';
import { messageOf } from '../shared/errorMessage.js';

export type { GenerationReport } from './exchange.js';

export interface OpenAiServerOptions {
	/** Fill-in-the-middle for POST /v1/completions (the local CompletionEngine, or any backend). */
	completions?: CompletionBackend;
	/** POST /v1/chat/completions. */
	chat?: ChatEngine;
	/** The id /v1/models lists and answers name. Requests may name any model: this server has one. */
	modelId: string;
	/** Default 127.0.0.1: serving beyond this machine is a choice to make explicitly (with an apiKey). */
	host?: string;
	/** Default 0: a free port, read back from `url`. */
	port?: number;
	/** When set, every request must carry `Authorization: Bearer <apiKey>`. */
	apiKey?: string;
	/** Requests that may wait behind the running one, per engine (default 4); beyond that: 429 with Retry-After. */
	maxQueuedRequests?: number;
	logger?: Logger;
	/** Called as each generation request ends, however it ended (client gone included). */
	onGenerationEnd?: (report: GenerationReport) => void;
}

export interface OpenAiServer {
	/** The base URL clients are given, e.g. http://127.0.0.1:PORT/v1 */
	url: string;
	/** Stops listening and drops open connections, which aborts their generations. The engines stay. */
	close(): Promise<void>;
}

export const DEFAULT_MAX_QUEUED_REQUESTS = 4;

/**
 * Serves Hearth's engines over the OpenAI wire format on node:http: GET /v1/models, POST
 * /v1/completions (fill-in-the-middle through `suffix`) and POST /v1/chat/completions, streamed as
 * server-sent events or not, errors in OpenAI's shape. It is what `npm run serve` runs (a team's shared
 * machine) and the real server Hearth's clients are tested against. A client that goes away mid-answer
 * aborts the generation behind it.
 */
export async function startOpenAiServer(options: OpenAiServerOptions): Promise<OpenAiServer> {
	const logger = options.logger ?? silentLogger;
	const maxQueued = Math.max(0, options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED_REQUESTS);
	const gates = { completions: new AdmissionGate(maxQueued), chat: new AdmissionGate(maxQueued) };
	const createdAt = unixSeconds();

	const route = async (exchange: Exchange): Promise<GenerationReport | undefined> => {
		const { request } = exchange;
		const path = (request.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
		const method = request.method ?? 'GET';
		if (path === '/v1/models' || path.startsWith('/v1/models/')) {
			requireMethod(method, 'GET');
			const model = { id: options.modelId, object: 'model', created: createdAt, owned_by: 'hearth' };
			if (path === '/v1/models') {
				sendJson(exchange.response, 200, { object: 'list', data: [model] });
			} else if (decodeURIComponent(path.slice('/v1/models/'.length)) === options.modelId) {
				sendJson(exchange.response, 200, model);
			} else {
				throw new OpenAiHttpError(
					404,
					`The model ${path.slice('/v1/models/'.length)} does not exist; this server has ${options.modelId}.`,
					'not_found_error',
					'model_not_found',
					'model',
				);
			}
			return undefined;
		}
		if (path === '/v1/completions' && options.completions) {
			requireMethod(method, 'POST');
			return serveCompletions(exchange, options.completions, gates.completions, await readJsonObject(request));
		}
		if (path === '/v1/chat/completions' && options.chat) {
			requireMethod(method, 'POST');
			return serveChatCompletions(exchange, options.chat, gates.chat, await readJsonObject(request));
		}
		throw new OpenAiHttpError(
			404,
			`Unknown route: ${method} ${path || '/'}. This server offers GET /v1/models${options.completions ? ', POST /v1/completions' : ''}${options.chat ? ', POST /v1/chat/completions' : ''}.`,
			'not_found_error',
			'unknown_route',
		);
	};

	const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
		const gone = new AbortController();
		// The response's close before it finished (not the request's end) is what says the client left.
		response.on('close', () => {
			if (!response.writableFinished) {
				gone.abort();
			}
		});
		const exchange: Exchange = { request, response, clientGone: gone.signal, modelId: options.modelId };
		try {
			if (options.apiKey !== undefined && !bearerMatches(request.headers.authorization, options.apiKey)) {
				throw new OpenAiHttpError(401, 'Incorrect API key provided.', 'authentication_error', 'invalid_api_key');
			}
			const report = await route(exchange);
			if (report) {
				logger.debug(
					`${report.route}: ${report.stopReason}, ${report.promptTokens} prompt and ${report.generatedTokens} generated tokens${report.clientDisconnected ? ', client disconnected' : ''}`,
				);
				options.onGenerationEnd?.(report);
			}
		} catch (error) {
			if (gone.signal.aborted) {
				return;
			}
			const httpError = error instanceof OpenAiHttpError ? error : undefined;
			if (!httpError) {
				logger.error(
					`${request.method} ${request.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
				);
			}
			if (response.headersSent) {
				response.destroy(); // a stream that cannot be finished must not look finished
				return;
			}
			request.resume(); // an unread body must not hold the connection
			sendError(response, httpError ?? new OpenAiHttpError(500, `Internal error: ${messageOf(error)}`, 'server_error'));
		}
	};

	const server = http.createServer({ noDelay: true }, (request, response) => void handle(request, response));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const address = server.address() as AddressInfo;
	const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
	return {
		url: `http://${host}:${address.port}/v1`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

function requireMethod(method: string, allowed: 'GET' | 'POST'): void {
	if (method !== allowed) {
		throw new OpenAiHttpError(405, `Use ${allowed} here.`, 'invalid_request_error', 'method_not_allowed', null, { Allow: allowed });
	}
}

/** Compared in constant time: a key that leaks its prefix through timing is a weaker key. */
function bearerMatches(header: string | undefined, apiKey: string): boolean {
	const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
	const wanted = Buffer.from(apiKey);
	return given.length === wanted.length && timingSafeEqual(given, wanted);
}
