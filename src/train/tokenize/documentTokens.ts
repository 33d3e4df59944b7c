/**
 * One corpus file as training documents: `<filename>` + path + "\n" + code, then `<|endoftext|>`,
 * exactly as the editor's StarCoder prompt puts a file header before the prefix. Path and code are
 * tokenized as ONE text (the engine merges the header with the prefix the same way), with special
 * tokens not parsed, so a file that contains "<fim_prefix>" teaches nothing about the marker.
 * Files longer than the cap are split at line boundaries, each piece with its own header.
 */
import type { Token } from 'node-llama-cpp';
import { lineChunks } from './lineChunks.js';
import type { SpecialTokenIds } from './shardFormat.js';

export interface DocumentTokenizer {
	readonly specialTokens: SpecialTokenIds;
	tokenizeText(text: string): Token[];
}

export interface TokenizedDocument {
	/** All tokens, from `<filename>` to the closing `<|endoftext|>`. */
	readonly tokens: number[];
	/** Tokens of `<filename>path\n` (including a token that joins the "\n" with the code's indentation). */
	readonly headerTokenCount: number;
}

export const DEFAULT_MAX_DOCUMENT_TOKENS = 8192;

/** A path on one line: the header ends at the first newline. */
export function headerPathText(filePath: string): string {
	return filePath.replace(/[\r\n]+/g, ' ').trim() + '\n';
}

/**
 * How many tokens of `joined` (the tokens of header + code) belong to the header: where they agree
 * with the header's own tokens, plus the one token that straddles the boundary when they do not.
 */
export function headerTokensIn(joined: readonly number[], headerAlone: readonly number[]): number {
	let common = 0;
	while (common < headerAlone.length && common < joined.length && joined[common] === headerAlone[common]) common++;
	return common === headerAlone.length ? common : Math.min(common + 1, joined.length);
}

export function tokenizeDocuments(
	tokenizer: DocumentTokenizer,
	filePath: string,
	code: string,
	maxTokens = DEFAULT_MAX_DOCUMENT_TOKENS,
): TokenizedDocument[] {
	const header = headerPathText(filePath);
	const headerAlone = tokenizer.tokenizeText(header) as number[];
	const whole = document(tokenizer, header, headerAlone, code);
	if (whole.tokens.length <= maxTokens) return [whole];
	// Two special tokens, the header and a margin for line counts that grow when lines are joined.
	const codeBudget = Math.max(64, Math.floor((maxTokens - 2 - headerAlone.length) * 0.95));
	const documents: TokenizedDocument[] = [];
	const pending = lineChunks(code, codeBudget, (line) => tokenizer.tokenizeText(line).length);
	while (pending.length > 0) {
		const piece = pending.shift()!;
		const tokenized = document(tokenizer, header, headerAlone, piece);
		if (tokenized.tokens.length <= maxTokens || piece.length < 2) {
			documents.push(
				tokenized.tokens.length <= maxTokens ? tokenized : truncate(tokenized, maxTokens, tokenizer.specialTokens.endoftext),
			);
			continue;
		}
		// The estimate was off: halve the piece at a line boundary (or in the middle) and retry.
		const middle = piece.lastIndexOf('\n', Math.floor(piece.length / 2));
		const cut = middle > 0 ? middle + 1 : Math.floor(piece.length / 2);
		pending.unshift(piece.slice(0, cut), piece.slice(cut));
	}
	return documents;
}

function document(tokenizer: DocumentTokenizer, header: string, headerAlone: readonly number[], code: string): TokenizedDocument {
	const joined = tokenizer.tokenizeText(header + code) as number[];
	const tokens = [tokenizer.specialTokens.filename, ...joined, tokenizer.specialTokens.endoftext];
	return { tokens, headerTokenCount: 1 + headerTokensIn(joined, headerAlone) };
}

function truncate(document: TokenizedDocument, maxTokens: number, endoftext: number): TokenizedDocument {
	return { tokens: [...document.tokens.slice(0, maxTokens - 1), endoftext], headerTokenCount: document.headerTokenCount };
}
