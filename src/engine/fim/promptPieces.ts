import type { PromptPiece } from './fimTypes.js';

/** A control marker, tokenized with special-token parsing. */
export function special(text: string): PromptPiece {
	return { kind: 'special', text };
}

/** User text, tokenized verbatim. */
export function text(value: string): PromptPiece {
	return { kind: 'text', text: value };
}

/**
 * Joins pieces into the prompt, dropping empty text pieces: an empty prefix or suffix adds
 * no tokens anyway, and leaving it out keeps prompt lists easy to compare and cache.
 * Adjacent text pieces are merged so that the tokenizer sees one continuous run of text
 * (splitting e.g. a file header from the prefix would change how the boundary tokenizes).
 */
export function joinPieces(pieces: readonly PromptPiece[]): PromptPiece[] {
	const out: PromptPiece[] = [];
	for (const piece of pieces) {
		if (piece.kind === 'text') {
			if (piece.text === '') continue;
			const last = out[out.length - 1];
			if (last !== undefined && last.kind === 'text') {
				out[out.length - 1] = text(last.text + piece.text);
				continue;
			}
		}
		out.push(piece);
	}
	return out;
}

/**
 * The prompt as one string, for logs, tests and debugging only. Never tokenize this string
 * with special-token parsing: user text that happens to look like a marker would become one.
 */
export function renderPromptForDisplay(pieces: readonly PromptPiece[]): string {
	return pieces.map((piece) => piece.text).join('');
}
