import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { createGhostTextSource, type GhostTextSource } from '../inlineCompletionHandler.js';
import type { ServerState } from '../serverState.js';

/**
 * `textDocument/inlineCompletion` (LSP 3.18): the ghost text, inserted at the cursor. The text comes
 * from the one GhostTextSource the server makes (see inlineCompletionHandler), which the list
 * completion handler (completion.ts) shares.
 */
export function registerInlineCompletionHandler(connection: Connection, ghostText: GhostTextSource): void {
	connection.languages.inlineCompletion.on(async (params, token) => {
		const text = await ghostText.textAt(params.textDocument.uri, params.position, token);
		if (text === undefined) {
			return null;
		}
		return { items: [{ insertText: text, range: { start: params.position, end: params.position } }] };
	});
}

/**
 * The server's one GhostTextSource: the scheduler of the model in use at each request, every request
 * counted as completion activity, the settings current at each request.
 */
export function ghostTextSourceOf(connection: Connection, documents: TextDocuments<TextDocument>, state: ServerState): GhostTextSource {
	return createGhostTextSource(
		connection,
		documents,
		{
			get currentScheduler() {
				return state.models.currentScheduler;
			},
			awakeScheduler: () => state.models.awakeScheduler(),
			beginRequest: () => state.activity.beginRequest(),
			suggestionHeldBack: () => state.status.suggestionHeldBack(),
		},
		() => state.settings,
		state.paths,
		state.logger,
	);
}
