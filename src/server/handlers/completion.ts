import {
	CompletionItemKind,
	InsertTextFormat,
	type CompletionItem,
	type CompletionList,
	type Connection,
	type Position,
	type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { GhostTextSource } from '../inlineCompletionHandler.js';

/** The identifier being typed, at the end of the text before the cursor. */
const WORD_BEFORE_CURSOR = /[\p{L}\p{N}_$]+$/u;

/**
 * `textDocument/completion` for editors without LSP 3.18's inline completion (Neovim, Helix, Emacs):
 * the same ghost text as the inline handler, from the same GhostTextSource, as one completion item.
 *
 * Its edit replaces the identifier being typed with that identifier followed by the ghost text: the
 * document ends up exactly as if the ghost text were inserted at the cursor, and editors that filter
 * items by the word before the cursor (all of them) keep the item. The list is incomplete, so that the
 * editor asks again as the user types instead of filtering a stale suggestion.
 */
export function registerCompletion(connection: Connection, documents: TextDocuments<TextDocument>, ghostText: GhostTextSource): void {
	connection.onCompletion(async (params, token): Promise<CompletionList | null> => {
		const document = documents.get(params.textDocument.uri);
		if (!document) {
			return null;
		}
		const text = await ghostText.textAt(params.textDocument.uri, params.position, token);
		if (text === undefined || token.isCancellationRequested) {
			return null;
		}
		const lineBefore = document.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
		const word = WORD_BEFORE_CURSOR.exec(lineBefore)?.[0] ?? '';
		return { isIncomplete: true, items: [completionItem(word + text, params.position, word.length)] };
	});
}

/** The one item: `newText` replaces the `wordLength` characters before `position`. */
function completionItem(newText: string, position: Position, wordLength: number): CompletionItem {
	const lines = newText.split('\n');
	const label = lines.map((line) => line.trim()).find((line) => line !== '') ?? newText;
	return {
		label,
		kind: CompletionItemKind.Text,
		detail: 'Hearth',
		// The whole suggestion where it spans lines: the label shows only the first.
		documentation: lines.length > 1 ? { kind: 'plaintext', value: newText } : undefined,
		filterText: lines[0],
		preselect: true,
		insertTextFormat: InsertTextFormat.PlainText,
		textEdit: { range: { start: { line: position.line, character: position.character - wordLength }, end: position }, newText },
	};
}
