/**
 * Builds the training corpus: finds candidate files under the roots, splits the byte budget between
 * languages, reads candidates in a seeded random order per language until each budget is spent
 * (skipping and counting what fails a check), and writes corpus.jsonl.gz, sources.json and
 * skipped.json.
 *
 * The per-origin cap: no origin (an npm package at a version, a Debian package) takes more than
 * `maxOriginShare` of the total budget; a file that would take its origin over the cap is skipped
 * and counted under "over-origin-cap", and the budget it leaves goes to other files of the
 * language, or to other languages. One exception: an origin that supplies more than half of a
 * language's candidate bytes is not capped in that language (Go's and Rust's standard libraries
 * are the whole of their languages here: capping them would shrink the language, not diversify it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CandidateFile } from './candidateFile.js';
import { ContentFilter } from './contentFilter.js';
import { CORPUS_FILE_NAME, writeCorpusRecords, type CorpusRecord } from './corpusRecord.js';
import { CorpusTally } from './corpusReport.js';
import { collectDebianFiles, DebianOwnership, SYSTEM_DEBIAN_LOCATIONS, type DebianLocations } from './debianPackages.js';
import { DEFAULT_HELDOUT_FRACTION, splitOf } from './heldoutSplit.js';
import { languageBudgets } from './languageBudgets.js';
import { LANGUAGE_WEIGHTS, type Language } from './languages.js';
import { ALLOWED_LICENCES } from './licencePolicy.js';
import { collectNpmFiles } from './npmPackages.js';
import { SkipLedger } from './skipLedger.js';
import type { FoundRoots, SourceRoot } from './sourceRoots.js';
import { unitInterval } from './stableHash.js';

export interface BuildCorpusOptions {
	readonly roots: readonly SourceRoot[];
	/** The default locations looked at, for the report (absent when --roots was given). */
	readonly looked?: FoundRoots['looked'];
	readonly outDirectory: string;
	/** Total text budget in bytes. */
	readonly maxBytes: number;
	readonly seed: number;
	readonly maxFileBytes?: number;
	readonly heldoutFraction?: number;
	readonly nearDuplicateThreshold?: number;
	/** Share of `maxBytes` one origin may take, unless it is most of its language (default 0.05; 1 turns the cap off). */
	readonly maxOriginShare?: number;
	/** Only files of these Debian packages are read from Debian roots (a sources list's debian.packages); default: any package. */
	readonly debianPackages?: readonly string[];
	/** Recorded in sources.json: the sources list the roots came from, if any. */
	readonly sourcesList?: unknown;
	readonly debianLocations?: DebianLocations;
	readonly log?: (line: string) => void;
}

export interface CorpusBuildResult {
	readonly records: number;
	readonly sources: ReturnType<CorpusTally['toJSON']>;
	readonly skipped: ReturnType<SkipLedger['toJSON']>;
	readonly files: { corpus: string; sources: string; skipped: string };
}

export const DEFAULT_MAX_FILE_BYTES = 200_000;
export const DEFAULT_MAX_ORIGIN_SHARE = 0.05;

