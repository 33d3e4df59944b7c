import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Token } from 'node-llama-cpp';
import { silentLogger } from '../../src/engine/logger.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { ensureVocabularyFile } from '../../src/tooling/testModels/vocabularies.js';
import { buildCorpus, type CorpusBuildResult } from '../../src/train/corpus/buildCorpus.js';
import { readCorpusRecords, type CorpusRecord } from '../../src/train/corpus/corpusRecord.js';
import { readHeldoutDocuments, readHeldoutFiles } from '../../src/train/eval/heldoutData.js';
import { heldoutPerplexity, windowLogProbabilities } from '../../src/train/eval/perplexity.js';
import { readShardDocuments } from '../../src/train/tokenize/shardReader.js';
import type { ShardManifest } from '../../src/train/tokenize/shardFormat.js';
import { tokenizeCorpus } from '../../src/train/tokenize/tokenizeCorpus.js';
import { loadTrainingVocabulary, type TrainingVocabulary } from '../../src/train/tokenize/trainingVocabulary.js';
import { repoRoot } from '../helpers/paths.js';

const fixturePackages = path.join(repoRoot, 'test', 'fixtures', 'corpus', 'packages');

/**
 * Exact byte-level BPE decoding (GPT-2's byte↔character table). llama.cpp's own detokenizer tidies
 * spaces before punctuation for this vocabulary ("a !== b" comes back as "a!== b"), so it cannot
 * show that the shards hold the text exactly.
 */
function byteLevelDecoder(pieces: readonly string[]): (tokens: readonly number[]) => string {
	const byteOf = new Map<string, number>();
	let next = 256;
	for (let byte = 0; byte < 256; byte++) {
		const printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
		byteOf.set(String.fromCharCode(printable ? byte : next++), byte);
	}
	return (tokens) =>
		Buffer.from(tokens.flatMap((token) => [...pieces[token]!].map((character) => byteOf.get(character)!))).toString('utf8');
}

