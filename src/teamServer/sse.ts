import type { ServerResponse } from 'node:http';

/**
 * A `text/event-stream` answer in OpenAI's framing: `data: {json}\n\n` events, then `data: [DONE]\n\n`.
 * Writes after the client has gone are dropped (the generation is being aborted by then).
 */
export class SseStream {
	constructor(private readonly response: ServerResponse) {
		response.writeHead(200, {
			'Content-Type': 'text/event-stream; charset=utf-8',
			'Cache-Control': 'no-cache',
			Connection: 'keep-alive',
			// Proxies (nginx) would otherwise buffer the stream into one late answer.
			'X-Accel-Buffering': 'no',
		});
		response.flushHeaders();
	}

	get open(): boolean {
		return !this.response.destroyed && !this.response.writableEnded;
	}

	send(data: unknown): void {
		if (!this.open) {
			return;
		}
		this.response.write(`data: ${JSON.stringify(data)}\n\n`);
	}

	done(): void {
		if (this.open) {
			this.response.end('data: [DONE]\n\n');
		}
	}

	/** An error after the stream began: an event the OpenAI clients raise as an APIError, and no [DONE]. */
	fail(body: unknown): void {
		if (this.open) {
			this.response.end(`data: ${JSON.stringify(body)}\n\n`);
		}
	}
}