export async function buildCorpus(options: BuildCorpusOptions): Promise<CorpusBuildResult> {
	const log = options.log ?? (() => undefined);
	const ledger = new SkipLedger();
	const tally = new CorpusTally();
	const candidates: CandidateFile[] = [];
	const sink = {
		maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
		accept: (candidate: CandidateFile) => void candidates.push(candidate),
		rejectForLicence: (origin: string, licence: string, bytes: number) => tally.addRejectedOrigin(origin, licence, bytes),
	};
	const debianPackages = options.debianPackages === undefined ? undefined : new Set(options.debianPackages);
	const ownership = new DebianOwnership(options.debianLocations ?? SYSTEM_DEBIAN_LOCATIONS);
	for (const root of options.roots) {
		const before = candidates.length;
		if (root.kind === 'npm') await collectNpmFiles(root.directory, ledger, sink);
		else await collectDebianFiles(root, ownership, ledger, sink, debianPackages);
		log(`${root.kind}:${root.directory}: ${candidates.length - before} candidate files`);
	}

	const queues = queuesByLanguage(candidates, options.seed);
	const available = new Map([...queues].map(([language, queue]) => [language, queue.reduce((sum, file) => sum + file.size, 0)]));
	const initialBudgets = languageBudgets(options.maxBytes, available, LANGUAGE_WEIGHTS);
	const budgets = new Map(initialBudgets);
	const filter = new ContentFilter(ledger, options.nearDuplicateThreshold ?? 0.85);
	const kept: { record: CorpusRecord; order: number }[] = [];
	const spent = new Map<Language, number>();
	const cursors = new Map<Language, number>();
	const maxOriginShare = options.maxOriginShare ?? DEFAULT_MAX_ORIGIN_SHARE;
	const originCap = maxOriginShare >= 1 ? Infinity : maxOriginShare * options.maxBytes;
	const mainstays = Number.isFinite(originCap) ? languageMainstays(queues, available) : [];
	const uncapped = new Set(mainstays.map(({ language, origin }) => `${language}\u0000${origin}`));
	for (const { language, origin, share } of mainstays)
		log(`not capped: ${origin} supplies ${(100 * share).toFixed(0)} % of the ${language} candidates`);
	const originBytes = new Map<string, number>();
	const overCap = (candidate: CandidateFile) =>
		!uncapped.has(`${candidate.language}\u0000${candidate.origin}`) &&
		(originBytes.get(candidate.origin) ?? 0) + candidate.size > originCap;
	const unreadBytes = (language: Language) =>
		queues
			.get(language)!
			.slice(cursors.get(language) ?? 0)
			.reduce((sum, file) => sum + (overCap(file) ? 0 : file.size), 0);

	// Rounds: each language reads until its budget is spent; what the checks threw away is then
	// handed again to the languages that still have unread files.
	for (let round = 0; round < 8; round++) {
		for (const [language, queue] of queues) {
			let cursor = cursors.get(language) ?? 0;
			let used = spent.get(language) ?? 0;
			const budget = budgets.get(language) ?? 0;
			while (cursor < queue.length && used < budget) {
				const candidate = queue[cursor++]!;
				if (overCap(candidate)) {
					ledger.record('over-origin-cap', `${candidate.relativePath} (${candidate.origin})`, candidate.size);
					continue;
				}
				const accepted = await filter.check(candidate);
				if (!accepted) continue;
				const record: CorpusRecord = {
					path: candidate.relativePath,
					language,
					origin: candidate.origin,
					licence: candidate.licence,
					split: splitOf(candidate.origin, candidate.relativePath, options.heldoutFraction ?? DEFAULT_HELDOUT_FRACTION),
					bytes: accepted.bytes,
					sha1: accepted.sha1,
					text: accepted.text,
				};
				kept.push({ record, order: unitInterval(`file-order:${options.seed}:${candidate.origin}/${candidate.relativePath}`) });
				used += accepted.bytes;
				originBytes.set(candidate.origin, (originBytes.get(candidate.origin) ?? 0) + accepted.bytes);
			}
			cursors.set(language, cursor);
			spent.set(language, used);
		}
		const totalSpent = [...spent.values()].reduce((sum, bytes) => sum + bytes, 0);
		const leftover = options.maxBytes - totalSpent;
		// Files of origins over the cap are not material any more: their language's unspent budget goes elsewhere.
		const unread = new Map([...queues.keys()].map((language) => [language, unreadBytes(language)]));
		if (leftover < options.maxBytes * 0.005 || [...unread.values()].every((bytes) => bytes === 0)) break;
		for (const [language, extra] of languageBudgets(leftover, unread, LANGUAGE_WEIGHTS)) {
			budgets.set(language, (spent.get(language) ?? 0) + extra);
		}
		log(`round ${round + 1}: ${totalSpent} bytes kept, ${leftover} bytes of budget handed on to languages with unread files`);
	}
	for (const [language, queue] of queues) {
		for (const candidate of queue.slice(cursors.get(language) ?? 0))
			ledger.record('over-language-budget', candidate.relativePath, candidate.size);
	}

	// Mixed order in the file: documents of all languages and packages interleave.
	kept.sort((a, b) => a.order - b.order);
	for (const { record } of kept) tally.addRecord(record);
	await mkdir(options.outDirectory, { recursive: true });
	const files = {
		corpus: path.join(options.outDirectory, CORPUS_FILE_NAME),
		sources: path.join(options.outDirectory, 'sources.json'),
		skipped: path.join(options.outDirectory, 'skipped.json'),
	};
	await writeCorpusRecords(
		files.corpus,
		kept.map(({ record }) => record),
	);
	const sources = tally.toJSON(initialBudgets, available);
	const skipped = ledger.toJSON();
	await writeFile(
		files.sources,
		JSON.stringify(
			{
				createdAt: new Date().toISOString(),
				seed: options.seed,
				maxBytes: options.maxBytes,
				maxFileBytes: sink.maxFileBytes,
				heldoutFraction: options.heldoutFraction ?? DEFAULT_HELDOUT_FRACTION,
				maxOriginShare,
				originCapBytes: Number.isFinite(originCap) ? Math.floor(originCap) : null,
				uncappedOrigins: mainstays,
				licencePolicy: {
					allowed: [...ALLOWED_LICENCES],
					rule: 'an OR expression needs one allowed alternative, an AND expression needs all; anything else is skipped',
				},
				languageWeights: LANGUAGE_WEIGHTS,
				looked: options.looked,
				roots: options.roots,
				sourcesList: options.sourcesList,
				...sources,
			},
			null,
			'\t',
		) + '\n',
	);
	await writeFile(files.skipped, JSON.stringify({ totalFiles: ledger.totalFiles, reasons: skipped }, null, '\t') + '\n');
	return { records: kept.length, sources, skipped, files };
}

