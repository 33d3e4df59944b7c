import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverSentEventData } from '../../src/engine/remote/serverSentEvents.js';
import { OpenAiHttpError, sendError, tooManyRequests } from '../../src/teamServer/openAiErrors.js';
import type { RecordedRequest } from './hostileServers.js';

/**
 * A misbehaving front for the team server (src/teamServer): a real HTTP proxy on 127.0.0.1 that
 * forwards every request to the real server and, when told, answers 429 or 500 itself, cuts a JSON
 * answer short, breaks a stream's first event, closes or stalls a stream half way, or waits before
 * the first byte. Clients (Hearth's remote backend, the frontier client, the official openai package)
 * are given the proxy's URL, so that each fault reaches them over real HTTP, on top of a real answer
 * from a real model. A client that leaves, or a stream the proxy cuts, closes the proxy's connection
 * to the server, which aborts the generation behind it as it would for the client itself.
 */

/** Misbehaviour to show, until replaced (`failNext` and `malformedJsonNext` are used up as requests take them). */
export interface ServerFaults {
	/** The next `count` requests, any route, are answered with `status` and an OpenAI error body (429: with Retry-After). */
	failNext?: { status: number; count: number };
	/**
	 * Every streamed answer is cut (the connection destroyed, no `[DONE]`) after this many `data:`
	 * events. The generation behind it is aborted as for a client that left.
	 */
	closeMidStreamAfterChunks?: number;
	/**
	 * Every streamed answer stops after this many `data:` events but keeps the connection open (a
	 * stalled upstream): for testing a client's idle timeout. The generation behind it runs on unseen
	 * and stops when the client leaves.
	 */
	stallMidStreamAfterChunks?: number;
	/** The next successful answer, any route, is not valid JSON: a cut-off body, or (streamed) a first event that is not JSON. */
	malformedJsonNext?: boolean;
	/** Every request waits this long before it is answered or forwarded. */
	delayFirstByteMs?: number;
}

/** A request that reached the proxy, and the status the team server answered it with. */
export interface ProxiedRequest extends RecordedRequest {
	/** The team server's status; undefined while it has not answered, or when the proxy answered alone (a fault, a client gone). */
	status?: number;
	/** What the proxy did wrong to this request, e.g. "answered 429": a test can check that a fault met its client. */
	readonly injected: string[];
}

/** What one streamed answer is to do wrong. */
interface StreamFaults {
	malformedFirstEvent: boolean;
	closeAfterEvents?: number;
	stallAfterEvents?: number;
}

