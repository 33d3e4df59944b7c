import type { CancellationToken } from 'vscode-languageserver/node';

/**
 * Bridges LSP cancellation ($/cancelRequest, surfaced as a CancellationToken) to the AbortSignal the
 * engine understands. The controller is also the server's handle to abort a request that a newer
 * one for the same document superseded.
 */
export function abortControllerFor(token: CancellationToken): { controller: AbortController; dispose(): void } {
	const controller = new AbortController();
	if (token.isCancellationRequested) {
		controller.abort();
		return { controller, dispose() {} };
	}
	const subscription = token.onCancellationRequested(() => controller.abort());
	return { controller, dispose: () => subscription.dispose() };
}
