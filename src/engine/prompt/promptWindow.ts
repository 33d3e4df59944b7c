/**
 * Where the prompt's text is cut: the one owner of every cut of the text around the cursor, from the
 * language server's coarse window to the engine's character window and the token budget's cut.
 *
 * Each cut of the prefix's far edge moves in whole steps that are anchored to absolute document
 * offsets (multiples of the step, counted from the document's start), never to the start of the
 * window it was handed: a window whose own start moved then cannot drag the cut with it, and the
 * start of the prompt, and with it the KV cache of everything after it, stays the same for a whole
 * step of typing. Cuts land on line boundaries when one is near, never split a surrogate pair and
 * never leave half of a CRLF. Pure functions of strings and offsets: the token budget's cut is given
 * the tokenizer's measurement (how many characters at the end fit), not the tokenizer.
 */

/** Text before the cursor that starts somewhere in a document: `prefixOffset` is the document offset of `prefix[0]`. */
export interface TextWindow {
	prefix: string;
	suffix: string;
	prefixOffset: number;
}

export interface ClampLimits {
	maxPrefixChars: number;
	maxSuffixChars: number;
	/**
	 * When set, the prefix's cut moves in steps of this many characters, at multiples of it counted
	 * from the document's start, instead of with every character typed.
	 */
	prefixCutStepChars?: number;
	/** The document offset of the prefix's first character (default 0: the prefix starts the document). */
	prefixOffset?: number;
}

export interface ClampedContext {
	prefix: string;
	suffix: string;
	prefixTruncated: boolean;
	suffixTruncated: boolean;
}

/** How much text on each side of the cursor the language server takes out of a document at most. */
export const COARSE_PREFIX_CHARS = 32_000;
export const COARSE_SUFFIX_CHARS = 8_000;
/**
 * The coarse window's start moves in steps of this many characters. The window holds the engine's
 * character window and one of its steps besides, so it never decides where the prompt starts.
 */
export const COARSE_STEP_CHARS = 4_096;

/** A line boundary is used only if snapping to it keeps at least this share of a character window. */
const MIN_KEPT_SHARE = 0.5;
/** The token budget's cut moves to the next line start only when it is at most this far. */
const TOKEN_CUT_LINE_SNAP_CHARS = 200;
/**
 * Characters per token assumed to turn the token budget's step into characters: the step is a fixed
 * stretch of the document, so it must not depend on how the text at hand happens to tokenise.
 */
const CHARS_PER_TOKEN = 3;
/** The token budget's cut moves in steps of this share of the prefix's token budget (in characters, see above). */
const TOKEN_CUT_STEP_SHARE = 0.25;

/**
 * Where a cut that must drop at least `excess` units from the start lands when it moves in whole
 * steps: the same place for a step's worth of growth, so the text after it (and the KV cache of it)
 * does not change with every character typed.
 */
export function steppedCut(excess: number, step: number): number {
	return excess <= 0 ? 0 : Math.ceil(excess / step) * step;
}

/**
 * The first multiple of `step` (counted from the document's start) at or after the document offset
 * `minimalStart`: where a far edge that must be at least there lands. Without a step, `minimalStart`.
 */
export function anchoredCut(minimalStart: number, step: number | undefined): number {
	if (minimalStart <= 0) return 0;
	return step !== undefined && step > 0 ? Math.ceil(minimalStart / step) * step : minimalStart;
}

/**
 * The server's coarse window: at most COARSE_PREFIX_CHARS before the cursor and COARSE_SUFFIX_CHARS
 * after it, so that a document of several megabytes costs no more than a small one. Its start is a
 * multiple of COARSE_STEP_CHARS; the engine makes every finer cut (see clampContext, tokenizePrompt).
 */
export function coarseWindow(text: string, cursorOffset: number): TextWindow {
	const start = anchoredCut(cursorOffset - COARSE_PREFIX_CHARS, COARSE_STEP_CHARS);
	return {
		prefix: text.slice(start, cursorOffset),
		suffix: text.slice(cursorOffset, cursorOffset + COARSE_SUFFIX_CHARS),
		prefixOffset: start,
	};
}

/**
 * Limits the text around the cursor before it is tokenised: documents of several megabytes must never
 * be tokenised whole. The prefix keeps at most `maxPrefixChars`, cut at a step anchored to the
 * document (see ClampLimits) and then at the next line start when that keeps half the window.
 */
export function clampContext(prefix: string, suffix: string, limits: ClampLimits): ClampedContext {
	const maxPrefix = Math.max(0, Math.floor(limits.maxPrefixChars));
	const maxSuffix = Math.max(0, Math.floor(limits.maxSuffixChars));
	const prefixTruncated = prefix.length > maxPrefix;
	const suffixTruncated = suffix.length > maxSuffix;
	return {
		prefix: prefixTruncated ? keepEnd(prefix, limits.prefixOffset ?? 0, maxPrefix, limits.prefixCutStepChars) : prefix,
		suffix: suffixTruncated ? keepStart(suffix, maxSuffix) : suffix,
		prefixTruncated,
		suffixTruncated,
	};
}

