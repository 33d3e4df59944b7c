/**
 * Limits the text around the cursor before it is tokenized: documents of several megabytes
 * must never be tokenized whole. Cuts land on line boundaries when one is reasonably close,
 * so the model does not see half a line at the far edge of its context.
 */

export interface ClampLimits {
	maxPrefixChars: number;
	maxSuffixChars: number;
	/**
	 * When set, the prefix's cut moves in steps of this many characters from the document start
	 * instead of with every character typed: the start of the prompt then stays the same for a
	 * whole step of typing, and with it the KV cache of everything that follows.
	 */
	prefixCutStepChars?: number;
}

export interface ClampedContext {
	prefix: string;
	suffix: string;
	prefixTruncated: boolean;
	suffixTruncated: boolean;
}

/**
 * Where a cut that must drop at least `excess` units from the start lands when it moves in whole
 * steps: the same place for a step's worth of growth, so the text after it (and the KV cache of it)
 * does not change with every character typed.
 */
export function steppedCut(excess: number, step: number): number {
	return excess <= 0 ? 0 : Math.ceil(excess / step) * step;
}

/** A line boundary is used only if snapping to it keeps at least this share of the window. */
const MIN_KEPT_SHARE = 0.5;

export function clampContext(prefix: string, suffix: string, limits: ClampLimits): ClampedContext {
	const maxPrefix = Math.max(0, Math.floor(limits.maxPrefixChars));
	const maxSuffix = Math.max(0, Math.floor(limits.maxSuffixChars));
	const prefixTruncated = prefix.length > maxPrefix;
	const suffixTruncated = suffix.length > maxSuffix;
	return {
		prefix: prefixTruncated ? keepEnd(prefix, maxPrefix, limits.prefixCutStepChars) : prefix,
		suffix: suffixTruncated ? keepStart(suffix, maxSuffix) : suffix,
		prefixTruncated,
		suffixTruncated,
	};
}

/** The last `max` characters of the prefix, starting after a newline when one is near the far end. */
function keepEnd(text: string, max: number, step: number | undefined): string {
	if (max === 0) return '';
	const cut = step !== undefined && step > 0 ? steppedCut(text.length - max, step) : text.length - max;
	let window = text.slice(Math.min(cut, text.length));
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
