import type { LlamaModel, Token } from 'node-llama-cpp';
import type { ContextChunk, FimInput, FimTemplate, PromptPiece } from '../fim/fimTypes.js';
import { suffixBudgetEnd, tokenBudgetCut } from './promptWindow.js';

/**
 * Shares of the prompt budget. The text before the cursor matters most; the text after it and the
 * chunks from elsewhere get fixed shares, never each other's leftovers, so that one growing part
 * does not move the cut of another (a moved cut costs re-evaluating everything after it).
 */
const SUFFIX_SHARE = 0.2;
const CONTEXT_CHUNK_SHARE = 0.15;
/**
 * In a prefix-suffix-middle prompt everything after the prefix is evaluated again on each
 * keystroke, so only the text nearest the cursor stays there: the rest of the cursor's line and
 * the next line, at most this many tokens. The far part moves ahead of the FIM part.
 */
const NEAR_SUFFIX_LINES = 2;
const NEAR_SUFFIX_MAX_TOKENS = 32;

export interface PromptInput extends FimInput {
	/** The document offset of `prefix[0]` (default 0), to which the budget's cut is anchored. */
	prefixOffset?: number;
	/** Where the last prompt for this document started (`prefixStart`), so that the cut does not flap. */
	previousPrefixStart?: number;
	/** Back the prefix off its last token, which generation re-spells (`healText`). */
	tokenHealing?: boolean;
}

export interface PromptTokens {
	tokens: Token[];
	/** Characters of the prefix that fit the budget (the rest was cut at a line boundary). */
	prefixChars: number;
	/** The document offset of the prompt's first prefix character. */
	prefixStart: number;
	/** Tokens the prefix may take (its fixed share of the budget). */
	prefixBudget: number;
	/** Characters of the suffix inside the FIM part. */
	suffixChars: number;
	/** Characters of the suffix moved ahead of the FIM part as a chunk of this file (PSM only). */
	farSuffixChars: number;
	/** Context chunks from elsewhere that fit their budget. */
	contextChunks: number;
	/** The end of the prefix left out of the prompt for token healing ('' when none). */
	healText: string;
	/**
	 * Tokens up to the end of the text before the cursor. In a prefix-suffix-middle prompt what
	 * follows (the suffix and the markers) is evaluated again on every keystroke; the part before it
	 * is what the next keystroke's prompt keeps.
	 */
	prefixEndToken: number;
}

/**
 * Tokenises a FIM prompt within `budget` tokens, laid out so that what changes least comes first:
 * context chunks from elsewhere, then the far part of the file after the cursor (for
 * prefix-suffix-middle families that have a multi-file format), then the FIM part. User text is
 * tokenised without special-token parsing, so a file that contains "<fim_prefix>" cannot inject a
 * control token; only the template's markers are parsed as special tokens.
 */
export function tokenizePrompt(model: LlamaModel, template: FimTemplate, input: PromptInput, budget: number): PromptTokens {
	const markerOverhead = template.requiredSpecialTokens.length + 2;
	const available = Math.max(16, budget - markerOverhead);
	const suffixBudget = template.supportsSuffix ? Math.floor(available * SUFFIX_SHARE) : 0;
	const chunkBudget = template.supportsContextChunks ? Math.floor(available * CONTEXT_CHUNK_SHARE) : 0;
	const prefixBudget = available - suffixBudget - chunkBudget;

	const suffix = template.supportsSuffix ? input.suffix : '';
	const splitSuffix = template.order === 'psm' && template.supportsContextChunks;
	const near = splitSuffix
		? keepStart(model, nearLines(suffix), Math.min(NEAR_SUFFIX_MAX_TOKENS, suffixBudget))
		: keepStart(model, suffix, suffixBudget);
	const nearSuffix = near.text;
	const farSuffix = splitSuffix ? keepStart(model, suffix.slice(nearSuffix.length), suffixBudget - near.tokenCount).text : '';

	const chunks = fitChunks(model, input.contextChunks ?? [], chunkBudget);
	if (farSuffix.trim() !== '') {
		chunks.push({ path: input.filePath ?? 'current file', text: farSuffix });
	}
	const prefixOffset = input.prefixOffset ?? 0;
	const prefix = input.prefix.slice(prefixCut(model, input.prefix, prefixOffset, prefixBudget, input.previousPrefixStart));
	const healText = input.tokenHealing === true ? lastTokenText(model, prefix) : '';

	const promptPrefix = prefix.slice(0, prefix.length - healText.length);
	const pieces = template.build({
		prefix: promptPrefix,
		suffix: nearSuffix,
		filePath: input.filePath,
		contextChunks: chunks,
	});
	const tokens: Token[] = [];
	const bos = model.tokens.bos;
	if (model.tokens.shouldPrependBosToken && bos !== null) {
		tokens.push(bos);
	}
	let prefixEndToken = 0;
	for (const piece of pieces) {
		tokens.push(...tokenizePiece(model, piece));
		if (piece.kind === 'text' && piece.text === promptPrefix) {
			prefixEndToken = tokens.length;
		}
	}
	return {
		tokens,
		prefixChars: prefix.length,
		prefixStart: prefixOffset + input.prefix.length - prefix.length,
		prefixBudget,
		suffixChars: nearSuffix.length,
		farSuffixChars: farSuffix.length,
		contextChunks: template.supportsContextChunks ? chunks.length - (farSuffix.trim() !== '' ? 1 : 0) : 0,
		healText,
		prefixEndToken,
	};
}

