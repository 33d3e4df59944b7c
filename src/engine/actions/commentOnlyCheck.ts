import { codeLinesOf, commentSyntaxFor } from './commentSpans.js';

export type CommentOnlyVerdict = { ok: true } | { ok: false; reason: string };

/** Languages that are all prose: every change is allowed. */
const PROSE = new Set(['markdown', 'plaintext', 'restructuredtext', 'asciidoc', 'latex']);

/**
 * Whether `rewritten` differs from `original` in comments only. Lines that hold nothing but comments
 * may come and go (a comment reflowed over more lines, a doc comment added); every other line must
 * keep its code byte for byte, indentation included. An unknown language is refused rather than
 * risked: the diff is offered only when the check can vouch for it.
 */
export function checkCommentOnlyChange(original: string, rewritten: string, languageId: string): CommentOnlyVerdict {
	if (PROSE.has(languageId)) {
		return { ok: true };
	}
	const syntax = commentSyntaxFor(languageId);
	if (!syntax) {
		return { ok: false, reason: `Hearth cannot tell comments from code in ${languageId} files, so it cannot check that the code stayed the same` };
	}
	const before = codeLinesOf(original, syntax);
	const after = codeLinesOf(rewritten, syntax);
	const length = Math.max(before.length, after.length);
	for (let index = 0; index < length; index++) {
		const a = before[index];
		const b = after[index];
		if (a?.code !== b?.code) {
			if (a === undefined) {
				return { ok: false, reason: `the model added code: \`${b!.code.trim()}\`` };
			}
			if (b === undefined) {
				return { ok: false, reason: `the model removed code on line ${a.line}: \`${a.code.trim()}\`` };
			}
			const what = a.code.trim() === b.code.trim() ? 'the indentation or spacing of' : 'code on';
			return { ok: false, reason: `the model changed ${what} line ${a.line}: \`${a.code.trim()}\` became \`${b.code.trim()}\`` };
		}
	}
	return { ok: true };
}
