import * as vscode from 'vscode';

export interface SelectionTarget {
	document: vscode.TextDocument;
	range: vscode.Range;
	text: string;
	/** The document's version when the text was taken: a later edit means the answer no longer fits. */
	version: number;
	/** What the target is, for messages: "the selection" or "the function `total`". */
	description: string;
}

/** Longest selection sent to the local model (its context is a few thousand tokens). */
const LOCAL_MODEL_LIMIT = { chars: 24_000, who: 'the local model' } as const;

/** How much text the model that gets the target can take, and its name for the message. */
export interface TargetLimit {
	chars: number;
	who: string;
}

/**
 * The text an action works on: the selection, or with none, the innermost function, method or class
 * around the cursor (from the language's document symbols), or failing that the cursor's paragraph.
 */
export async function selectionTarget(
	editor: vscode.TextEditor,
	limit: TargetLimit = LOCAL_MODEL_LIMIT,
): Promise<SelectionTarget | string> {
	const document = editor.document;
	let range: vscode.Range = editor.selection;
	let description = 'the selection';
	if (editor.selection.isEmpty) {
		const symbol = await enclosingSymbol(document, editor.selection.active);
		if (symbol) {
			range = symbol.range;
			description = `${vscode.SymbolKind[symbol.kind].toLowerCase()} \`${symbol.name}\``;
		} else {
			range = paragraphAround(document, editor.selection.active.line);
			description = 'the paragraph at the cursor';
		}
	}
	const text = document.getText(range);
	if (text.trim() === '') {
		return 'Select some code first (or place the cursor inside a function).';
	}
	if (text.length > limit.chars) {
		return `The selection is ${text.length.toLocaleString('en')} characters; ${limit.who} takes at most ${limit.chars.toLocaleString('en')}. Select less.`;
	}
	if (text.includes('\u0000')) {
		return 'The selection contains binary data; nothing was sent to the model.';
	}
	return { document, range, text, version: document.version, description };
}

const CONTAINER_KINDS = new Set([
	vscode.SymbolKind.Function,
	vscode.SymbolKind.Method,
	vscode.SymbolKind.Constructor,
	vscode.SymbolKind.Class,
]);

async function enclosingSymbol(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.DocumentSymbol | undefined> {
	let symbols: vscode.DocumentSymbol[] | undefined;
	try {
		symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', document.uri);
	} catch {
		return undefined;
	}
	let found: vscode.DocumentSymbol | undefined;
	let level = symbols ?? [];
	for (;;) {
		const inside = level.find((symbol) => symbol.range?.contains(position));
		if (!inside) {
			return found;
		}
		if (CONTAINER_KINDS.has(inside.kind)) {
			found = inside;
		}
		level = inside.children ?? [];
	}
}

function paragraphAround(document: vscode.TextDocument, line: number): vscode.Range {
	let start = line;
	let end = line;
	while (start > 0 && !document.lineAt(start - 1).isEmptyOrWhitespace) start--;
	while (end < document.lineCount - 1 && !document.lineAt(end + 1).isEmptyOrWhitespace) end++;
	return new vscode.Range(start, 0, end, document.lineAt(end).text.length);
}
