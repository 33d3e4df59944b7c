import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver/node';
import { steppedCut } from '../engine/postprocess/index.js';

/** How much text on each side of the cursor the server takes out of a document at most. */
const PREFIX_WINDOW_CHARS = 32_000;
const SUFFIX_WINDOW_CHARS = 8_000;
/**
 * The window's far edge moves in steps of this many characters from the document's start: were it
 * to move with every keystroke, the prompt would start differently each time and the model's KV
 * cache of it would be lost in every document longer than the window.
 */
const WINDOW_STEP_CHARS = 4_096;

export interface CursorContext {
	prefix: string;
	suffix: string;
	/** The cursor's offset in the document. */
	offset: number;
}

/**
 * The text around the cursor, bounded so that a document of several megabytes costs no more than a
 * small one. Cuts happen far from the cursor; the engine trims further to its token budget.
 */
export function cursorContext(document: TextDocument, position: Position): CursorContext {
	const text = document.getText();
	const offset = document.offsetAt(position);
	return {
		prefix: text.slice(steppedCut(offset - PREFIX_WINDOW_CHARS, WINDOW_STEP_CHARS), offset),
		suffix: text.slice(offset, offset + SUFFIX_WINDOW_CHARS),
		offset,
	};
}
