/**
 * The code of a text with its comments taken out, in a form where two versions compare equal exactly
 * when they differ only in comments. Taking the comment characters out is not enough: the layout
 * that exists only for a comment must go with it, or a comment reflowed over more lines would count
 * as a code change (its new line's indentation and line break are not code). So, per group of
 * comments (comments separated only by spaces count as one):
 *
 * - alone on its line(s): the whole line goes, indentation and line break included;
 * - before code on its line: the comment and the spaces after it go (the line keeps its indentation);
 * - after code on its line: the spaces before it and the comment go (not the line break);
 * - between code on both sides: it becomes a single space, as the compiler reads it, so that
 *   `a/* x *\/b` turned into `ab` is caught while `a /* x *\/ + b` may be reworded freely.
 *
 * Everything else, whitespace included, must stay byte for byte.
 */

import { lineStartOf, nextLineStart } from './lexText.js';

export interface CodeSpan {
	kind: 'code' | 'comment';
	start: number;
	end: number;
}

export interface CodeSkeleton {
	text: string;
	/** For each character of `text`, its offset in the source (for the space standing for an inline comment, the comment's start). */
	sourceOffsets: number[];
}

interface Removal {
	start: number;
	end: number;
	replacement: string;
	commentStart: number;
}

const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v';

export function codeSkeleton(source: string, spans: readonly CodeSpan[]): CodeSkeleton {
	const inComment = new Uint8Array(source.length);
	for (const span of spans) if (span.kind === 'comment') inComment.fill(1, span.start, span.end);

	const removals: Removal[] = [];
	let endsWithCommentLine = false;
	for (const group of commentGroups(spans, source)) {
		const hasCodeBefore = codeOnLineBefore(source, inComment, group.start);
		let after = group.end;
		while (after < source.length && isBlank(source[after]) && source[after] !== '\n') after++;
		const hasCodeAfter = after < source.length && source[after] !== '\n';
		let before = group.start;
		while (before > 0 && (source[before - 1] === ' ' || source[before - 1] === '\t')) before--;

		if (!hasCodeBefore && !hasCodeAfter) {
			const end = nextLineStart(source, group.end);
			removals.push({ start: lineStartOf(source, group.start), end, replacement: '', commentStart: group.start });
			endsWithCommentLine = end === source.length && source[end - 1] !== '\n';
		} else if (!hasCodeBefore) {
			removals.push({ start: group.start, end: after, replacement: '', commentStart: group.start });
		} else if (!hasCodeAfter) {
			removals.push({ start: before, end: trimLineBreak(source, after), replacement: '', commentStart: group.start });
		} else {
			removals.push({ start: before, end: after, replacement: ' ', commentStart: group.start });
		}
	}

	let text = '';
	const sourceOffsets: number[] = [];
	let position = 0;
	for (const removal of removals) {
		for (; position < removal.start; position++) {
			text += source[position];
			sourceOffsets.push(position);
		}
		for (const ch of removal.replacement) {
			text += ch;
			sourceOffsets.push(removal.commentStart);
		}
		position = Math.max(position, removal.end);
	}
	for (; position < source.length; position++) {
		text += source[position];
		sourceOffsets.push(position);
	}

	// A comment on the last line, with no line break after it, leaves the line break before it
	// behind; drop that too, so "code\n// note" equals "code" (the note was removed with its line).
	if (endsWithCommentLine && removals.at(-1)!.end === source.length) {
		const cut = text.endsWith('\r\n') ? 2 : text.endsWith('\n') ? 1 : 0;
		text = text.slice(0, text.length - cut);
		sourceOffsets.length = text.length;
	}
	return { text, sourceOffsets };
}

/** Comment spans merged when only spaces separate them (`/* a *\/ /* b *\/`, `/* a *\/ // b`). */
function commentGroups(spans: readonly CodeSpan[], source: string): { start: number; end: number }[] {
	const groups: { start: number; end: number }[] = [];
	for (const span of spans) {
		if (span.kind !== 'comment') continue;
		const last = groups.at(-1);
		if (last && /^[ \t]*$/.test(source.slice(last.end, span.start))) last.end = span.end;
		else groups.push({ start: span.start, end: span.end });
	}
	return groups;
}

function codeOnLineBefore(source: string, inComment: Uint8Array, position: number): boolean {
	for (let i = position - 1; i >= 0 && source[i] !== '\n'; i--) {
		if (!inComment[i] && !isBlank(source[i])) return true;
	}
	return false;
}

/** Keeps the "\r" of a "\r\n" line break out of a removal that ends at the line's end. */
function trimLineBreak(source: string, position: number): number {
	return source[position] === '\n' && source[position - 1] === '\r' ? position - 1 : position;
}
