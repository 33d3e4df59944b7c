/**
 * A conservative count of the tokens a text takes in a frontier model's tokenizer, without shipping
 * a tokenizer (they are megabytes and differ by vendor). It is for the preview's estimate and the
 * cost range, so it errs high: under-stating what a request costs is the mistake to avoid.
 *
 * The heuristic takes the larger of two counts:
 * - characters / 3: byte-pair tokenizers (OpenAI's o200k and cl100k, Anthropic's) average 3.5 to 4.5
 *   characters per token on source code and English;
 * - a pre-tokenizer count in the style of those tokenizers' own splitting regex: words with their
 *   leading space, numbers in groups of up to three digits, runs of punctuation, runs of whitespace;
 *   each piece is at least one token, long pieces one per four characters (letters) or two
 *   (punctuation), and every character outside Latin/Greek/Cyrillic script counts as a token of its
 *   own (CJK text and emoji take about one token per character or more).
 */
export function estimateTokens(text: string): number {
	if (text.length === 0) {
		return 0;
	}
	return Math.max(Math.ceil(text.length / 3), pieceCount(text));
}

const PIECES = /'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}{1,3}| ?[^\s\p{L}\p{N}]+|\s+/gu;
const WIDE_CHARACTER = /[^\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}\p{P}\p{S}\s]/u;

function pieceCount(text: string): number {
	let tokens = 0;
	for (const [piece] of text.matchAll(PIECES)) {
		const word = piece.trimStart();
		if (word === '') {
			tokens += 1; // whitespace runs (indentation) merge into one token, or a few
		} else if (/^\p{L}/u.test(word)) {
			tokens += [...word].some((character) => WIDE_CHARACTER.test(character)) ? [...word].length : Math.ceil(word.length / 4);
		} else if (/^\p{N}/u.test(word)) {
			tokens += 1;
		} else {
			tokens += Math.ceil([...word].length / 2);
		}
	}
	return tokens;
}

/** Per-message framing that chat models add around each message's content (role markers), per OpenAI's counting guide. */
export const TOKENS_PER_MESSAGE = 4;
/** The tokens that open the assistant's reply. */
export const TOKENS_PER_REPLY = 3;

/** The estimate for a whole chat request: every message's content plus the chat format's framing. */
export function estimateChatTokens(messages: readonly { content: string }[]): number {
	return messages.reduce((sum, message) => sum + TOKENS_PER_MESSAGE + estimateTokens(message.content), TOKENS_PER_REPLY);
}
