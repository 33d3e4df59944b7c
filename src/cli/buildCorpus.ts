#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCorpus, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_ORIGIN_SHARE } from '../train/corpus/buildCorpus.js';
import { CORPUS_SOURCES_FORMAT, CorpusSourcesError, parseCorpusSources, type CorpusSources } from '../train/corpus/corpusSources.js';
import { DEFAULT_HELDOUT_FRACTION } from '../train/corpus/heldoutSplit.js';
import { prepareCorpusSources } from '../train/corpus/installSources.js';
import { defaultSourceRoots, parseRootsOption, type FoundRoots, type SourceRoot } from '../train/corpus/sourceRoots.js';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../tooling/cliArguments.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { messageOf } from '../shared/errorMessage.js';

const USAGE = `Usage: npm run corpus -- [options]

Builds the training corpus from permissively licensed source code, recording each file's origin
and licence. Writes corpus.jsonl.gz, sources.json and skipped.json.

Where the code comes from, one of:
  (default)            what this machine has installed: Debian's node-* libraries, Python's standard
                       library and Debian Python packages, golang-src, rust-src, the project's node_modules
  --sources FILE       a sources list (${CORPUS_SOURCES_FORMAT}, e.g. models/recipe/corpus-sources.json):
                       installs its Debian packages (apt-get, when run as root; otherwise it prints the
                       command) and its npm packages at their exact versions (npm install --ignore-scripts
                       --no-save into the scratch folder), then reads its roots. Its "build" settings
                       are the defaults of the options below. Only files of its Debian packages are
                       read from its Debian roots, whatever else the machine has installed.
  --roots LIST         comma-separated npm:DIR and debian:DIR[=BASE]

Options:
  --out DIR              output folder (default models/recipe/data)
  --max-bytes N          total text budget in bytes (default 60000000, or the sources list's)
  --max-file-bytes N     larger files are skipped (default ${DEFAULT_MAX_FILE_BYTES})
  --max-origin-share F   one origin (an npm package at a version, a Debian package) takes at most this
                         share of the budget; files over it are skipped and counted as over-origin-cap,
                         and their budget goes to other files. Not capped: an origin with more than half
                         of its language's candidates (Go's, Rust's standard library). Default ${DEFAULT_MAX_ORIGIN_SHARE};
                         1 turns the cap off, as the gpu-base corpus was built
  --heldout-fraction F   share of files held out for evaluation, by a hash of origin and path (default ${DEFAULT_HELDOUT_FRACTION})
  --seed N               order of sampling within each language (default 1)
  --scratch DIR          with --sources: where the npm packages are installed (default OUT/npm-scratch)
  --no-install           with --sources: install nothing; fail with the commands to run if something is missing

Examples: the sources of models/starter/hearth-starter-gpu-base with the default cap; the same
corpus as gpu-base was trained on (same files, same held-out split), then its token shards:
  npm run corpus -- --sources models/recipe/corpus-sources.json --out /tmp/corpus
  npm run corpus -- --sources models/recipe/corpus-sources.json --max-origin-share 1 --out /tmp/gpu-base
  npm run tokenize -- --data /tmp/gpu-base`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['help', 'no-install']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const out = path.resolve(stringOption(options, 'out') ?? path.join(projectRoot(), 'models', 'recipe', 'data'));
	const rootsOption = stringOption(options, 'roots');
	const sourcesOption = stringOption(options, 'sources');
	if (rootsOption !== undefined && sourcesOption !== undefined) throw new UsageError('--roots and --sources cannot be used together');
	if (sourcesOption === undefined && (options.has('scratch') || options.has('no-install')))
		throw new UsageError('--scratch and --no-install go with --sources');
	const startedAt = performance.now();
	let found: { roots: SourceRoot[]; looked: FoundRoots['looked'] | undefined };
	let sources: CorpusSources | undefined;
	let sourcesList: unknown;
	if (sourcesOption !== undefined) {
		const file = path.resolve(sourcesOption);
		let json: unknown;
		try {
			json = JSON.parse(await readFile(file, 'utf8'));
		} catch (error) {
			throw new UsageError(`--sources ${sourcesOption}: ${messageOf(error)}`);
		}
		sources = parseCorpusSources(json, projectRoot(), file);
		const scratch = path.resolve(stringOption(options, 'scratch') ?? path.join(out, 'npm-scratch'));
		const roots = await prepareCorpusSources(sources, {
			scratch,
			install: !options.has('no-install'),
			log: (line) => console.error(line),
		});
		found = { roots, looked: undefined };
		sourcesList = {
			file: path.relative(projectRoot(), file),
			debianPackages: sources.debianPackages,
			npmPackages: sources.npmPackages.map((spec) => `${spec.name}@${spec.version}`),
			scratch,
		};
	} else {
		found = rootsOption === undefined ? defaultSourceRoots(projectRoot()) : { roots: parseRootsOption(rootsOption), looked: undefined };
	}
	if (found.looked) {
		for (const { location, found: present } of found.looked) console.error(`${present ? 'found  ' : 'missing'} ${location}`);
	}
	const defaults = sources?.build ?? {};
	const maxBytes = integerOption(options, 'max-bytes') ?? defaults.maxBytes ?? 60_000_000;
	const result = await buildCorpus({
		roots: found.roots,
		looked: found.looked,
		outDirectory: out,
		maxBytes,
		maxFileBytes: integerOption(options, 'max-file-bytes') ?? defaults.maxFileBytes,
		seed: integerOption(options, 'seed') ?? defaults.seed ?? 1,
		heldoutFraction: fractionOption('heldout-fraction', stringOption(options, 'heldout-fraction')) ?? defaults.heldoutFraction,
		maxOriginShare: fractionOption('max-origin-share', stringOption(options, 'max-origin-share'), true) ?? defaults.maxOriginShare,
		debianPackages: sources?.debianPackages,
		sourcesList,
		log: (line) => console.error(line),
	});
	const { totals, byLanguage, byLicence } = result.sources;
	console.log(
		`${totals.files} files, ${(totals.bytes / 1e6).toFixed(2)} MB (train ${totals.train.files} files, held out ${totals.heldout.files}) in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`,
	);
	console.log('\nby language:');
	for (const [language, tally] of Object.entries(byLanguage)) {
		console.log(
			`  ${language.padEnd(12)} ${String(tally.files).padStart(6)} files ${(tally.bytes / 1e6).toFixed(2).padStart(7)} MB  (budget ${(tally.budgetBytes / 1e6).toFixed(2)} MB of ${(tally.candidateBytes / 1e6).toFixed(2)} MB candidates)`,
		);
	}
	console.log('\nbiggest origins:');
	for (const origin of result.sources.origins.slice(0, 10)) {
		console.log(
			`  ${origin.origin.padEnd(40)} ${String(origin.files).padStart(6)} files ${(origin.bytes / 1e6).toFixed(2).padStart(7)} MB ${((100 * origin.bytes) / Math.max(1, totals.bytes)).toFixed(1).padStart(5)} %`,
		);
	}
	console.log('\nby licence:');
	for (const [licence, tally] of Object.entries(byLicence))
		console.log(`  ${licence.padEnd(28)} ${String(tally.files).padStart(6)} files ${(tally.bytes / 1e6).toFixed(2).padStart(7)} MB`);
	console.log('\nskipped:');
	for (const [reason, summary] of Object.entries(result.skipped))
		console.log(`  ${reason.padEnd(28)} ${String(summary.files).padStart(7)} files  e.g. ${summary.examples[0] ?? ''}`);
	console.log(`\nwrote ${result.files.corpus}, ${path.basename(result.files.sources)}, ${path.basename(result.files.skipped)}`);
	return 0;
}

function fractionOption(name: string, value: string | undefined, aboveZero = false): number | undefined {
	if (value === undefined) return undefined;
	const fraction = Number(value);
	if (!(fraction >= 0 && fraction <= 1) || (aboveZero && fraction === 0))
		throw new UsageError(`--${name} must be a number ${aboveZero ? 'above 0, at most' : 'from 0 to'} 1`);
	return fraction;
}

// A problem with the sources list or with installing its sources is the user's to fix: the message says how, a stack would only hide it.
runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) =>
		`Building the corpus failed: ${error instanceof CorpusSourcesError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
);
