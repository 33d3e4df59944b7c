import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { registerInlineCompletion } from '../inlineCompletionHandler.js';
import type { ServerState } from '../serverState.js';

/**
 * `textDocument/inlineCompletion` (see inlineCompletionHandler): the scheduler of the model in use at
 * each request, every request counted as completion activity, the settings current at each request.
 */
export function registerInlineCompletionHandler(connection: Connection, documents: TextDocuments<TextDocument>, state: ServerState): void {
	registerInlineCompletion(
		connection,
		documents,
		{
			get currentScheduler() {
				return state.models.currentScheduler;
			},
			beginRequest: () => state.activity.beginRequest(),
		},
		() => state.settings,
		state.paths,
		state.logger,
	);
}
