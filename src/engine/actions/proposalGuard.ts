/**
 * A rewrite is offered for review only when accepting it could not obviously do harm. Refused, with
 * a reason the editor shows instead of a diff:
 * - an empty rewrite (accepting it would delete the selection);
 * - a rewrite that drops most of the selection's code when the instruction did not ask to remove
 *   or shorten anything;
 * - a rewrite whose brackets no longer balance where the selection's did (parsable code made
 *   unparsable), counted in code only: comments and strings are skipped where the language's lexer
 *   knows them.
 */

import { commentSpanOffsets } from './commentSpans.js';

/** `reason`: a clause that completes "The refactor was not offered because …". */
export type ProposalVerdict = { ok: true } | { ok: false; reason: string };

/** A rewrite keeping less than this share of the selection's code characters "deletes most of it". */
const MOST_DELETED_SHARE = 0.4;
/** Below this many code characters a selection is too small for the share to mean anything. */
const MIN_CODE_FOR_SHARE = 40;
/** Instructions that ask for less code. */
const ASKS_TO_REMOVE = /\b(remove|delete|drop|strip|shorten|shrink|simplify|condense|inline|dedupe|deduplicate|minify|trim|cut)\b/i;

export function checkProposal(original: string, proposal: string, languageId: string, instruction = ''): ProposalVerdict {
	if (proposal.trim() === '') {
		return { ok: false, reason: 'the model proposed an empty rewrite, and accepting it would delete the selection' };
	}
	const before = codeCharacters(original, languageId);
	const after = codeCharacters(proposal, languageId);
	if (before >= MIN_CODE_FOR_SHARE && after < before * MOST_DELETED_SHARE && !ASKS_TO_REMOVE.test(instruction)) {
		const kept = Math.round((after / before) * 100);
		return {
			ok: false,
			reason: `the rewrite keeps only ${kept} % of the selection's code, and the instruction did not ask to remove anything`,
		};
	}
	const balancedBefore = bracketProblem(original, languageId) === undefined;
	const problem = bracketProblem(proposal, languageId);
	if (balancedBefore && problem !== undefined) {
		return { ok: false, reason: `the rewrite does not parse (${problem})` };
	}
	return { ok: true };
}

/** Non-blank characters of code, comments left out where the language's comments are known. */
function codeCharacters(text: string, languageId: string): number {
	return codeOnly(text, languageId).replace(/\s+/g, '').length;
}

function codeOnly(text: string, languageId: string): string {
	const spans = commentSpanOffsets(text, languageId);
	if (!spans) {
		return text;
	}
	return spans
		.filter((span) => span.kind === 'code')
		.map((span) => text.slice(span.start, span.end))
		.join(' ');
}

const CLOSER_OF: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const OPENER_OF: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** Why the code's brackets don't balance, or undefined when they do. String literals are skipped. */
function bracketProblem(text: string, languageId: string): string | undefined {
	const code = withoutStrings(codeOnly(text, languageId));
	const open: string[] = [];
	for (const ch of code) {
		if (CLOSER_OF[ch]) {
			open.push(ch);
		} else if (OPENER_OF[ch]) {
			const top = open.pop();
			if (top !== OPENER_OF[ch]) {
				return top === undefined ? `an unmatched "${ch}"` : `"${CLOSER_OF[top]}" expected where "${ch}" closes`;
			}
		}
	}
	return open.length > 0 ? `${open.length} unclosed "${open.at(-1)}"` : undefined;
}

/** Drops quoted strings on one line ('…', "…", `…`), escapes included: their brackets are not code. */
function withoutStrings(code: string): string {
	return code.replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
}