/** `clampContext` on a window, keeping track of where its prefix now starts in the document. */
export function clampWindow(window: TextWindow, limits: Omit<ClampLimits, 'prefixOffset'>): TextWindow {
	const clamped = clampContext(window.prefix, window.suffix, { ...limits, prefixOffset: window.prefixOffset });
	return {
		prefix: clamped.prefix,
		suffix: clamped.suffix,
		prefixOffset: window.prefixOffset + window.prefix.length - clamped.prefix.length,
	};
}

/**
 * Where the prefix starts (an index into `prefix`) when only its last `fitChars` characters fit the
 * token budget of `budgetTokens`: at the first step boundary, anchored to the document, at or after
 * the first character that must go, then at the next line start when one is near.
 *
 * A token count goes down as well as up while a word is typed ("retur" is two tokens, "return" one),
 * so near a step boundary the cut would flap between two steps. `previousStart`, the document offset
 * where the last prompt for this document started, holds it: a start no further on than the next
 * step's cut stays where it was (typing moves a start on, never back; deleting a step brings text back).
 */
export function tokenBudgetCut(
	prefix: string,
	prefixOffset: number,
	fitChars: number,
	budgetTokens: number,
	previousStart?: number,
): number {
	const step = tokenCutStepChars(budgetTokens);
	const fits = fitChars >= prefix.length;
	const boundary = fits ? prefixOffset : anchoredCut(prefixOffset + prefix.length - Math.max(0, fitChars), step);
	const cut = fits ? 0 : snappedCut(prefix, boundary - prefixOffset);
	if (previousStart === undefined) return cut;
	const previous = previousStart - prefixOffset;
	const nextBoundary = (Math.floor(boundary / step) + 1) * step;
	return previous > cut && previous <= snappedCut(prefix, nextBoundary - prefixOffset) ? previous : cut;
}

/** The budget's cut at `at` (an index into `prefix`), moved to the next line start when one is near. */
function snappedCut(prefix: string, at: number): number {
	const cut = Math.min(prefix.length, at);
	const nextLine = prefix.indexOf('\n', cut);
	if (nextLine !== -1 && nextLine - cut < TOKEN_CUT_LINE_SNAP_CHARS) return nextLine + 1;
	return isLowSurrogate(prefix.charCodeAt(cut)) ? cut + 1 : cut;
}

/** The token budget's step in characters: a fixed stretch of the document for a given budget. */
export function tokenCutStepChars(budgetTokens: number): number {
	return Math.max(64, Math.round(budgetTokens * TOKEN_CUT_STEP_SHARE * CHARS_PER_TOKEN));
}

/**
 * The end of a suffix cut to `keptChars` characters (those that fit a token budget), moved back to
 * the last line end when one is near, so the model does not see half a line at the far edge.
 */
export function suffixBudgetEnd(suffix: string, keptChars: number): number {
	if (keptChars >= suffix.length) return suffix.length;
	const lastLine = suffix.lastIndexOf('\n', keptChars);
	if (lastLine !== -1 && keptChars - lastLine < TOKEN_CUT_LINE_SNAP_CHARS) return lastLine + 1;
	let end = keptChars;
	if (isLowSurrogate(suffix.charCodeAt(end))) end--;
	if (suffix[end - 1] === '\r' && suffix[end] === '\n') end--;
	return end;
}

/** The last characters of the prefix within `max`, from a step boundary, starting after a newline when one is near. */
function keepEnd(text: string, textOffset: number, max: number, step: number | undefined): string {
	if (max === 0) return '';
	const cut = Math.min(text.length, anchoredCut(textOffset + text.length - max, step) - textOffset);
	let window = text.slice(Math.max(0, cut));
	const newline = window.indexOf('\n');
	if (newline !== -1 && window.length - (newline + 1) >= window.length * MIN_KEPT_SHARE) {
		window = window.slice(newline + 1);
	} else if (isLowSurrogate(window.charCodeAt(0))) {
		// Never start with half of a surrogate pair.
		window = window.slice(1);
	}
	return window;
}

/** The first `max` characters of the suffix, ending after a newline when one is near the far end. */
function keepStart(text: string, max: number): string {
	if (max === 0) return '';
	let window = text.slice(0, max);
	const newline = window.lastIndexOf('\n');
	if (newline !== -1 && newline + 1 >= window.length * MIN_KEPT_SHARE) {
		window = window.slice(0, newline + 1);
	} else {
		if (isHighSurrogate(window.charCodeAt(window.length - 1))) window = window.slice(0, -1);
		// A cut between "\r" and "\n" would leave a stray carriage return.
		if (window.endsWith('\r')) window = window.slice(0, -1);
	}
	return window;
}

function isHighSurrogate(code: number): boolean {
	return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
	return code >= 0xdc00 && code <= 0xdfff;
}