/** How much of the prefix's end is tokenised to find its last token (it ends where the prefix does). */
const HEAL_TAIL_CHARS = 256;

/**
 * The text of the prefix's last token, as the prompt tokenises it: what token healing takes off
 * the prompt. '' when the prefix is empty or its last token is not whole text on its own (part of a
 * multi-byte character), or when the prefix would be left empty (nothing to condition on).
 */
function lastTokenText(model: LlamaModel, prefix: string): string {
	// Byte-level BPE splits text into words before merging, so the tail's last token is the prefix's.
	const tokens = model.tokenize(prefix.slice(-HEAL_TAIL_CHARS), false, 'trimLeadingSpace');
	if (tokens.length === 0) return '';
	const text = model.detokenize(tokens.slice(-1));
	if (text === '' || text.includes('\uFFFD') || !prefix.endsWith(text) || text.length >= prefix.length) return '';
	return text;
}

function tokenizePiece(model: LlamaModel, piece: PromptPiece): Token[] {
	if (piece.text === '') {
		return [];
	}
	if (piece.kind === 'special') {
		return model.tokenize(piece.text, true);
	}
	// SentencePiece vocabularies add a space before the first word of every tokenisation; inside a
	// prompt assembled from pieces that space would be text the user never wrote.
	return model.tokenize(piece.text, false, 'trimLeadingSpace');
}

/** The rest of the cursor's line and the next lines, up to NEAR_SUFFIX_LINES line ends. */
function nearLines(suffix: string): string {
	let end = 0;
	for (let line = 0; line < NEAR_SUFFIX_LINES; line++) {
		const newline = suffix.indexOf('\n', end);
		if (newline === -1) {
			return suffix;
		}
		end = newline + 1;
	}
	return suffix.slice(0, end);
}

/** Chunks in their given order while they fit; a chunk that does not fit is cut, and nothing after it is taken. */
function fitChunks(model: LlamaModel, chunks: readonly ContextChunk[], budget: number): ContextChunk[] {
	const fitted: ContextChunk[] = [];
	let left = budget;
	for (const chunk of chunks) {
		// The chunk's markers and path header count against the budget too.
		const cost = model.tokenize(chunk.path + '\n', false).length + 2;
		const tokens = model.tokenize(chunk.text, false).length;
		if (cost + tokens <= left) {
			fitted.push(chunk);
			left -= cost + tokens;
			continue;
		}
		if (left - cost > 32) {
			fitted.push({ path: chunk.path, text: keepStart(model, chunk.text, left - cost).text });
		}
		break;
	}
	return fitted;
}

/**
 * Where the prefix starts within `budget` tokens. When it is over, the cut lands on a step boundary
 * anchored to the document (promptWindow's tokenBudgetCut), so it stays at the same place for a
 * step's worth of typing and the KV cache of the prompt stays valid.
 */
function prefixCut(model: LlamaModel, text: string, textOffset: number, budget: number, previousStart: number | undefined): number {
	const tokens = model.tokenize(text, false);
	const fitChars =
		tokens.length <= budget ? text.length : budget <= 0 ? 0 : model.detokenize(tokens.slice(tokens.length - budget)).length;
	return tokenBudgetCut(text, textOffset, fitChars, budget, previousStart);
}

/**
 * The first `budget` tokens' worth of `text`, ending at a line boundary when one is near, with the
 * number of tokens it holds at most (so a caller can spend the rest without tokenising it again).
 */
function keepStart(model: LlamaModel, text: string, budget: number): { text: string; tokenCount: number } {
	if (budget <= 0 || text === '') {
		return { text: '', tokenCount: 0 };
	}
	const tokens = model.tokenize(text, false);
	if (tokens.length <= budget) {
		return { text, tokenCount: tokens.length };
	}
	const keptChars = model.detokenize(tokens.slice(0, budget)).length;
	return { text: text.slice(0, suffixBudgetEnd(text, keptChars)), tokenCount: budget };
}
