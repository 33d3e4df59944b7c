import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createModelDownloader } from 'node-llama-cpp';
import { checkModelFile } from '../../engine/runtime/modelFileCheck.js';
import { messageOf } from '../../shared/errorMessage.js';
import { ModelLoadError } from '../../engine/runtime/modelLoadError.js';
import { isSafeModelFileName } from '../../shared/modelCatalog.js';
import { downloadUrlOf, fetchPublishedChecksum, type PublishedChecksum } from './publishedChecksum.js';

export interface DownloadRequest {
	uri: string;
	fileName: string;
	/** Approximate size, for the disk-space check before the server has said. */
	sizeBytes?: number;
	verify?: { sizeBytes?: number; sha256?: string };
}

export type ChecksumSource = 'catalog' | 'server';

export interface DownloadResult {
	path: string;
	sizeBytes: number;
	/** The SHA-256 of the file kept; undefined when it was already there and not downloaded again. */
	sha256?: string;
	/** What that SHA-256 matched: the catalog's value, the one the server published, or both. Empty: not verified. */
	verifiedAgainst: ChecksumSource[];
	/** One sentence for the log: what the file was checked against, or that it was not. */
	verification: string;
}

export interface DownloadProgress {
	phase: 'downloading' | 'verifying';
	downloadedBytes: number;
	totalBytes: number;
}

export interface DownloadOptions {
	modelsDirectory: string;
	signal?: AbortSignal;
	onProgress?: (progress: DownloadProgress) => void;
	/** Free bytes on the models directory's disk; injectable so a full disk can be tested. */
	freeDiskBytes?: (directory: string) => Promise<number>;
}

export class DownloadCancelledError extends Error {
	constructor() {
		super('The download was cancelled.');
		this.name = 'DownloadCancelledError';
	}
}

/** Unfinished downloads live here, so the models folder only ever lists complete, checked files. */
export const INCOMING_DIRECTORY = '.incoming';

/**
 * Downloads a model with node-llama-cpp's downloader (it retries an interrupted connection from
 * where it stopped with range requests) into a side folder, checks the result, and only then moves
 * it into the models folder. The checks: the size and SHA-256 the catalog gives, the SHA-256 and size
 * the server publishes (Hugging Face's X-Linked-ETag and X-Linked-Size, see publishedChecksum.ts),
 * both when both exist, then that it is a whole GGUF language model. A file neither vouches for is
 * kept but reported as not verified. Whatever fails, no half-written file is left where it could be
 * taken for a complete one.
 */
