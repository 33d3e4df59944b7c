/**
 * The checksum a file server publishes for a download, so a download is verified even when the
 * catalog names no SHA-256. Hugging Face answers a `resolve` request for a large (LFS) file with a
 * redirect to its CDN that carries the file's SHA-256 in `X-Linked-ETag` (quoted) and its size in
 * `X-Linked-Size`; the CDN's own response does not have them. node-llama-cpp's downloader follows
 * that redirect without showing the first response, so this module asks for the headers itself:
 * a HEAD request that does not follow redirects to another host. The headers come from the host the
 * address names (huggingface.co over HTTPS), and the bytes, wherever they are served from, must
 * match them.
 */

import { messageOf } from '../../shared/errorMessage.js';

export interface PublishedChecksum {
	/** Lower-case hex, when the server published a SHA-256. */
	sha256?: string;
	sizeBytes?: number;
	/** Why there is no SHA-256, for the log, when there is none. */
	missingBecause?: string;
}

const HUGGING_FACE = 'https://huggingface.co';
/** Redirects within the same host (a renamed repository) that are followed before giving up. */
const MAX_SAME_HOST_REDIRECTS = 5;
const PROBE_TIMEOUT_MS = 30_000;

/**
 * The http(s) address a model URI downloads from: `hf:<user>/<repo>/<path>[#<branch>]` becomes the
 * Hugging Face `resolve` URL; an http(s) URL stays as it is. Undefined for other `hf:` forms (a
 * repository with a quantization tag), which node-llama-cpp resolves through the Hub's API.
 */
export function downloadUrlOf(uri: string): string | undefined {
	if (/^https?:\/\//.test(uri)) {
		return uri;
	}
	const match = /^hf:([^/#:]+)\/([^/#:]+)\/([^#]+\.gguf)(?:#(.+))?$/.exec(uri);
	if (!match) {
		return undefined;
	}
	const [, user, repo, file, branch] = match as unknown as [string, string, string, string, string | undefined];
	const encodedPath = file.split('/').map(encodeURIComponent).join('/');
	return `${HUGGING_FACE}/${encodeURIComponent(user)}/${encodeURIComponent(repo)}/resolve/${encodeURIComponent(branch ?? 'main')}/${encodedPath}`;
}

/**
 * Asks `url` for its published SHA-256 and size (HEAD, redirects to other hosts not followed).
 * Never throws for what the server answers or for a network failure: a file it cannot check is
 * said to be unverified, and the download itself reports an unreachable server.
 */
export async function fetchPublishedChecksum(url: string, signal?: AbortSignal): Promise<PublishedChecksum> {
	let current = url;
	try {
		for (let hop = 0; hop <= MAX_SAME_HOST_REDIRECTS; hop++) {
			const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
			const response = await fetch(current, { method: 'HEAD', redirect: 'manual', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
			const published = fromHeaders(response.headers);
			if (published.sha256 !== undefined) {
				return published;
			}
			const location = response.headers.get('location');
			if (response.status >= 300 && response.status < 400 && location) {
				const next = new URL(location, current);
				if (next.origin !== new URL(current).origin) {
					return { ...published, missingBecause: published.missingBecause ?? `the server redirected to ${next.origin} without an X-Linked-ETag header` };
				}
				current = next.href;
				continue;
			}
			return { ...published, missingBecause: published.missingBecause ?? `the server sent no X-Linked-ETag header (HTTP ${response.status})` };
		}
		return { missingBecause: `more than ${MAX_SAME_HOST_REDIRECTS} redirects` };
	} catch (error) {
		if (signal?.aborted) {
			throw error;
		}
		return { missingBecause: `asking the server for it failed (${messageOf(error)})` };
	}
}

function fromHeaders(headers: Headers): PublishedChecksum {
	const size = Number(headers.get('x-linked-size') ?? Number.NaN);
	const sizeBytes = Number.isSafeInteger(size) && size >= 0 ? size : undefined;
	const etag = headers.get('x-linked-etag');
	if (etag === null) {
		return { sizeBytes };
	}
	const value = etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
	if (/^[0-9a-f]{64}$/i.test(value)) {
		return { sha256: value.toLowerCase(), sizeBytes };
	}
	// A small (non-LFS) file's X-Linked-ETag is its git blob id, not a SHA-256 of the content.
	return { sizeBytes, missingBecause: `the server's X-Linked-ETag (${value.slice(0, 80)}) is not a SHA-256` };
}
