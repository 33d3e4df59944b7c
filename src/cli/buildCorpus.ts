#!/usr/bin/env node
import path from 'node:path';
import { buildCorpus, DEFAULT_MAX_FILE_BYTES } from '../train/corpus/buildCorpus.js';
import { defaultSourceRoots, parseRootsOption } from '../train/corpus/sourceRoots.js';
import { integerOption, parseArguments, runCli, UsageError } from './cliArguments.js';
import { projectRoot } from './projectRoot.js';

const USAGE = `Usage: npm run corpus -- [options]

Builds the training corpus from permissively licensed source code installed on this machine
(Debian's node-* libraries, Python's standard library and Debian Python packages, golang-src,
rust-src, the project's node_modules), recording each file's origin and licence.
Writes corpus.jsonl.gz, sources.json and skipped.json.

Options:
  --out DIR            output folder (default models/recipe/data)
  --max-bytes N        total text budget in bytes (default 60000000)
  --max-file-bytes N   larger files are skipped (default ${DEFAULT_MAX_FILE_BYTES})
  --roots LIST         comma-separated npm:DIR and debian:DIR[=BASE] instead of the defaults
  --heldout-fraction F share of files held out for evaluation, by a hash of their path (default 0.02)
  --seed N             order of sampling within each language (default 1)`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['help']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const out = path.resolve(stringOption(options.get('out')) ?? path.join(projectRoot(), 'models', 'recipe', 'data'));
	const rootsOption = stringOption(options.get('roots'));
	const found = rootsOption === undefined ? defaultSourceRoots(projectRoot()) : { roots: parseRootsOption(rootsOption), looked: undefined };
	if (found.looked) {
		for (const { location, found: present } of found.looked) console.error(`${present ? 'found  ' : 'missing'} ${location}`);
	}
	const startedAt = performance.now();
	const result = await buildCorpus({
		roots: found.roots,
		looked: found.looked,
		outDirectory: out,
		maxBytes: integerOption(options, 'max-bytes') ?? 60_000_000,
		maxFileBytes: integerOption(options, 'max-file-bytes'),
		seed: integerOption(options, 'seed') ?? 1,
		heldoutFraction: fractionOption(stringOption(options.get('heldout-fraction'))),
		log: (line) => console.error(line),
	});
	const { totals, byLanguage, byLicence } = result.sources;
	console.log(`${totals.files} files, ${(totals.bytes / 1e6).toFixed(2)} MB (train ${totals.train.files} files, held out ${totals.heldout.files}) in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
	console.log('\nby language:');
	for (const [language, tally] of Object.entries(byLanguage)) {
		console.log(`  ${language.padEnd(12)} ${String(tally.files).padStart(6)} files ${(tally.bytes / 1e6).toFixed(2).padStart(7)} MB  (budget ${(tally.budgetBytes / 1e6).toFixed(2)} MB of ${(tally.candidateBytes / 1e6).toFixed(2)} MB candidates)`);
	}
	console.log('\nby licence:');
	for (const [licence, tally] of Object.entries(byLicence)) console.log(`  ${licence.padEnd(28)} ${String(tally.files).padStart(6)} files ${(tally.bytes / 1e6).toFixed(2).padStart(7)} MB`);
	console.log('\nskipped:');
	for (const [reason, summary] of Object.entries(result.skipped)) console.log(`  ${reason.padEnd(28)} ${String(summary.files).padStart(7)} files  e.g. ${summary.examples[0] ?? ''}`);
	console.log(`\nwrote ${result.files.corpus}, ${path.basename(result.files.sources)}, ${path.basename(result.files.skipped)}`);
	return 0;
}

function fractionOption(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const fraction = Number(value);
	if (!(fraction >= 0 && fraction <= 1)) throw new UsageError('--heldout-fraction must be a number from 0 to 1');
	return fraction;
}

function stringOption(value: string | true | undefined): string | undefined {
	if (value === true) throw new UsageError('option needs a value');
	return value;
}

runCli(() => main(process.argv.slice(2)), USAGE, (error) => `Building the corpus failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
