// Builds a model's tokenizer.* metadata from a llama.cpp vocabulary file:
// copied as is, then adjusted for the model (Qwen2.5's extra named tokens,
// padding to the embedding row count, explicit FIM token ids), and reports
// which token ids the random weights must make impossible to generate.

import { readGgufFile } from '../../engine/gguf/ggufReader.js';
import { GgufValueType, type GgufValue } from '../../engine/gguf/ggufTypes.js';
import { gguf, ggufNumber, ggufNumberArray, ggufStringArray } from '../../engine/gguf/ggufValues.js';
import type { TestTokenizer } from './shapes.js';
import {
	TokenType,
	addedTokenType,
	endOfGenerationIdKeys,
	endOfGenerationTexts,
	fimMetadataKeys,
	fimTokenTexts,
	qwen25AddedTokens,
	type FimRole,
} from './specialTokens.js';

export interface TokenizerMetadata {
	/** Every tokenizer.* entry, in the vocabulary file's order, FIM ids last. */
	readonly entries: ReadonlyArray<readonly [string, GgufValue]>;
	/** Number of tokens, which is also the number of embedding rows. */
	readonly vocabSize: number;
	readonly fimTokenIds: Readonly<Partial<Record<FimRole, number>>>;
	/**
	 * Sorted ids of every token that is not ordinary text: control, unused and
	 * user-defined tokens and anything llama.cpp treats as end of generation.
	 */
	readonly unreachableTokenIds: readonly number[];
}

/** The llama.cpp vocabulary file a tokenizer comes from. */
export function vocabularyForTokenizer(tokenizer: TestTokenizer): string {
	switch (tokenizer) {
		case 'qwen2.5':
			return 'qwen2';
		case 'starcoder1':
			return 'starcoder';
		default:
			return tokenizer;
	}
}

/**
 * llama.cpp's "starcoder" vocabulary is StarCoder2's. StarCoder (1) has the same BPE and FIM tokens
 * but spells its metadata tokens `<filename>` and `<reponame>` where StarCoder2 has `<file_sep>` and
 * `<repo_name>`; renaming those slots gives a StarCoder-1 vocabulary, the family trained with both
 * FIM orders.
 */
const starCoder1Renames: ReadonlyMap<string, string> = new Map([
	['<file_sep>', '<filename>'],
	['<repo_name>', '<reponame>'],
]);

function resize<T>(items: readonly T[], length: number, filler: (index: number) => T): T[] {
	const out = items.slice(0, length);
	for (let i = out.length; i < length; i++) out.push(filler(i));
	return out;
}

export function buildTokenizerMetadata(vocabularyPath: string, tokenizer: TestTokenizer, vocabSize?: number): TokenizerMetadata {
	const source = readGgufFile(vocabularyPath).metadata;
	const tokenList = ggufStringArray(source.get('tokenizer.ggml.tokens'));
	const typeList = ggufNumberArray(source.get('tokenizer.ggml.token_type'));
	if (tokenList === undefined || typeList === undefined || typeList.length !== tokenList.length) {
		throw new Error(`${vocabularyPath} has no usable tokenizer.ggml.tokens / token_type arrays`);
	}
	const scoreList = ggufNumberArray(source.get('tokenizer.ggml.scores'));
	let tokens = Array.from(tokenList);
	let types = Array.from(typeList);
	let scores = scoreList === undefined ? undefined : Array.from(scoreList);

	if (tokenizer === 'starcoder1') {
		tokens = tokens.map((text) => starCoder1Renames.get(text) ?? text);
	}
	if (tokenizer === 'qwen2.5') {
		for (const [id, text] of qwen25AddedTokens) {
			tokens[id] = text;
			types[id] = addedTokenType(text);
		}
	}

	const rows = vocabSize ?? tokens.length;
	if (rows < tokens.length) {
		// Dropping real text tokens would orphan BPE merges that produce them.
		const dropped = types.slice(rows).findIndex((type) => type === TokenType.NORMAL);
		if (dropped !== -1) {
			throw new RangeError(`vocab size ${rows} would drop ordinary token ${rows + dropped} (${tokens[rows + dropped]})`);
		}
	}
	tokens = resize(tokens, rows, (i) => `[PAD${i}]`);
	types = resize(types, rows, () => TokenType.UNUSED);
	scores = scores === undefined ? undefined : resize(scores, rows, () => 0);

	const idOfText = new Map<string, number>();
	tokens.forEach((text, id) => {
		if (!idOfText.has(text)) idOfText.set(text, id);
	});
	const fimTokenIds: Partial<Record<FimRole, number>> = {};
	for (const role of Object.keys(fimTokenTexts) as FimRole[]) {
		const id = fimTokenTexts[role].map((text) => idOfText.get(text)).find((found) => found !== undefined);
		if (id !== undefined) fimTokenIds[role] = id;
	}

	const entries: Array<readonly [string, GgufValue]> = [];
	const fimKeys = new Set(Object.values(fimMetadataKeys));
	for (const [key, value] of source) {
		if (!key.startsWith('tokenizer.') || fimKeys.has(key)) continue;
		if (key === 'tokenizer.ggml.tokens') entries.push([key, gguf.strings(tokens)]);
		else if (key === 'tokenizer.ggml.token_type') entries.push([key, gguf.i32s(Int32Array.from(types))]);
		else if (key === 'tokenizer.ggml.scores' && scores !== undefined) entries.push([key, gguf.f32s(Float32Array.from(scores))]);
		else entries.push([key, value]);
	}
	for (const role of Object.keys(fimTokenIds) as FimRole[]) {
		entries.push([fimMetadataKeys[role], { type: GgufValueType.UINT32, value: fimTokenIds[role]! }]);
	}

	const unreachable = new Set<number>();
	types.forEach((type, id) => {
		if (type !== TokenType.NORMAL && type !== TokenType.BYTE) unreachable.add(id);
	});
	tokens.forEach((text, id) => {
		if (endOfGenerationTexts.has(text)) unreachable.add(id);
	});
	const finalMetadata = new Map(entries);
	for (const key of endOfGenerationIdKeys) {
		const id = ggufNumber(finalMetadata.get(key));
		if (id !== undefined && id >= 0 && id < rows) unreachable.add(id);
	}

	return {
		entries,
		vocabSize: rows,
		fimTokenIds,
		unreachableTokenIds: [...unreachable].sort((a, b) => a - b),
	};
}
