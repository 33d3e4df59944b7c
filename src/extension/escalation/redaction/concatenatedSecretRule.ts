import { findWithRules } from './findWithRules.js';
import type { SecretFinding } from './secretFinding.js';
import type { SecretRule } from './secretRule.js';

/**
 * A secret split across string literals joined in code: `"sk_live_51H" + "q8Zx…"` (JS, Java, Go,
 * C#), `'…' . '…'` (PHP), or adjacent literals that Python and C join (`("ghp_…"\n "…")`). The
 * pieces are joined, the other rules run on the joined value with the code that precedes it on its
 * line (so a name before it still counts), and a finding that spans two or more pieces is reported
 * as one finding per piece, each with the secret's kind: every piece is redacted, and each keeps
 * its quotes and the operator between them.
 */

/** A string literal without spaces or escapes: what a secret's pieces are. */
const LITERAL = /(["'`])([^\s"'`\\]{1,300})\1/g;
const NEXT_LITERAL = /(["'`])([^\s"'`\\]{1,300})\1/y;
/** Between two pieces: '+' or '.', or only blanks, with at most one line break (and a '\' before it). */
const JOIN = /[ \t]{0,40}(?:\+|\.)?[ \t]{0,40}(?:\\?\r?\n[ \t]{0,80}(?:\+|\.)?[ \t]{0,40})?/y;
const MAX_PIECES = 16;
/** Shorter joined values are no secret a rule would find. */
const MIN_JOINED = 10;

interface Piece {
	/** Offsets of the literal's content (inside the quotes) in the text. */
	readonly start: number;
	readonly end: number;
	/** Offset of the content in the joined value. */
	readonly at: number;
}

/** The pieces of a run of joined literals that starts with the literal matched at `first`. */
function runFrom(text: string, first: RegExpExecArray): Piece[] {
	const pieces: Piece[] = [{ start: first.index + 1, end: first.index + 1 + first[2]!.length, at: 0 }];
	let pos = first.index + first[0].length;
	let joined = first[2]!.length;
	while (pieces.length < MAX_PIECES) {
		JOIN.lastIndex = pos;
		const join = JOIN.exec(text)!;
		if (join[0].length === 0) {
			break; // '"a""b"' is a CSV escape or an error, not a join
		}
		NEXT_LITERAL.lastIndex = pos + join[0].length;
		const next = NEXT_LITERAL.exec(text);
		if (next === null) {
			break;
		}
		pieces.push({ start: next.index + 1, end: next.index + 1 + next[2]!.length, at: joined });
		joined += next[2]!.length;
		pos = next.index + next[0].length;
	}
	return pieces;
}

/** Offset of the start of the line holding `offset`, at most `reach` characters back. */
function lineStartBefore(text: string, offset: number, reach = 200): number {
	let start = offset;
	while (start > 0 && offset - start < reach && text[start - 1] !== '\n') {
		start--;
	}
	return start;
}

/** The rule, over `rules` (all rules but this one, in their order of precedence). */
export function concatenatedSecretRule(rules: () => readonly SecretRule[]): SecretRule {
	return {
		kinds: [],
		*find(text: string): Iterable<SecretFinding> {
			const literal = new RegExp(LITERAL.source, 'g');
			let match: RegExpExecArray | null;
			while ((match = literal.exec(text)) !== null) {
				const pieces = runFrom(text, match);
				const last = pieces[pieces.length - 1]!;
				literal.lastIndex = last.end + 1;
				const joinedLength = last.at + (last.end - last.start);
				if (pieces.length < 2 || joinedLength < MIN_JOINED) {
					continue;
				}
				const joined = pieces.map((piece) => text.slice(piece.start, piece.end)).join('');
				const quote = text[pieces[0]!.start - 1]!;
				const prefix = text.slice(lineStartBefore(text, match.index), pieces[0]!.start);
				const synthetic = `${prefix}${joined}${quote}`;
				for (const finding of findWithRules(rules(), synthetic)) {
					const from = finding.start - prefix.length;
					const to = finding.end - prefix.length;
					const spanned = pieces.filter((piece) => piece.at < to && piece.at + (piece.end - piece.start) > from);
					if (from < 0 || to > joined.length || spanned.length < 2) {
						continue; // one piece alone: the rules find it in the text itself
					}
					for (const piece of spanned) {
						const start = piece.start + Math.max(0, from - piece.at);
						const end = piece.start + Math.min(piece.end - piece.start, to - piece.at);
						yield { kind: finding.kind, label: finding.label, start, end };
					}
				}
			}
		},
	};
}