export async function downloadModel(request: DownloadRequest, options: DownloadOptions): Promise<DownloadResult> {
	if (!isSafeModelFileName(request.fileName)) {
		throw new ModelLoadError('load-failed', `Refusing to download to an unsafe file name: ${JSON.stringify(request.fileName)}`);
	}
	if (!/^(hf:|https?:\/\/)/.test(request.uri)) {
		throw new ModelLoadError('load-failed', `Unsupported model address ${JSON.stringify(request.uri)}: use an hf: URI or an http(s) URL.`);
	}
	const finalPath = path.join(options.modelsDirectory, request.fileName);
	if (await isCompleteModel(finalPath)) {
		const stat = await fs.stat(finalPath);
		return { path: finalPath, sizeBytes: stat.size, verifiedAgainst: [], verification: `${request.fileName} was already in the models folder; it was not downloaded again.` };
	}
	const incoming = path.join(options.modelsDirectory, INCOMING_DIRECTORY);
	await fs.mkdir(incoming, { recursive: true });
	const freeBytes = options.freeDiskBytes ?? freeDiskBytes;
	// With the catalog's size, a full disk is refused before anything is asked of the server.
	const catalogBytes = request.verify?.sizeBytes ?? request.sizeBytes;
	if (catalogBytes !== undefined) {
		await ensureDiskRoom(incoming, catalogBytes, freeBytes);
	}
	// One address for both the checksum question and the download, so they cannot name different files.
	const downloadUrl = downloadUrlOf(request.uri);
	const published: PublishedChecksum = downloadUrl
		? await fetchPublishedChecksum(downloadUrl, options.signal).catch((error) => {
			throw options.signal?.aborted ? new DownloadCancelledError() : error;
		})
		: { missingBecause: 'the address names no single file to ask the server about' };
	const catalogSha256 = request.verify?.sha256?.toLowerCase();
	if (catalogSha256 !== undefined && published.sha256 !== undefined && catalogSha256 !== published.sha256) {
		throw new ModelLoadError(
			'load-failed',
			`The catalog's SHA-256 for ${request.fileName} (${catalogSha256.slice(0, 12)}…) is not the one the server publishes (${published.sha256.slice(0, 12)}…): the file on the server changed, so it was not downloaded.`,
		);
	}
	if (catalogBytes === undefined && published.sizeBytes !== undefined) {
		await ensureDiskRoom(incoming, published.sizeBytes, freeBytes);
	}

	const incomingPath = path.join(incoming, request.fileName);
	let downloader;
	try {
		downloader = await createModelDownloader({
			modelUri: downloadUrl ?? request.uri,
			dirPath: incoming,
			fileName: request.fileName,
			skipExisting: false,
			deleteTempFileOnCancel: false,
			parallelDownloads: 1,
			onProgress: ({ downloadedSize, totalSize }) => options.onProgress?.({ phase: 'downloading', downloadedBytes: downloadedSize, totalBytes: totalSize }),
		});
	} catch (error) {
		throw new ModelLoadError('load-failed', `Cannot download ${request.uri}: ${describeDownloadError(error)}`, { cause: error });
	}
	if (catalogBytes === undefined && published.sizeBytes === undefined && downloader.totalSize > 0) {
		await ensureDiskRoom(incoming, downloader.totalSize, freeBytes);
	}
	const onAbort = () => void downloader.cancel({ deleteTempFile: false });
	options.signal?.addEventListener('abort', onAbort, { once: true });
	try {
		if (options.signal?.aborted) {
			throw new DownloadCancelledError();
		}
		await downloader.download();
	} catch (error) {
		if (options.signal?.aborted) {
			throw new DownloadCancelledError();
		}
		await fs.rm(incomingPath, { force: true });
		throw new ModelLoadError('load-failed', `Download of ${request.fileName} failed: ${describeDownloadError(error)}`, { cause: error });
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
	}
	// A cancelled download resolves as if it had finished: the signal, not the promise, tells.
	if (options.signal?.aborted) {
		throw new DownloadCancelledError();
	}

	try {
		const stat = await fs.stat(incomingPath).catch(() => undefined);
		if (!stat) {
			throw new ModelLoadError('truncated', `The download of ${request.fileName} produced no file.`);
		}
		options.onProgress?.({ phase: 'verifying', downloadedBytes: stat.size, totalBytes: stat.size });
		if (downloader.totalSize > 0 && stat.size !== downloader.totalSize) {
			throw new ModelLoadError('truncated', `The download of ${request.fileName} stopped at ${stat.size} of ${downloader.totalSize} bytes.`);
		}
		const verify = request.verify;
		if (verify?.sizeBytes !== undefined && stat.size !== verify.sizeBytes) {
			throw new ModelLoadError('truncated', `${request.fileName} is ${stat.size} bytes, the catalog expects ${verify.sizeBytes}: the download is incomplete or the file changed.`);
		}
		if (published.sizeBytes !== undefined && stat.size !== published.sizeBytes) {
			throw new ModelLoadError('truncated', `${request.fileName} is ${stat.size} bytes, the server's X-Linked-Size says ${published.sizeBytes}: the download is incomplete or was altered on the way.`);
		}
		const actual = await sha256Of(incomingPath);
		if (catalogSha256 !== undefined && actual !== catalogSha256) {
			throw new ModelLoadError('load-failed', `${request.fileName} does not match the catalog's SHA-256 (got ${actual.slice(0, 12)}…, expected ${catalogSha256.slice(0, 12)}…): the file was not kept.`);
		}
		if (published.sha256 !== undefined && actual !== published.sha256) {
			throw new ModelLoadError(
				'load-failed',
				`${request.fileName} does not match the SHA-256 the server publishes in X-Linked-ETag (got ${actual.slice(0, 12)}…, expected ${published.sha256.slice(0, 12)}…): the download was corrupted or altered on the way, so the file was not kept.`,
			);
		}
		// The same check every model load makes: a whole GGUF file, and a language model.
		await checkModelFile(incomingPath);
		await fs.rename(incomingPath, finalPath);
		const verifiedAgainst: ChecksumSource[] = [...(catalogSha256 !== undefined ? ['catalog' as const] : []), ...(published.sha256 !== undefined ? ['server' as const] : [])];
		return { path: finalPath, sizeBytes: stat.size, sha256: actual, verifiedAgainst, verification: describeVerification(request.fileName, actual, verifiedAgainst, published) };
	} catch (error) {
		await fs.rm(incomingPath, { force: true });
		throw error;
	}
}

function describeVerification(fileName: string, sha256: string, against: readonly ChecksumSource[], published: PublishedChecksum): string {
	const sources = against.map((source) => (source === 'catalog' ? "the catalog's" : "the server's (X-Linked-ETag)"));
	if (sources.length > 0) {
		return `${fileName}: SHA-256 ${sha256} matches ${sources.join(' and ')}.`;
	}
	return `${fileName} was NOT verified: the catalog has no SHA-256 for it and ${published.missingBecause ?? 'the server published none'}. It passed the GGUF check only (SHA-256 ${sha256}).`;
}

async function isCompleteModel(file: string): Promise<boolean> {
	try {
		await checkModelFile(file);
		return true;
	} catch {
		return false;
	}
}

async function ensureDiskRoom(directory: string, bytes: number, free: (directory: string) => Promise<number>): Promise<void> {
	const available = await free(directory);
	// A little headroom: a disk filled to the last byte breaks everything else on the machine.
	if (available < bytes * 1.02 + 64 * 1024 ** 2) {
		throw new ModelLoadError(
			'load-failed',
			`Not enough disk space for the download: it needs about ${gb(bytes)} GB, ${gb(available)} GB is free at ${directory}.`,
		);
	}
}

async function freeDiskBytes(directory: string): Promise<number> {
	const stats = await fs.statfs(directory);
	return stats.bavail * stats.bsize;
}

async function sha256Of(file: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(file)) {
		hash.update(chunk as Buffer);
	}
	return hash.digest('hex');
}

function describeDownloadError(error: unknown): string {
	const message = messageOf(error);
	if (/\b404\b|not found/i.test(message)) {
		return `the server has no such file (404). ${message}`;
	}
	if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed/i.test(message)) {
		return `the server cannot be reached (offline?). ${message}`;
	}
	return message;
}

function gb(bytes: number): string {
	return (bytes / 1e9).toFixed(2);
}
