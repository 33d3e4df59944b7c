import { quoteStateAfter } from './bracketDepth.js';
import { currentLinePrefix, restOfCursorLine } from './cursorContext.js';

export type CompletionMode = 'single-line' | 'multi-line';

export interface CompletionContext {
	/** Text before the cursor (may be clamped). */
	prefix: string;
	/** Text after the cursor (may be clamped). */
	suffix: string;
	mode: CompletionMode;
	/** The editor's indentation unit ("\t" or N spaces); sets how wide a tab counts when comparing indentation. */
	indentUnit?: string;
	/** Keep a line dedented at a block's end, once (default true). */
	keepDedent?: boolean;
	/** At a line's end, a completion starting with a line break writes the next line at its own level (default true). */
	lineEndContinue?: boolean;
	/** Rewrite generated indentation in the document's unit (default true). */
	documentIndent?: boolean;
}

/**
 * Closing brackets plus the separators that usually trail them (`});`, `],`), which editors
 * auto-insert; text like that after the cursor does not stop a multi-line suggestion.
 */
const ONLY_CLOSERS = /^[\s)\]};,]*$/;

/**
 * Multi-line when the rest of the cursor's line is empty or only closing brackets (the user is
 * at a place where whole statements go); single-line when real text follows the cursor on the
 * same line (a multi-line insertion there would split that text), or when the cursor is inside
 * a string literal that the line has not closed yet.
 */
export function chooseCompletionMode(prefix: string, suffix: string): CompletionMode {
	if (!ONLY_CLOSERS.test(restOfCursorLine(suffix))) return 'single-line';
	if (quoteStateAfter(currentLinePrefix(prefix)) !== null) return 'single-line';
	return 'multi-line';
}
