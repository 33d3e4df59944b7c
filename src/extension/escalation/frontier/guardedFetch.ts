/**
 * The `fetch` the openai client is given for escalations: Node's fetch with redirects under Hearth's
 * control and response bodies under a size limit. Passed to the client itself, so that no request
 * it makes can follow a redirect on its own.
 *
 * Redirects: the preview names one endpoint, and the user's code goes there or nowhere. A redirect
 * to another origin (scheme, host or port) is refused before anything is sent to it, whatever its
 * status; so is a 301/302/303 on the same origin, which fetch would follow as a GET without the
 * request, and would take the answer of whatever page is there for the API's. Only a 307/308 on
 * the same origin, which resends the same method and body to the same server, is followed.
 *
 * Bodies: at most `maxBodyBytes` are read. A body that is not an event stream (the server ignored
 * `stream: true` and sent one JSON answer, or sent a web page) is read whole, each arrival counting
 * as progress, and a JSON chat completion is handed on as the one event of a stream.
 */

/** Redirects followed in a row (307/308 on the same origin) before giving up. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A redirect that was not followed; nothing was sent to `to`. */
export class RedirectRefusedError extends Error {
	override readonly name = 'RedirectRefusedError';

	constructor(
		readonly status: number,
		readonly from: URL,
		/** Undefined when the Location header is not a URL. */
		readonly to: URL | undefined,
		readonly why: 'other-origin' | 'method-change' | 'too-many' | 'bad-location',
	) {
		super(`A redirect (${status}) was refused: ${why}`);
	}
}

/** A response body larger than allowed; reading stopped there. */
export class AnswerTooLargeError extends Error {
	override readonly name = 'AnswerTooLargeError';

	constructor(
		readonly unit: 'characters' | 'bytes',
		readonly limit: number,
	) {
		super(`The answer passed ${limit} ${unit}`);
	}
}

export interface GuardedFetchOptions {
	/** The only origin requests may go to: the base URL's. */
	origin: string;
	maxBodyBytes: number;
	/** Called as bytes of a body that is not an event stream arrive: a non-streamed answer is progress while it arrives. */
	onBodyBytes?: () => void;
	/** The fetch underneath (Node's). */
	fetch?: typeof globalThis.fetch;
}

export function guardedFetch(options: GuardedFetchOptions): typeof globalThis.fetch {
	const underlying = options.fetch ?? globalThis.fetch;
	return async (input, init) => {
		let url = new URL(input instanceof Request ? input.url : String(input));
		if (url.origin !== options.origin) {
			throw new RedirectRefusedError(0, new URL(options.origin), url, 'other-origin');
		}
		for (let redirects = 0; ; redirects++) {
			// `redirect` last: nothing the client passes can turn following back on.
			const response = await underlying(url, { ...init, redirect: 'manual' });
			const location = response.headers.get('location');
			if (!REDIRECT_STATUSES.has(response.status) || location === null) {
				return guardedResponse(response, options);
			}
			await response.body?.cancel().catch(() => undefined);
			let target: URL | undefined;
			try {
				target = new URL(location, url);
			} catch {
				throw new RedirectRefusedError(response.status, url, undefined, 'bad-location');
			}
			if (target.origin !== options.origin) {
				throw new RedirectRefusedError(response.status, url, target, 'other-origin');
			}
			if (response.status !== 307 && response.status !== 308) {
				throw new RedirectRefusedError(response.status, url, target, 'method-change');
			}
			if (redirects >= MAX_REDIRECTS || (init?.body !== undefined && init.body !== null && typeof init.body !== 'string')) {
				// A body that was a stream cannot be sent again.
				throw new RedirectRefusedError(response.status, url, target, 'too-many');
			}
			url = target;
		}
	};
}

function guardedResponse(response: Response, options: GuardedFetchOptions): Response {
	if (response.body === null || response.status === 204 || response.status === 205 || response.status === 304) {
		return response;
	}
	const contentType = response.headers.get('content-type') ?? '';
	const mode = !response.ok || /event-stream/i.test(contentType) ? 'stream' : /json/i.test(contentType) ? 'whole' : 'sniff';
	const body = limitedBody(response.body, mode, options);
	return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The body passed on as it arrives (`stream`), or read to the end first (`whole`), or, for a body
 * whose type says neither (`sniff`), read whole when it starts like JSON or a web page (`{`, `[`, `<`)
 * and passed on otherwise (an event stream with the wrong type).
 */
function limitedBody(
	source: ReadableStream<Uint8Array>,
	initialMode: 'stream' | 'whole' | 'sniff',
	options: GuardedFetchOptions,
): ReadableStream<Uint8Array> {
	const reader = source.getReader();
	let mode = initialMode;
	let received = 0;
	const held: Uint8Array[] = [];
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) {
					if (mode !== 'stream') {
						controller.enqueue(asEventStream(Buffer.concat(held)));
					}
					controller.close();
					return;
				}
				received += value.byteLength;
				if (received > options.maxBodyBytes) {
					void reader.cancel().catch(() => undefined);
					throw new AnswerTooLargeError('bytes', options.maxBodyBytes);
				}
				if (mode === 'stream') {
					controller.enqueue(value);
					return;
				}
				options.onBodyBytes?.();
				held.push(value);
				if (mode === 'sniff') {
					const first = Buffer.concat(held).toString('latin1').trimStart()[0];
					if (first !== undefined) {
						mode = first === '{' || first === '[' || first === '<' ? 'whole' : 'stream';
						if (mode === 'stream') {
							controller.enqueue(Buffer.concat(held.splice(0)));
							return;
						}
					}
				}
			}
		},
		cancel(reason) {
			return reader.cancel(reason);
		},
	});
}

/**
 * A whole body as an event stream: a JSON chat completion becomes one chunk holding its message,
 * finish reason and usage, then `[DONE]`; anything else is passed on unchanged (and, holding no
 * events, is reported as not being a stream).
 */
function asEventStream(body: Buffer): Uint8Array {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body.toString('utf8'));
	} catch {
		return body;
	}
	const completion = parsed as { id?: unknown; model?: unknown; created?: unknown; choices?: unknown; usage?: unknown };
	const choice = Array.isArray(completion?.choices)
		? (completion.choices[0] as { message?: { content?: unknown; refusal?: unknown }; finish_reason?: unknown } | undefined)
		: undefined;
	const message = choice?.message;
	if (typeof message !== 'object' || message === null) {
		return body;
	}
	const content = typeof message.content === 'string' ? message.content : typeof message.refusal === 'string' ? message.refusal : '';
	const chunk = {
		id: completion.id,
		object: 'chat.completion.chunk',
		created: completion.created,
		model: completion.model,
		choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: choice?.finish_reason ?? 'stop' }],
		...(completion.usage ? { usage: completion.usage } : {}),
	};
	return Buffer.from(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`, 'utf8');
}
