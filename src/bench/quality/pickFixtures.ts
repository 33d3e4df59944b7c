#!/usr/bin/env node
/**
 * Writes the quality replay's fixtures (test/fixtures/quality/) from a corpus folder made by
 * `npm run corpus` (its corpus.jsonl.gz): per language, held-out files the bundled model never
 * trained on, from as many different origins as there are, each with up to two files of its own
 * folder (any split) that the replay opens beside it as the package's other files. Run once; the
 * replay reads only what this writes, so it needs neither the corpus nor the installed sources.
 *
 *   node out/src/bench/quality/pickFixtures.js --corpus /work/evaldata/corpus [--per-language 6]
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import zlib from 'node:zlib';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../../tooling/cliArguments.js';
import {
	fixtureFilePath,
	QUALITY_LANGUAGES,
	qualityFixtureFolder,
	type QualityManifest,
	type QualityManifestFile,
} from './qualityFixtures.js';

const USAGE = 'Usage: node out/src/bench/quality/pickFixtures.js --corpus DIR [--per-language N] [--out DIR]';

interface CorpusLine {
	path: string;
	language: string;
	origin: string;
	licence: string;
	split: 'train' | 'heldout';
	bytes: number;
	text: string;
}

/** Big enough for points spread over a whole file, small enough that the coarse window is the whole file. */
const MIN_BYTES = 3_000;
const MAX_BYTES = 24_000;
const MAX_SIBLING_BYTES = 16_000;
const SIBLINGS = 2;
/** Declarations, translations and build output say little about what a person types. */
const SKIPPED = /(\.d\.ts$|\/locales?\/|\/build\/|\/dist\/|\.min\.)/;

async function main(argv: string[]): Promise<number> {
	const { options, positionals } = parseArguments(argv, []);
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const corpus = stringOption(options, 'corpus');
	if (corpus === undefined) throw new UsageError('--corpus DIR is required');
	const perLanguage = integerOption(options, 'per-language', { min: 1, max: 50 }) ?? 6;
	const out = path.resolve(stringOption(options, 'out') ?? qualityFixtureFolder());

	const lines: CorpusLine[] = [];
	const input = fs.createReadStream(path.join(corpus, 'corpus.jsonl.gz')).pipe(zlib.createGunzip());
	for await (const line of createInterface({ input, crlfDelay: Infinity })) {
		if (line.trim() !== '') lines.push(JSON.parse(line) as CorpusLine);
	}
	const byFolder = new Map<string, CorpusLine[]>();
	for (const line of lines) {
		const key = `${line.origin}\u0000${path.posix.dirname(line.path)}`;
		byFolder.set(key, [...(byFolder.get(key) ?? []), line]);
	}

	const manifest: QualityManifest = {
		source: "held-out split of the bundled model's corpus (src/train/corpus/heldoutSplit.ts)",
		files: [],
	};
	fs.rmSync(out, { recursive: true, force: true });
	for (const language of QUALITY_LANGUAGES) {
		const candidates = lines
			.filter((line) => line.language === language && line.split === 'heldout' && line.bytes >= MIN_BYTES && line.bytes <= MAX_BYTES)
			.filter((line) => !SKIPPED.test(line.path))
			.sort((a, b) => order(`quality:${a.origin}/${a.path}`) - order(`quality:${b.origin}/${b.path}`));
		// Round-robin over origins, so that one big package does not make up a language.
		const picked: CorpusLine[] = [];
		const origins = new Set<string>();
		for (let pass = 0; picked.length < perLanguage && pass < 2; pass++) {
			for (const candidate of candidates) {
				if (picked.length >= perLanguage) break;
				if (picked.includes(candidate) || (pass === 0 && origins.has(candidate.origin))) continue;
				picked.push(candidate);
				origins.add(candidate.origin);
			}
		}
		for (const file of picked) {
			const siblings = (byFolder.get(`${file.origin}\u0000${path.posix.dirname(file.path)}`) ?? [])
				.filter((other) => other.path !== file.path && other.bytes <= MAX_SIBLING_BYTES && other.language === language)
				.sort((a, b) => order(`sibling:${a.path}`) - order(`sibling:${b.path}`))
				.slice(0, SIBLINGS);
			const entry: QualityManifestFile = {
				language,
				path: file.path,
				origin: file.origin,
				licence: file.licence,
				siblings: siblings.map((sibling) => ({ path: sibling.path, licence: sibling.licence, split: sibling.split })),
			};
			for (const written of [file, ...siblings]) {
				const target = fixtureFilePath(out, written.origin, written.path);
				fs.mkdirSync(path.dirname(target), { recursive: true });
				fs.writeFileSync(target, written.text);
			}
			manifest.files.push(entry);
		}
		process.stderr.write(`${language}: ${picked.length} files from ${origins.size} origin(s)\n`);
	}
	fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, '\t') + '\n');
	return 0;
}

/** A stable sort key for a string: the same order on every machine. */
function order(text: string): number {
	return createHash('sha1').update(text).digest().readUInt32BE(0);
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => `pickFixtures failed: ${error instanceof Error ? error.message : String(error)}`,
);
