import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Real HTTP servers on 127.0.0.x that behave as a hostile or broken "OpenAI-compatible" endpoint
 * might: redirecting the request elsewhere, flooding the answer, keeping a stream open with chunks
 * that carry nothing, streaming for ever, answering without streaming, slowly. Each server records
 * every TCP connection and byte it receives, so a test can say that nothing reached it.
 * Used by the frontier client's tests and the fault matrix.
 */

export interface RecordedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** Answers one request; `response` is a plain node:http response. */
export type HostileHandler = (request: RecordedRequest, response: http.ServerResponse) => void | Promise<void>;

export class HostileServer {
	/** Requests received in full (body included). */
	readonly requests: RecordedRequest[] = [];
	/** TCP connections accepted. */
	connections = 0;
	/** Bytes received over all connections: 0 means nothing of any request arrived. */
	bytesReceived = 0;
	/** Responses the client closed before the server had ended them. */
	responsesLeftEarly = 0;

	private constructor(
		private readonly server: http.Server,
		/** Replaceable between requests. */
		public handler: HostileHandler,
	) {}

	/** Listens on `host` (any 127.0.0.x: each is another origin) and a free port. */
	static async start(handler: HostileHandler, host = '127.0.0.1'): Promise<HostileServer> {
		const server = http.createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const recorded: RecordedRequest = {
					method: request.method ?? '',
					path: request.url ?? '',
					headers: request.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				};
				self.requests.push(recorded);
				response.on('close', () => {
					if (!response.writableFinished) {
						self.responsesLeftEarly++;
					}
				});
				void Promise.resolve(self.handler(recorded, response)).catch(() => response.destroy());
			});
		});
		server.on('connection', (socket) => {
			self.connections++;
			socket.on('data', (data: Buffer) => (self.bytesReceived += data.length));
		});
		const self = new HostileServer(server, handler);
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, host, resolve);
		});
		return self;
	}

	/** e.g. 127.0.0.2:40123, as error messages name it. */
	get host(): string {
		const address = this.server.address() as AddressInfo;
		return `${address.address}:${address.port}`;
	}

	get origin(): string {
		return `http://${this.host}`;
	}

	/** The base URL a client is given: the origin and /v1. */
	get baseUrl(): string {
		return `${this.origin}/v1`;
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

/** A chat completion chunk, as OpenAI streams them. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
	return {
		id: 'chatcmpl-hostile',
		object: 'chat.completion.chunk',
		created: 1_700_000_000,
		model: 'hostile',
		choices: [{ index: 0, delta, finish_reason: finishReason }],
	};
}

function startEventStream(response: http.ServerResponse): void {
	response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
}

function event(data: unknown): string {
	return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Writes `text`, waiting while the client reads slowly; false once the client has left. */
async function write(response: http.ServerResponse, text: string | Uint8Array): Promise<boolean> {
	if (response.destroyed) {
		return false;
	}
	if (!response.write(text)) {
		await new Promise<void>((resolve) => {
			const done = () => {
				response.off('drain', done);
				response.off('close', done);
				resolve();
			};
			response.on('drain', done);
			response.on('close', done);
		});
	}
	return !response.destroyed;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A well-behaved streamed answer: `text` in small chunks, finish_reason stop, usage, [DONE]. */
export function streamedAnswer(text: string, chunkChars = 8): HostileHandler {
	return async (_request, response) => {
		startEventStream(response);
		await write(response, event(chunk({ role: 'assistant', content: '' })));
		for (let at = 0; at < text.length; at += chunkChars) {
			await write(response, event(chunk({ content: text.slice(at, at + chunkChars) })));
		}
		await write(response, event(chunk({}, 'stop')));
		await write(
			response,
			event({
				...chunk({}),
				choices: [],
				usage: { prompt_tokens: 10, completion_tokens: Math.ceil(text.length / 4), total_tokens: 10 + Math.ceil(text.length / 4) },
			}),
		);
		response.end(event('[DONE]'));
	};
}

/** Answers `status` with a Location header (relative or absolute) and a small body. */
export function redirect(status: number, location: string): HostileHandler {
	return (_request, response) => {
		response.writeHead(status, { Location: location, 'Content-Type': 'text/plain' }).end(`Moved to ${location}`);
	};
}

/**
 * One chunk of text, then every `beatMs` a chunk that carries nothing (`keepAlive`, by default an
 * empty delta), `maxBeats` times, then the connection is closed without a finish reason.
 */
export function keepAliveForever(options: { text: string; beatMs: number; maxBeats: number; keepAlive?: unknown }): HostileHandler {
	return async (_request, response) => {
		startEventStream(response);
		await write(response, event(chunk({ role: 'assistant', content: options.text })));
		for (let beat = 0; beat < options.maxBeats; beat++) {
			await pause(options.beatMs);
			if (!(await write(response, event(options.keepAlive ?? chunk({}))))) {
				return;
			}
		}
		response.destroy();
	};
}

/** Real text, `text` every `everyMs`, `chunks` times, then a proper end: a server that answers, only for too long. */
export function steadyStream(options: { text: string; everyMs: number; chunks: number }): HostileHandler {
	return async (_request, response) => {
		startEventStream(response);
		for (let sent = 0; sent < options.chunks; sent++) {
			if (!(await write(response, event(chunk({ content: options.text }))))) {
				return;
			}
			await pause(options.everyMs);
		}
		await write(response, event(chunk({}, 'stop')));
		response.end(event('[DONE]'));
	};
}

/** `totalChars` of answer text in chunks of `chunkChars`, as fast as the client reads, then a proper end. */
export function flood(options: { totalChars: number; chunkChars: number }): HostileHandler {
	return async (_request, response) => {
		startEventStream(response);
		const piece = event(chunk({ content: 'x'.repeat(options.chunkChars) }));
		for (let sent = 0; sent < options.totalChars; sent += options.chunkChars) {
			if (!(await write(response, piece))) {
				return;
			}
		}
		await write(response, event(chunk({}, 'stop')));
		response.end(event('[DONE]'));
	};
}

/** An event stream whose first event never ends: `bytes` of one line, no newline, then the end. */
export function endlessLine(options: { bytes: number }): HostileHandler {
	return async (_request, response) => {
		startEventStream(response);
		if (!(await write(response, 'data: {"choices":[{"index":0,"delta":{"content":"'))) {
			return;
		}
		const block = 'y'.repeat(64 * 1024);
		for (let sent = 0; sent < options.bytes; sent += block.length) {
			if (!(await write(response, block))) {
				return;
			}
		}
		response.end();
	};
}

/**
 * A body that is not a stream (the server ignored `stream: true`): `body` sent in `pieces` parts
 * `pieceEveryMs` apart, with `contentType`.
 */
export function slowBody(options: { body: string; contentType: string; pieces: number; pieceEveryMs: number }): HostileHandler {
	return async (_request, response) => {
		const bytes = Buffer.from(options.body, 'utf8');
		response.writeHead(200, { 'Content-Type': options.contentType, 'Content-Length': String(bytes.length) });
		const size = Math.ceil(bytes.length / options.pieces);
		for (let at = 0; at < bytes.length; at += size) {
			if (at > 0) {
				await pause(options.pieceEveryMs);
			}
			if (!(await write(response, bytes.subarray(at, at + size)))) {
				return;
			}
		}
		response.end();
	};
}

/** A non-streamed chat completion, as a server that ignores `stream: true` sends it. */
export function chatCompletionJson(content: string, padding = ''): string {
	return JSON.stringify({
		id: 'chatcmpl-hostile',
		object: 'chat.completion',
		created: 1_700_000_000,
		model: 'hostile',
		...(padding ? { system_fingerprint: padding } : {}),
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
	});
}

/** Always the same error status, with Retry-After (seconds) when given. */
export function failWith(status: number, retryAfterSeconds?: number): HostileHandler {
	return (_request, response) => {
		response.writeHead(status, {
			'Content-Type': 'application/json',
			...(retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {}),
		});
		response.end(JSON.stringify({ error: { message: `hostile ${status}`, type: 'hostile', code: null } }));
	};
}
