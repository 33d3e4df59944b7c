import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP file server on 127.0.0.1 for download tests, with range requests (what the downloader
 * resumes with) and the ways real servers fail: a file cut short, a connection dropped half way, a
 * missing file, a slow line. It can also answer like Hugging Face's `resolve` endpoint: a redirect to
 * another path (the CDN) that carries extra headers (X-Linked-ETag, X-Linked-Size) the CDN lacks.
 */
export interface ServedFile {
	body: Buffer;
	/** Drop the connection after this many bytes, for the first `times` requests (default 1). */
	dropAfterBytes?: number;
	times?: number;
	/** Bytes per 10 ms tick, to make a download take a while. */
	bytesPerTick?: number;
	/** Extra response headers, on every answer for this path. */
	headers?: Record<string, string>;
	/** Answer 302 with this as the Location (a path of this server, or a URL), instead of the body. */
	redirectTo?: string;
}

export class ModelFileServer {
	readonly requests: { path: string; range: string | undefined; method: string }[] = [];
	private readonly drops = new Map<string, number>();

	private constructor(
		private readonly server: http.Server,
		private readonly files: Map<string, ServedFile>,
	) {}

	static async start(files: Record<string, ServedFile>): Promise<ModelFileServer> {
		const map = new Map(Object.entries(files));
		const server = http.createServer((request, response) => self.handle(request, response));
		const self = new ModelFileServer(server, map);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return self;
	}

	url(file: string): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/${file}`;
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((resolve) => this.server.close(() => resolve()));
	}

	private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
		const name = decodeURIComponent((request.url ?? '/').slice(1).split('?')[0]!);
		this.requests.push({ path: name, range: request.headers.range, method: request.method ?? 'GET' });
		const file = this.files.get(name);
		if (!file) {
			response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
			return;
		}
		if (file.redirectTo !== undefined) {
			response
				.writeHead(302, {
					...file.headers,
					Location: /^https?:/.test(file.redirectTo) ? file.redirectTo : `/${file.redirectTo}`,
					'Content-Length': '0',
				})
				.end();
			return;
		}
		const total = file.body.length;
		const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
		const start = range ? Number(range[1]) : 0;
		const end = range && range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
		const slice = file.body.subarray(start, end + 1);
		response.writeHead(range ? 206 : 200, {
			...file.headers,
			'Content-Type': 'application/octet-stream',
			'Content-Length': String(slice.length),
			'Accept-Ranges': 'bytes',
			...(range ? { 'Content-Range': `bytes ${start}-${end}/${total}` } : {}),
		});
		if (request.method === 'HEAD') {
			response.end();
			return;
		}
		const dropped = this.drops.get(name) ?? 0;
		const dropAt =
			file.dropAfterBytes !== undefined && dropped < (file.times ?? 1) ? Math.max(0, file.dropAfterBytes - start) : undefined;
		const perTick = file.bytesPerTick ?? 1024 ** 2;
		let offset = 0;
		const timer = setInterval(() => {
			if (dropAt !== undefined && offset >= dropAt) {
				clearInterval(timer);
				this.drops.set(name, dropped + 1);
				response.destroy();
				return;
			}
			if (offset >= slice.length) {
				clearInterval(timer);
				response.end();
				return;
			}
			const next = Math.min(slice.length, offset + perTick, dropAt ?? Infinity);
			response.write(slice.subarray(offset, next));
			offset = next;
		}, 10);
		response.on('close', () => clearInterval(timer));
	}
}
