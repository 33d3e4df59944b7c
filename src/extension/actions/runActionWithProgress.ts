import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ActionProgressNotification, RunActionRequest } from '../../shared/protocol.js';
import { messageOf } from '../../shared/errorMessage.js';

export type ActionRun =
	{ outcome: 'done'; result: RunActionRequest.Result } | { outcome: 'stopped' } | { outcome: 'failed'; message: string };

/**
 * Runs an action in the language server with a notification that says what is happening and has a
 * Stop button; the streamed text goes to `onText` as it grows. Stop (or the server's failure) never
 * throws: the caller decides what the user sees.
 */
export function runActionWithProgress(
	client: LanguageClient,
	params: Omit<RunActionRequest.Params, 'progressToken'>,
	title: string,
	onText: (text: string) => void,
): Thenable<ActionRun> {
	const progressToken = `${params.kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
	return vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title, cancellable: true },
		async (_progress, stop) => {
			const subscription = client.onNotification(ActionProgressNotification.method, (update: ActionProgressNotification.Params) => {
				if (update.progressToken === progressToken) {
					onText(update.text);
				}
			});
			try {
				const result = (await client.sendRequest(
					RunActionRequest.method,
					{ ...params, progressToken } satisfies RunActionRequest.Params,
					stop,
				)) as RunActionRequest.Result;
				return { outcome: 'done', result } as const;
			} catch (error) {
				if (stop.isCancellationRequested) {
					return { outcome: 'stopped' } as const;
				}
				return { outcome: 'failed', message: messageOf(error) } as const;
			} finally {
				subscription.dispose();
			}
		},
	);
}

/** "Answered by X in 4.2 s · 180 tokens, 21.3 tokens/s" */
export function answerFooter(result: RunActionRequest.Result): string {
	const paused = result.pauses > 0 ? ` · paused ${result.pauses}× while you typed` : '';
	return `Answered by ${result.model} in ${(result.totalMs / 1000).toFixed(1)} s · ${result.generatedTokens} tokens, ${result.tokensPerSecond.toFixed(1)} tokens/s${paused}`;
}
