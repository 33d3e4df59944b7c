#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ensureVocabularyFile, vocabularyFileName } from '../tooling/testModels/vocabularies.js';
import { CORPUS_FILE_NAME } from '../train/corpus/corpusRecord.js';
import { DEFAULT_MAX_DOCUMENT_TOKENS } from '../train/tokenize/documentTokens.js';
import { DEFAULT_SHARD_TOKENS } from '../train/tokenize/shardWriter.js';
import { tokenizeCorpus } from '../train/tokenize/tokenizeCorpus.js';
import { loadTrainingVocabulary } from '../train/tokenize/trainingVocabulary.js';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../tooling/cliArguments.js';
import { projectRoot } from '../tooling/projectRoot.js';

const USAGE = `Usage: npm run tokenize -- [options]

Tokenizes corpus.jsonl.gz (from npm run corpus) with StarCoder's vocabulary through node-llama-cpp
into token shards for training: train-NNNNN / heldout-NNNNN .tokens.gz and .docs.gz,
heldout-files.jsonl and manifest.json (format hearth-token-shards/1).

Options:
  --data DIR            folder with corpus.jsonl.gz; shards are written there (default models/recipe/data)
  --out DIR             write the shards elsewhere
  --max-doc-tokens N    longer files are split at line boundaries (default ${DEFAULT_MAX_DOCUMENT_TOKENS})
  --shard-tokens N      tokens per shard (default ${DEFAULT_SHARD_TOKENS})
  --force               write even though STATUS.md says a training run is reading the shards`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['help', 'force']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const data = path.resolve(stringOption(options, 'data') ?? path.join(projectRoot(), 'models', 'recipe', 'data'));
	const out = path.resolve(stringOption(options, 'out') ?? data);
	const corpusFile = path.join(data, CORPUS_FILE_NAME);
	if (!existsSync(corpusFile)) throw new UsageError(`${corpusFile} does not exist: run npm run corpus first`);
	// The trainer writes "TRAINING IN PROGRESS" into STATUS.md while it reads the shards.
	const status = path.join(out, 'STATUS.md');
	if (!options.has('force') && existsSync(status) && /TRAINING IN PROGRESS/.test(readFileSync(status, 'utf8'))) {
		throw new UsageError(`${status} says a training run is reading these shards; write elsewhere with --out, or --force`);
	}
	const vocabularyPath = await ensureVocabularyFile('starcoder');
	const vocabulary = await loadTrainingVocabulary(vocabularyPath);
	const startedAt = performance.now();
	try {
		const manifest = await tokenizeCorpus({
			corpusFile,
			outDirectory: out,
			tokenizer: vocabulary,
			vocabularyName: vocabularyFileName('starcoder'),
			vocabSize: vocabulary.vocabSize,
			maxDocumentTokens: integerOption(options, 'max-doc-tokens'),
			maxShardTokens: integerOption(options, 'shard-tokens'),
			log: (line) => console.error(line),
		});
		console.log(`special tokens: ${JSON.stringify(manifest.specialTokens)}, vocabulary ${manifest.vocabSize}`);
		for (const name of ['train', 'heldout'] as const) {
			const split = manifest.splits[name];
			console.log(
				`${name}: ${split.files} files, ${split.documents} documents, ${split.tokenCount} tokens in ${split.shards.length} shards`,
			);
			for (const [language, counts] of Object.entries(split.byLanguage).sort((a, b) => b[1].tokenCount - a[1].tokenCount)) {
				console.log(
					`  ${language.padEnd(12)} ${String(counts.files).padStart(6)} files ${String(counts.tokenCount).padStart(10)} tokens`,
				);
			}
			for (const shard of split.shards) {
				const bytes = (await stat(path.join(out, shard.tokens))).size;
				console.log(`  ${shard.tokens}: ${shard.documents} documents, ${shard.tokenCount} tokens, ${(bytes / 1e6).toFixed(2)} MB`);
			}
		}
		console.log(`wrote ${path.join(out, 'manifest.json')} in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
	} finally {
		await vocabulary.dispose();
	}
	return 0;
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => `Tokenizing failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
);