/** Origins that supply more than half of a language's candidate bytes: the cap does not apply to them in that language. */
function languageMainstays(
	queues: ReadonlyMap<Language, readonly CandidateFile[]>,
	available: ReadonlyMap<Language, number>,
): { language: Language; origin: string; share: number }[] {
	const mainstays: { language: Language; origin: string; share: number }[] = [];
	for (const [language, queue] of queues) {
		const byOrigin = new Map<string, number>();
		for (const file of queue) byOrigin.set(file.origin, (byOrigin.get(file.origin) ?? 0) + file.size);
		const total = available.get(language) ?? 0;
		for (const [origin, bytes] of byOrigin)
			if (total > 0 && bytes > total / 2) mainstays.push({ language, origin, share: Math.round((1000 * bytes) / total) / 1000 });
	}
	return mainstays;
}

/**
 * The seeded reading order. TypeScript declaration files (.d.ts) rank behind implementation files:
 * node_modules holds far more declarations than TypeScript code, and people write code in the
 * editor, so declarations draw their keys from the upper half of the order only.
 */
function orderKey(seed: number, candidate: CandidateFile): number {
	const key = unitInterval(`${seed}:${candidate.origin}/${candidate.relativePath}`);
	return /\.d\.[cm]?ts$/.test(candidate.relativePath) ? 0.5 + key / 2 : key;
}

function queuesByLanguage(candidates: readonly CandidateFile[], seed: number): Map<Language, CandidateFile[]> {
	const queues = new Map<Language, CandidateFile[]>();
	for (const candidate of candidates) {
		const queue = queues.get(candidate.language);
		if (queue) queue.push(candidate);
		else queues.set(candidate.language, [candidate]);
	}
	for (const queue of queues.values()) {
		const keys = new Map(queue.map((candidate) => [candidate, orderKey(seed, candidate)]));
		queue.sort((a, b) => keys.get(a)! - keys.get(b)!);
	}
	// Highest weight first, so the order of reading (and thus which of two near duplicates is kept) does not depend on the file system.
	return new Map([...queues.entries()].sort((a, b) => LANGUAGE_WEIGHTS[b[0]] - LANGUAGE_WEIGHTS[a[0]]));
}