/** Headers about one connection or one body's framing: the proxy sets them afresh for each side. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export class TeamServerFaultProxy {
	/** Every request received in full, oldest first. */
	readonly requests: ProxiedRequest[] = [];
	private faults: ServerFaults = {};

	private constructor(
		private readonly server: http.Server,
		private readonly upstream: URL,
	) {}

	/**
	 * Listens on 127.0.0.1 (`port`, default a free one) in front of the team server at `upstreamUrl`
	 * (its base URL, e.g. http://127.0.0.1:PORT/v1), behaving well until `setFaults`.
	 */
	static async start(upstreamUrl: string, port = 0): Promise<TeamServerFaultProxy> {
		const server = http.createServer({ noDelay: true });
		const proxy = new TeamServerFaultProxy(server, new URL(upstreamUrl));
		server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
			// A client that leaves while its body is being read: nothing to answer.
			proxy.handle(request, response).catch(() => response.destroy());
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		return proxy;
	}

	/** The base URL clients are given, e.g. http://127.0.0.1:PORT/v1 */
	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.upstream.pathname}`;
	}

	/** Replaces the faults (copied: counting down `failNext` does not change the caller's object). */
	setFaults(faults: ServerFaults): void {
		this.faults = { ...faults, failNext: faults.failNext && { ...faults.failNext } };
	}

	/** Stops listening and drops open connections, which closes the ones to the team server too. */
	close(): Promise<void> {
		return new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
		const gone = new AbortController();
		response.on('close', () => {
			if (!response.writableFinished) {
				gone.abort();
			}
		});
		const chunks: Buffer[] = [];
		for await (const chunk of request as AsyncIterable<Buffer>) {
			chunks.push(chunk);
		}
		const body = Buffer.concat(chunks);
		const recorded: ProxiedRequest = {
			method: request.method ?? 'GET',
			path: (request.url ?? '/').split('?')[0]!,
			headers: request.headers,
			body: body.toString('utf8'),
			injected: [],
		};
		this.requests.push(recorded);
		const delay = Math.max(0, this.faults.delayFirstByteMs ?? 0);
		if (delay > 0) {
			recorded.injected.push(`delayed ${delay} ms`);
			if (!(await sleep(delay, true, { signal: gone.signal }).catch(() => false))) {
				return;
			}
		}
		const failure = this.takeFailure();
		if (failure !== undefined) {
			recorded.injected.push(`answered ${failure}`);
			sendError(response, injectedError(failure));
			return;
		}
		const forwarded = http.request({
			host: this.upstream.hostname,
			port: this.upstream.port,
			method: request.method,
			path: request.url,
			headers: { ...forwardable(request.headers), host: this.upstream.host, 'content-length': String(body.length) },
			agent: false,
		});
		forwarded.setNoDelay(true);
		gone.signal.addEventListener('abort', () => forwarded.destroy(), { once: true });
		forwarded.on('error', () => {
			if (!response.headersSent) {
				sendError(response, new OpenAiHttpError(502, 'The team server could not be reached.', 'server_error'));
			} else {
				response.destroy();
			}
		});
		forwarded.on('response', (answer) => {
			recorded.status = answer.statusCode;
			this.relay(answer, response, recorded.injected);
		});
		forwarded.end(body);
	}

	private relay(answer: http.IncomingMessage, response: http.ServerResponse, injected: string[]): void {
		const status = answer.statusCode ?? 502;
		const headers = forwardable(answer.headers);
		const streamed = String(answer.headers['content-type']).startsWith('text/event-stream');
		if (status === 200 && streamed) {
			response.writeHead(status, headers);
			response.flushHeaders();
			const faults = this.takeStreamFaults();
			relayEvents(answer, response, faults, injected).catch(() => response.destroy());
			return;
		}
		if (status === 200 && this.takeMalformedJson()) {
			injected.push('cut the JSON answer short');
			const chunks: Buffer[] = [];
			answer.on('data', (chunk: Buffer) => chunks.push(chunk));
			answer.on('error', () => response.destroy());
			answer.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				// Cut in the middle, as a proxy that dropped the connection would leave it.
				const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
				response.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(cut)) });
				response.end(cut);
			});
			return;
		}
		const length = answer.headers['content-length'];
		response.writeHead(status, length === undefined ? headers : { ...headers, 'content-length': length });
		answer.pipe(response);
	}

	/** The status to fail this request with, if a `failNext` count is left. */
	private takeFailure(): number | undefined {
		const failNext = this.faults.failNext;
		if (!failNext || failNext.count <= 0) {
			return undefined;
		}
		failNext.count--;
		return failNext.status;
	}

	private takeMalformedJson(): boolean {
		const malformed = this.faults.malformedJsonNext === true;
		this.faults.malformedJsonNext = false;
		return malformed;
	}

	private takeStreamFaults(): StreamFaults {
		return {
			malformedFirstEvent: this.takeMalformedJson(),
			closeAfterEvents: this.faults.closeMidStreamAfterChunks,
			stallAfterEvents: this.faults.stallMidStreamAfterChunks,
		};
	}
}

/**
 * Forwards a server-sent event stream event by event, doing what `faults` asks. A stalled stream's
 * events are still read (and dropped), as a client that waits would leave the server generating.
 */
async function relayEvents(
	answer: http.IncomingMessage,
	response: http.ServerResponse,
	faults: StreamFaults,
	injected: string[],
): Promise<void> {
	let events = 0;
	/** Nothing more is written: the connection was cut, or stays open with nothing on it (stalled). */
	let silent = false;
	const open = () => !silent && !response.destroyed && !response.writableEnded;
	for await (const data of serverSentEventData(Readable.toWeb(answer) as ReadableStream<Uint8Array>)) {
		if (!open()) {
			continue;
		}
		if (data === '[DONE]') {
			response.write('data: [DONE]\n\n');
			continue;
		}
		if (faults.malformedFirstEvent && events === 0) {
			injected.push('sent a first event that is not JSON');
			response.write('data: {"id": "cut off\n\n');
		} else {
			response.write(`data: ${data}\n\n`);
		}
		events++;
		if (faults.closeAfterEvents !== undefined && events >= faults.closeAfterEvents) {
			injected.push(`closed the stream after ${events} events`);
			// After the events already written have gone out, as a server that died mid-answer would leave it.
			silent = true;
			response.socket?.destroySoon();
		} else if (faults.stallAfterEvents !== undefined && events >= faults.stallAfterEvents) {
			injected.push(`stalled the stream after ${events} events`);
			silent = true;
		}
	}
	if (open()) {
		response.end();
	}
}

/** An injected failure in OpenAI's error shape, as the team server would send it. */
function injectedError(status: number): OpenAiHttpError {
	const message = `Injected failure (HTTP ${status}).`;
	switch (status) {
		case 401:
			return new OpenAiHttpError(401, message, 'authentication_error', 'invalid_api_key');
		case 429:
			return tooManyRequests(message);
		default:
			return new OpenAiHttpError(status, message, status >= 500 ? 'server_error' : 'invalid_request_error');
	}
}

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
	return Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_FORWARDED.has(name)));
}
