import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CatalogModel } from '../../shared/modelCatalog.js';
import { DownloadModelRequest, DownloadProgressNotification } from '../../shared/protocol.js';
import { messageOf } from '../../shared/errorMessage.js';

/**
 * Downloads a catalog model through the language server (which owns node-llama-cpp), with progress
 * in a notification that has a Cancel button. Resolves with the checked file's path, or undefined
 * when the user cancelled; a failure is shown and resolves undefined too, leaving the current model
 * as it was.
 */
export async function downloadWithProgress(client: LanguageClient, entry: CatalogModel, log: vscode.LogOutputChannel): Promise<string | undefined> {
	const progressToken = `${entry.id}-${Date.now()}`;
	return vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title: `Downloading ${entry.label}`, cancellable: true },
		async (progress, cancellation) => {
			let reported = 0;
			const subscription = client.onNotification(DownloadProgressNotification.method, (update: DownloadProgressNotification.Params) => {
				if (update.progressToken !== progressToken) {
					return;
				}
				if (update.phase === 'verifying') {
					progress.report({ message: 'checking the file…' });
					return;
				}
				const total = update.totalBytes || entry.sizeBytes;
				const percent = total > 0 ? (100 * update.downloadedBytes) / total : 0;
				progress.report({ increment: Math.max(0, percent - reported), message: `${mb(update.downloadedBytes)} of ${mb(total)} MB` });
				reported = Math.max(reported, percent);
			});
			try {
				const params: DownloadModelRequest.Params = { progressToken, uri: entry.uri, fileName: entry.fileName, sizeBytes: entry.sizeBytes, verify: entry.verify };
				const result = (await client.sendRequest(DownloadModelRequest.method, params, cancellation)) as DownloadModelRequest.Result;
				// The server says what the file was checked against; a file no checksum vouched for is named as such.
				const report = `Downloaded ${entry.label} to ${result.path}. ${result.verification ?? ''}`.trim();
				if (result.verifiedAgainst?.length === 0) log.warn(report);
				else log.info(report);
				return result.path;
			} catch (error) {
				if (cancellation.isCancellationRequested) {
					log.info(`Download of ${entry.label} cancelled; the previous model stays in use.`);
					return undefined;
				}
				const message = messageOf(error);
				log.error(`Download of ${entry.label} failed: ${message}`);
				void vscode.window.showErrorMessage(`Hearth: could not download ${entry.label}. ${message} The current model stays in use.`);
				return undefined;
			} finally {
				subscription.dispose();
			}
		},
	);
}

function mb(bytes: number): string {
	return Math.round(bytes / 1e6).toLocaleString('en');
}
