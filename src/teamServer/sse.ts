import type { ServerResponse } from 'node:http';
import type { StreamFaults } from './serverFaults.js';

/**
 * A `text/event-stream` answer in OpenAI's framing: `data: {json}\n\n` events, then `data: [DONE]\n\n`.
 * Writes after the client has gone are dropped (the generation is being aborted by then).
 */
export class SseStream {
	private events = 0;
	private cut = false;
	/** Nothing more is written, yet the connection stays open (the stall fault). */
	private stalled = false;

	constructor(
		private readonly response: ServerResponse,
		private readonly faults: StreamFaults = { malformedFirstEvent: false },
	) {
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
		return !this.cut && !this.stalled && !this.response.destroyed && !this.response.writableEnded;
	}

	send(data: unknown): void {
		if (!this.open) {
			return;
		}
		const json = this.faults.malformedFirstEvent && this.events === 0 ? '{"id": "cut off' : JSON.stringify(data);
		this.response.write(`data: ${json}\n\n`);
		this.events++;
		if (this.faults.closeAfterEvents !== undefined && this.events >= this.faults.closeAfterEvents) {
			// After the events already written have gone out, as a server that died mid-answer would leave it.
			this.cut = true;
			this.response.socket?.destroySoon();
		}
		if (this.faults.stallAfterEvents !== undefined && this.events >= this.faults.stallAfterEvents) {
			this.stalled = true;
		}
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
