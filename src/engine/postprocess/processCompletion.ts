/**
 * Decides how much of a model's output to show, and whether generation can stop.
 *
 * The function is stateless and is meant to be called again with the whole output after
 * every generated token:
 * - `text` is always the best suggestion if generation ended right now. A partial last line
 *   that would fail a check is left out of `text` but may come back once more tokens arrive
 *   (`  }` may still become `  } else {`).
 * - `done` is true only when no further token can change `text`. That is decided on complete
 *   lines only, so a caller can stop generating as soon as it sees `done`.
 */
import { EMPTY_SCAN, isClosingOnlyLine, quoteStateAfter, scanLine, type BracketScan } from './bracketDepth.js';
import type { CompletionContext } from './completionMode.js';
import { currentLinePrefix, documentEol, nextNonBlankSuffixLine, restOfCursorLine } from './cursorContext.js';
import { documentIndentUnit, indentWidth, isBlank, reindentLine, tabSizeFor } from './indentation.js';
import { sanitizeGenerated, toDocumentEol } from './sanitizeGenerated.js';
import { onlyDuplicatesSuffix, trimSuffixOverlap } from './suffixOverlap.js';

export type CompletionStopReason =
	/** single-line mode reached the end of its line */
	| 'single-line'
	/** a generated line repeats the next non-blank line after the cursor */
	| 'suffix-duplicate'
	/** the same line came three times in a row (a generation loop) */
	| 'repetition'
	/** a line dedented below the block the completion is writing */
	| 'block-end'
	/** the completion closed a bracket that was opened before the cursor */
	| 'brackets-closed';

export interface ProcessedCompletion {
	text: string;
	done: boolean;
	reason?: CompletionStopReason;
}

/** Same line this many times in a row is a loop, not code. */
const REPEAT_LIMIT = 3;

/** Lines ending in these open a block whose body starts on the next line. */
const BLOCK_OPENER = /(?:[{([:]|=>|\bdo|\bthen)\s*$/;

export function processCompletion(generated: string, ctx: CompletionContext): ProcessedCompletion {
	const linePrefix = currentLinePrefix(ctx.prefix);
	const restOfLine = restOfCursorLine(ctx.suffix);
	const nextSuffixLine = nextNonBlankSuffixLine(ctx.suffix);
	const documentUnit = ctx.documentIndent !== false ? documentIndentUnit(ctx.prefix, ctx.suffix) : undefined;
	const tabSize = tabSizeFor(documentUnit !== undefined && documentUnit !== '\t' ? documentUnit : ctx.indentUnit);
	const lines = inDocumentIndentation(sanitizeGenerated(generated).split('\n'), linePrefix, documentUnit, tabSize);
	const cursorAtLineEnd = isBlank(restOfLine);
	const keepDedent = ctx.keepDedent !== false;

	// Single-line mode keeps the cursor's line. Exception: when nothing follows the cursor on
	// its line and the model starts with a line break, that break is the model saying "the
	// current line is finished"; we keep the break and the one line after it, which is what
	// the user would otherwise have to request by typing Enter first.
	const startsOnNextLine = lines.length > 1 && isBlank(lines[0]!);
	const maxLines = ctx.mode === 'single-line' ? (cursorAtLineEnd && startsOnNextLine ? 2 : 1) : Infinity;

	const kept: string[] = [];
	let done = false;
	let reason: CompletionStopReason | undefined;
	const stop = (why: CompletionStopReason, lineIsComplete: boolean) => {
		// A partial line only hides itself from `text`; it decides nothing yet.
		if (lineIsComplete) {
			done = true;
			reason = why;
		}
	};

	const docLines: string[] = []; // lines as they will read in the document, for comparisons
	let blockIndent = initialBlockIndent(linePrefix, lines, tabSize, cursorAtLineEnd && ctx.lineEndContinue !== false);
	let brackets: BracketScan = { ...EMPTY_SCAN, quote: quoteStateAfter(linePrefix) };

	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!;
		const complete = i < lines.length - 1;
		if (i >= maxLines) {
			stop('single-line', true);
			break;
		}
		const docLine = i === 0 ? linePrefix + line : line;

		if (!isBlank(line) && nextSuffixLine !== undefined && docLine.trimEnd() === nextSuffixLine.trimEnd()) {
			stop('suffix-duplicate', complete);
			break;
		}

		if (isRepetition(docLines, docLine)) {
			// Keep the first copy; the copies after it are the loop.
			kept.splice(kept.length - (REPEAT_LIMIT - 2));
			stop('repetition', complete);
			break;
		}

		if (ctx.mode === 'multi-line' && !isBlank(line)) {
			if (blockIndent === undefined) {
				// The completion's first content line sets the level of the block it writes.
				blockIndent = indentWidth(docLine, tabSize);
			} else if (i > 0 && indentWidth(line, tabSize) < blockIndent) {
				// Dedent: the block ends. A line of closing brackets that closes what was
				// opened before the cursor completes the block, unless the document already
				// has it (then the suffix-duplicate check above has stopped before it).
				const closes = isClosingOnlyLine(line) && scanLine(line, brackets).closesOuter;
				if (closes && complete) kept.push(line);
				// A line dedented right after the block's last line (`return result` after a loop body)
				// is usually the right next line: keep it, once, unless it leaves the level the
				// document goes on at after the cursor.
				const keep =
					!closes &&
					keepDedent &&
					keepsDedentedLine(line, i === 1 ? linePrefix + lines[0]! : lines[i - 1]!, nextSuffixLine, tabSize);
				if (keep) kept.push(line);
				// A partial line that starts with code, not a bracket, is left out or kept whatever
				// follows on it: decided now, so generation does not run on to the line's end.
				stop('block-end', complete || (!keep && !/^\s*[)\]}]/.test(line)));
				break;
			}
		}

		const scanned = scanLine(line, brackets);
		brackets = scanned.scan;
		kept.push(line);
		docLines.push(docLine);
		if (ctx.mode === 'multi-line' && scanned.closesOuter) {
			// The enclosing construct is closed: finish this line, then stop.
			stop('brackets-closed', complete);
			break;
		}
	}

	return { text: finishText(kept, ctx, cursorAtLineEnd), done, ...(reason !== undefined ? { reason } : {}) };
}