describe('training data: corpus → token shards → evaluation inputs', function () {
	this.timeout(120_000);
	let directory: string;
	let corpus: CorpusBuildResult;
	let records: CorpusRecord[];
	let vocabulary: TrainingVocabulary;
	let manifest: ShardManifest;

	before(async function () {
		directory = await mkdtemp(path.join(os.tmpdir(), 'hearth-training-data-'));
		// Half held out, so that the tiny fixture corpus has files in both splits.
		corpus = await buildCorpus({
			roots: [{ kind: 'npm', directory: fixturePackages }],
			outDirectory: directory,
			maxBytes: 1_000_000,
			seed: 1,
			heldoutFraction: 0.5,
		});
		records = [];
		for await (const record of readCorpusRecords(corpus.files.corpus)) records.push(record);
		vocabulary = await loadTrainingVocabulary(await ensureVocabularyFile('starcoder'));
		// Small documents and shards, so that splitting and several shards are exercised.
		manifest = await tokenizeCorpus({
			corpusFile: corpus.files.corpus,
			outDirectory: directory,
			tokenizer: vocabulary,
			vocabularyName: 'ggml-vocab-starcoder.gguf',
			vocabSize: vocabulary.vocabSize,
			maxDocumentTokens: 96,
			maxShardTokens: 300,
		});
	});

	after(async function () {
		await vocabulary?.dispose();
		if (directory) await rm(directory, { recursive: true, force: true });
	});

	it('keeps the permissive, clean, distinct files, with origin and licence', function () {
		assert.deepEqual(
			records.map((record) => record.path).sort(),
			['mit-utils/src/numbers.ts', 'py-helpers/helpers.py', records.find((record) => record.path.includes('strings'))!.path].sort(),
		);
		const helpers = records.find((record) => record.path === 'py-helpers/helpers.py')!;
		assert.equal(helpers.origin, 'npm:py-helpers@0.3.1');
		assert.equal(helpers.licence, 'MIT OR Apache-2.0');
		assert.equal(helpers.language, 'python');
		const sources = JSON.parse(readFileSync(corpus.files.sources, 'utf8')) as {
			totals: { files: number };
			rejectedForLicence: { package: string; licence: string }[];
		};
		assert.equal(sources.totals.files, 3);
		assert.deepEqual(sources.rejectedForLicence.map((entry) => `${entry.package} ${entry.licence}`).sort(), [
			'gpl-tool GPL-3.0-or-later',
			'no-licence unknown',
		]);
	});

	it('counts every skipped file under its reason: Latin-1, GPL, unknown licence, minified, generated, near duplicate', function () {
		const skipped = corpus.skipped;
		assert.equal(skipped['not-utf8']?.files, 1);
		assert.match(skipped['not-utf8']!.examples[0]!, /legacy\.js/);
		assert.equal(skipped['licence-not-allowed']?.files, 1);
		assert.match(skipped['licence-not-allowed']!.examples[0]!, /gpl-tool\/index\.js \(GPL-3\.0-or-later\)/);
		assert.equal(skipped['licence-unknown']?.files, 1);
		assert.equal(skipped['minified']?.files, 1);
		assert.match(skipped['minified']!.examples[0]!, /bundle\.js/);
		assert.equal(skipped['generated']?.files, 1);
		assert.equal(skipped['near-duplicate']?.files, 1);
		assert.match(skipped['near-duplicate']!.examples[0]!, /strings(Copy)?\.ts ≈ .*strings(Copy)?\.ts/);
		// README.md and the four package.json files.
		assert.equal(skipped['not-source-code']?.files, 5);
		assert.ok(existsSync(path.join(directory, 'skipped.json')));
	});

	it("reads the special token ids from the vocabulary: StarCoder2's, with <file_sep> as the file header", function () {
		assert.deepEqual(manifest.specialTokens, { endoftext: 0, fim_prefix: 1, fim_middle: 2, fim_suffix: 3, fim_pad: 4, filename: 6 });
		assert.equal(manifest.specialTokenTexts.filename, '<file_sep>');
		assert.equal(manifest.vocabSize, 49152);
		assert.equal(manifest.format, 'hearth-token-shards/1');
	});

	it('round-trips: every document is <header>path\\ncode<|endoftext|>, long files split at lines, across several shards', async function () {
		assert.ok(manifest.splits.train.shards.length + manifest.splits.heldout.shards.length >= 2);
		const pieces = (vocabulary.model.fileInfo.metadata as unknown as { tokenizer: { ggml: { tokens: string[] } } }).tokenizer.ggml
			.tokens;
		const decode = byteLevelDecoder(pieces);
		const texts = new Map<string, string>();
		for (const split of ['train', 'heldout'] as const) {
			let documents = 0;
			let tokens = 0;
			for (const shard of manifest.splits[split].shards) {
				for (const document of await readShardDocuments(directory, shard)) {
					documents++;
					tokens += document.tokens.length;
					assert.ok(document.tokens.length <= 96);
					assert.equal(document.tokens[0], manifest.specialTokens.filename);
					assert.equal(document.tokens.at(-1), manifest.specialTokens.endoftext);
					const ids = Array.from(document.tokens);
					const header = decode(ids.slice(1, document.headerTokenCount));
					const whole = decode(ids.slice(1, -1));
					assert.ok(header.endsWith('\n') || /\n\s*$/.test(header), JSON.stringify(header));
					const filePath = whole.slice(0, whole.indexOf('\n'));
					assert.ok(header.startsWith(`${filePath}\n`));
					texts.set(filePath, (texts.get(filePath) ?? '') + whole.slice(filePath.length + 1));
				}
			}
			assert.equal(documents, manifest.splits[split].documents);
			assert.equal(tokens, manifest.splits[split].tokenCount);
		}
		for (const record of records) assert.equal(texts.get(record.path), record.text, record.path);
		assert.ok(
			manifest.splits.train.documents + manifest.splits.heldout.documents > records.length,
			'long files became several documents',
		);
	});

	it("lists the held-out files with their text and their documents' place in the shards", async function () {
		const files = await readHeldoutFiles(directory);
		assert.deepEqual(
			files.map((file) => file.path).sort(),
			records
				.filter((record) => record.split === 'heldout')
				.map((record) => record.path)
				.sort(),
		);
		const documents = await readHeldoutDocuments(directory, files);
		assert.equal(documents.length, manifest.splits.heldout.documents);
		assert.ok(documents.every((document) => document.language !== 'unknown'));
	});

	describe('perplexity through llama.cpp', function () {
		let loaded: LoadedModel;
		before(async function () {
			loaded = await loadModel({
				modelPath: await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }),
				threads: 2,
				contextSize: 512,
				gpu: 'off',
				logger: silentLogger,
			});
		});
		after(async function () {
			await loaded?.dispose();
		});

		it('is the log-softmax over the whole vocabulary, the same across its evaluation chunks', async function () {
			const sequence = loaded.sequences[0]!;
			// Longer than one chunk (32 positions), so positions after a chunk boundary are checked too.
			const tokens = vocabulary.tokenizeText(
				'function add(a, b) {\n\treturn a + b;\n}\n\nfunction scale(values, factor) {\n\treturn values.map((value) => value * factor);\n}\n',
			) as number[];
			assert.ok(tokens.length > 40, `${tokens.length} tokens`);
			const logProbabilities = await windowLogProbabilities(sequence, tokens);
			// Reference: every position's full logits from one evaluation, normalised here.
			await sequence.clearHistory();
			const reference = await sequence.controlledEvaluate(
				tokens.map((token) => [token as Token, { generateNext: { logits: true } }]),
			);
			for (let index = 0; index < tokens.length - 1; index++) {
				const logits = [...reference[index]!.next.logits!.values()];
				assert.ok(logits.length > 30_000, `the whole vocabulary, not a sampler's shortlist: ${logits.length}`);
				const max = Math.max(...logits);
				const expected =
					reference[index]!.next.logits!.get(tokens[index + 1]! as Token)! -
					max -
					Math.log(logits.reduce((sum, logit) => sum + Math.exp(logit - max), 0));
				assert.ok(
					Math.abs(logProbabilities[index]! - expected) < 1e-3,
					`position ${index}: ${logProbabilities[index]} vs ${expected}`,
				);
			}
		});

		it('scores held-out documents per language within the token cap', async function () {
			const documents = await readHeldoutDocuments(directory, await readHeldoutFiles(directory));
			const result = await heldoutPerplexity(loaded.sequences[0]!, documents, { maxTokens: 100, windowTokens: 64 });
			assert.ok(result.tokens > 0 && result.tokens <= 100);
			assert.ok(Number.isFinite(result.perplexity) && result.perplexity > 1);
			assert.ok(Object.keys(result.byLanguage).length >= 1);
		});
	});
});
