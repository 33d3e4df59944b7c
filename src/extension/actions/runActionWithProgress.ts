import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ActionProgressNotification, RunActionRequest } from '../../shared/protocol.js';
import { messageOf } from '../../shared/errorMessage.js';
import type { Notifier } from '../notifications/notifier.js';

export type ActionRun =
	{ outcome: 'done'; result: RunActionRequest.Result } | { outcome: 'stopped' } | { outcome: 'failed'; message: string };

/**
 * Runs an action in the language server while the status bar says what is happening ("Hearth is
 * explaining…", a click stops it); `stop` (the answer view's Stop button) stops it too. The streamed
 * text goes to `onText` as it grows. Stop (or the server's failure) never throws: the caller decides
 * what the user sees.
 */
export async function runActionWithProgress(
	client: LanguageClient,
	params: Omit<RunActionRequest.Params, 'progressToken'>,
	how: { title: string; notifier: Notifier; stop?: vscode.CancellationToken },
	onText: (text: string) => void,
): Promise<ActionRun> {
	const progressToken = `${params.kind}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
	const stop = new vscode.CancellationTokenSource();
	const stopFromOutside = how.stop?.onCancellationRequested(() => stop.cancel());
	const working = how.notifier.working(how.title, () => stop.cancel());
	const subscription = client.onNotification(ActionProgressNotification.method, (update: ActionProgressNotification.Params) => {
		if (update.progressToken === progressToken) {
			onText(update.text);
		}
	});
	try {
		const result = (await client.sendRequest(
			RunActionRequest.method,
			{ ...params, progressToken } satisfies RunActionRequest.Params,
			stop.token,
		)) as RunActionRequest.Result;
		return { outcome: 'done', result };
	} catch (error) {
		if (stop.token.isCancellationRequested) {
			return { outcome: 'stopped' };
		}
		return { outcome: 'failed', message: messageOf(error) };
	} finally {
		subscription.dispose();
		working.dispose();
		stopFromOutside?.dispose();
		stop.dispose();
	}
}

/** "Answered by X in 4.2 s · 180 tokens, 21.3 tokens/s" */
export function answerFooter(result: RunActionRequest.Result): string {
	const paused = result.pauses > 0 ? ` · paused ${result.pauses}× while you typed` : '';
	// The model's own confidence: the geometric mean of its tokens' probabilities.
	const confidence = result.confidence
		? ` · confidence ${Math.round(Math.exp(result.confidence.meanLogProb) * 100)} %${result.confidence.unsure ? ' (unsure)' : ''}`
		: '';
	return `Answered by ${result.model} in ${(result.totalMs / 1000).toFixed(1)} s · ${result.generatedTokens} tokens, ${result.tokensPerSecond.toFixed(1)} tokens/s${paused}${confidence}`;
}