function isRepetition(previous: readonly string[], docLine: string): boolean {
	if (previous.length < REPEAT_LIMIT - 1) return false;
	const line = docLine.trimEnd();
	return previous.slice(-(REPEAT_LIMIT - 1)).every((p) => p.trimEnd() === line);
}

/**
 * Indentation below which a new line has left the block the completion is writing, when the
 * cursor's line already decides it:
 * - the cursor's line has text and does not open a block → that line's indentation
 *   (`    return x` + `\n\ndef g():` stops before `def g():`);
 * - the completion continues the cursor's line → that line's indentation.
 * Otherwise (blank cursor line, or a line ending in `{`, `:`, `=>`… whose body the completion
 * starts on the next line) it is undefined here and the first content line sets it.
 */
function initialBlockIndent(linePrefix: string, lines: readonly string[], tabSize: number, lineEndContinue: boolean): number | undefined {
	if (isBlank(linePrefix)) return undefined;
	if (BLOCK_OPENER.test(linePrefix) && isBlank(lines[0]!)) return undefined;
	// At a line's end, a completion that starts with a line break and goes straight on to a line of
	// its own writes the next line at that line's level (often dedented: the block's last line was
	// the cursor's). A blank line between keeps the cursor line's level.
	if (lineEndContinue && lines.length > 1 && isBlank(lines[0]!) && !isBlank(lines[1]!)) return undefined;
	return indentWidth(linePrefix, tabSize);
}

/**
 * Whether a line dedented below the block is kept: it follows a line of code directly (not after a
 * blank line, where a new top-level definition usually starts) and does not go below the level of
 * the next line after the cursor, which the document continues at.
 */
function keepsDedentedLine(line: string, previous: string, nextSuffixLine: string | undefined, tabSize: number): boolean {
	if (isBlank(previous) || isClosingOnlyLine(line)) return false;
	return nextSuffixLine === undefined || indentWidth(line, tabSize) >= indentWidth(nextSuffixLine, tabSize);
}

/** The generated lines with their indentation in the document's unit (the first only when it starts the cursor's line). */
function inDocumentIndentation(lines: string[], linePrefix: string, unit: string | undefined, tabSize: number): string[] {
	if (unit === undefined) return lines;
	return lines.map((line, i) => (i === 0 && linePrefix !== '' ? line : reindentLine(line, unit, tabSize)));
}

function finishText(kept: readonly string[], ctx: CompletionContext, cursorAtLineEnd: boolean): string {
	// Whitespace at the end of interior lines is noise. Whitespace at the very end matters only
	// when text follows the cursor on its line (`a, ` before `b)`).
	let text = kept.map((line, i) => (i < kept.length - 1 ? line.trimEnd() : line)).join('\n');
	text = trimSuffixOverlap(text, ctx.suffix);
	if (cursorAtLineEnd) text = text.trimEnd();
	if (text.trim() === '' || onlyDuplicatesSuffix(text, ctx.suffix)) return '';
	return toDocumentEol(text, documentEol(ctx.prefix, ctx.suffix));
}
