import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver/node';
import { coarseWindow } from '../engine/prompt/promptWindow.js';

export interface CursorContext {
	prefix: string;
	suffix: string;
	/** The document offset of `prefix[0]`: the engine anchors its cuts to the document with it. */
	prefixOffset: number;
	/** The cursor's offset in the document. */
	offset: number;
}

/**
 * The text around the cursor, bounded so that a document of several megabytes costs no more than a
 * small one: the engine's coarse window (promptWindow.ts), whose start moves in steps anchored to the
 * document. Every finer cut, to characters and to the token budget, is the engine's.
 */
export function cursorContext(document: TextDocument, position: Position): CursorContext {
	const offset = document.offsetAt(position);
	return { ...coarseWindow(document.getText(), offset), offset };
}
