import type { LlamaModel, Token } from 'node-llama-cpp';
import type { FimInput, FimTemplate, PromptPiece } from '../fim/fimTypes.js';

/** Prefix share of the prompt budget when both sides are long; the text before the cursor matters most. */
const PREFIX_SHARE = 0.75;

export interface PromptTokens {
	tokens: Token[];
	/** Characters of the prefix/suffix that fit the budget (the rest was cut at line boundaries). */
	prefixChars: number;
	suffixChars: number;
}

/**
 * Tokenises a FIM prompt within `budget` tokens. User text is tokenised without special-token
 * parsing, so a file that contains "<fim_prefix>" cannot inject a control token; only the template's
 * markers are parsed as special tokens. Over-long sides are cut at line boundaries far from the cursor.
 */
export function tokenizePrompt(model: LlamaModel, template: FimTemplate, input: FimInput, budget: number): PromptTokens {
	const markerOverhead = template.requiredSpecialTokens.length + 2;
	const available = Math.max(16, budget - markerOverhead);
	const suffix = template.supportsSuffix ? input.suffix : '';
	const suffixTokens = suffix ? model.tokenize(suffix, false) : [];
	const suffixBudget = Math.min(suffixTokens.length, Math.floor(available * (1 - PREFIX_SHARE)));
	const prefixTokens = model.tokenize(input.prefix, false);
	const prefixBudget = available - suffixBudget;

	const keptSuffix = suffixTokens.length > suffixBudget ? keepStart(model, suffix, suffixTokens, suffixBudget) : suffix;
	const keptPrefix = prefixTokens.length > prefixBudget ? keepEnd(model, input.prefix, prefixTokens, prefixBudget) : input.prefix;

	const pieces = template.build({ ...input, prefix: keptPrefix, suffix: keptSuffix });
	const tokens: Token[] = [];
	const bos = model.tokens.bos;
	if (model.tokens.shouldPrependBosToken && bos !== null) {
		tokens.push(bos);
	}
	for (const piece of pieces) {
		tokens.push(...tokenizePiece(model, piece));
	}
	return { tokens, prefixChars: keptPrefix.length, suffixChars: keptSuffix.length };
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

/** The last `budget` tokens' worth of `text`, starting at a line boundary when one is near. */
function keepEnd(model: LlamaModel, text: string, tokens: Token[], budget: number): string {
	const droppedChars = model.detokenize(tokens.slice(0, tokens.length - budget)).length;
	const nextLine = text.indexOf('\n', droppedChars);
	const cut = nextLine !== -1 && nextLine - droppedChars < 200 ? nextLine + 1 : droppedChars;
	return text.slice(Math.min(cut, text.length));
}

/** The first `budget` tokens' worth of `text`, ending at a line boundary when one is near. */
function keepStart(model: LlamaModel, text: string, tokens: Token[], budget: number): string {
	const keptChars = model.detokenize(tokens.slice(0, budget)).length;
	const lastLine = text.lastIndexOf('\n', keptChars);
	const cut = lastLine !== -1 && keptChars - lastLine < 200 ? lastLine + 1 : keptChars;
	return text.slice(0, cut);
}
