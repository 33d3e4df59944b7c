/**
 * The gate before a "Clean up docs" diff is offered: the model may reword, reflow, add or remove
 * comments and docstrings, and nothing else. Both versions are reduced to their code (see
 * codeSkeleton.ts) and must match byte for byte; indentation and trailing whitespace outside
 * comments count as code. Comments that tools read (`// @ts-ignore`, `# noqa`, `//go:embed`) count
 * as code too. A language we cannot lex is refused, not guessed.
 */

import { codeSkeleton, type CodeSpan } from './codeSkeleton.js';
import { commentSpanOffsets, isProseLanguage } from './commentSpans.js';
import { describeCodeDifference, type CodeDifference } from './describeCodeDifference.js';
import { isDirectiveComment } from './directiveComments.js';

export type { CodeDifference } from './describeCodeDifference.js';

export type CommentOnlyVerdict = { ok: true } | { ok: false; reason: string; firstDifference: CodeDifference };

export function checkCommentOnlyChange(original: string, rewritten: string, languageId: string): CommentOnlyVerdict {
	if (isProseLanguage(languageId)) return { ok: true };
	const originalSpans = commentSpanOffsets(original, languageId);
	const rewrittenSpans = commentSpanOffsets(rewritten, languageId);
	if (!originalSpans || !rewrittenSpans) {
		return {
			ok: false,
			reason: `Hearth cannot tell comments from code in ${languageId || 'this language'}, so it cannot check that only comments changed`,
			firstDifference: firstDifferentLine(original, rewritten),
		};
	}
	const before = codeSkeleton(original, withDirectivesAsCode(original, originalSpans));
	const after = codeSkeleton(rewritten, withDirectivesAsCode(rewritten, rewrittenSpans));
	if (before.text === after.text) return { ok: true };

	let index = 0;
	while (index < before.text.length && index < after.text.length && before.text[index] === after.text[index]) index++;
	return describeCodeDifference({
		original,
		rewritten,
		originalCode: before.text,
		rewrittenCode: after.text,
		index,
		originalOffset: before.sourceOffsets[index] ?? original.length,
		rewrittenOffset: after.sourceOffsets[index] ?? rewritten.length,
		originalComments: commentTexts(original, originalSpans),
		rewrittenComments: commentTexts(rewritten, rewrittenSpans),
	});
}

function withDirectivesAsCode(text: string, spans: readonly CodeSpan[]): CodeSpan[] {
	return spans.map((span) =>
		span.kind === 'comment' && isDirectiveComment(text.slice(span.start, span.end)) ? { ...span, kind: 'code' } : span,
	);
}

function commentTexts(text: string, spans: readonly CodeSpan[]): string {
	return spans
		.filter((span) => span.kind === 'comment')
		.map((span) => text.slice(span.start, span.end))
		.join('\n');
}

function firstDifferentLine(original: string, rewritten: string): CodeDifference {
	const a = original.split(/\r?\n/);
	const b = rewritten.split(/\r?\n/);
	let line = 0;
	while (line < a.length - 1 && line < b.length - 1 && a[line] === b[line]) line++;
	return { line: line + 1, originalText: a[line] ?? '', rewrittenText: b[line] ?? '' };
}
