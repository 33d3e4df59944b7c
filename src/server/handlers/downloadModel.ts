import type { Connection } from 'vscode-languageserver/node';
import { DownloadModelRequest, DownloadProgressNotification } from '../../shared/protocol.js';
import { DownloadCancelledError, downloadModel } from '../models/downloadModel.js';
import type { ServerState } from '../serverState.js';
import { asResponseError, requestCancelled, requestFailed } from './requestErrors.js';

/** Progress notifications at most this often while bytes arrive (the last one always goes). */
const PROGRESS_INTERVAL_MS = 250;

/**
 * `hearth/downloadModel`: fetches a model file into the models folder, verified against its
 * published checksum, with progress notifications; the client's cancellation stops the download.
 */
export function registerDownloadModel(connection: Connection, state: ServerState): void {
	const { logger } = state;
	connection.onRequest(
		DownloadModelRequest.method,
		async (params: DownloadModelRequest.Params, token): Promise<DownloadModelRequest.Result> => {
			const modelsDirectory = state.modelsDirectory;
			if (!modelsDirectory) {
				throw requestFailed('This server was started without a models folder; downloads are not available.');
			}
			const abort = new AbortController();
			const subscription = token?.onCancellationRequested(() => abort.abort());
			let lastSent = 0;
			try {
				logger.info(`Downloading ${params.uri} to ${modelsDirectory}`);
				const result = await downloadModel(params, {
					modelsDirectory,
					signal: abort.signal,
					onProgress: (progress) => {
						// A notification per network chunk would flood the client; a few per second is plenty.
						const now = performance.now();
						if (
							progress.phase === 'downloading' &&
							now - lastSent < PROGRESS_INTERVAL_MS &&
							progress.downloadedBytes < progress.totalBytes
						) {
							return;
						}
						lastSent = now;
						void connection.sendNotification(DownloadProgressNotification.method, {
							progressToken: params.progressToken,
							...progress,
						} satisfies DownloadProgressNotification.Params);
					},
				});
				const report = `Downloaded ${result.path} (${result.sizeBytes} bytes). ${result.verification}`;
				if (result.verifiedAgainst.length > 0) {
					logger.info(report);
				} else {
					logger.warn(report);
				}
				return result;
			} catch (error) {
				if (error instanceof DownloadCancelledError) {
					logger.info(`Download of ${params.fileName} cancelled.`);
					throw requestCancelled(error.message);
				}
				throw asResponseError(error, logger);
			} finally {
				subscription?.dispose();
			}
		},
	);
}
