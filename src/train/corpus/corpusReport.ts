/**
 * Tallies of what went into the corpus, for sources.json: per origin (package and licence), per
 * language and per licence, and the origins whose licence kept them out.
 */
import type { CorpusRecord } from './corpusRecord.js';
import type { Language } from './languages.js';

export interface Tally {
	files: number;
	bytes: number;
}

function add(map: Map<string, Tally>, key: string, bytes: number): void {
	const tally = map.get(key) ?? { files: 0, bytes: 0 };
	tally.files++;
	tally.bytes += bytes;
	map.set(key, tally);
}

export class CorpusTally {
	private readonly byOrigin = new Map<string, Tally & { licences: Set<string> }>();
	private readonly byLanguage = new Map<string, Tally>();
	private readonly byLicence = new Map<string, Tally>();
	private readonly bySplit = new Map<string, Tally>();
	private readonly rejected = new Map<string, Tally>();

	addRecord(record: CorpusRecord): void {
		const origin = this.byOrigin.get(record.origin) ?? { files: 0, bytes: 0, licences: new Set<string>() };
		origin.files++;
		origin.bytes += record.bytes;
		origin.licences.add(record.licence);
		this.byOrigin.set(record.origin, origin);
		add(this.byLanguage, record.language, record.bytes);
		add(this.byLicence, record.licence, record.bytes);
		add(this.bySplit, record.split, record.bytes);
	}

	addRejectedOrigin(origin: string, licence: string, bytes: number): void {
		add(this.rejected, `${origin}\u0000${licence}`, bytes);
	}

	toJSON(budgets: ReadonlyMap<Language, number>, available: ReadonlyMap<Language, number>) {
		const total = [...this.bySplit.values()].reduce(
			(sum, tally) => ({ files: sum.files + tally.files, bytes: sum.bytes + tally.bytes }),
			{ files: 0, bytes: 0 },
		);
		const sortedByBytes = <T extends Tally>(map: Map<string, T>) => [...map.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
		return {
			totals: {
				...total,
				train: this.bySplit.get('train') ?? { files: 0, bytes: 0 },
				heldout: this.bySplit.get('heldout') ?? { files: 0, bytes: 0 },
			},
			byLanguage: Object.fromEntries(
				sortedByBytes(this.byLanguage).map(([language, tally]) => [
					language,
					{
						...tally,
						budgetBytes: budgets.get(language as Language) ?? 0,
						candidateBytes: available.get(language as Language) ?? 0,
					},
				]),
			),
			byLicence: Object.fromEntries(sortedByBytes(this.byLicence)),
			origins: sortedByBytes(this.byOrigin).map(([origin, tally]) => ({
				origin,
				package: packageOf(origin),
				licence: [...tally.licences].sort().join(' | '),
				files: tally.files,
				bytes: tally.bytes,
			})),
			rejectedForLicence: sortedByBytes(this.rejected).map(([key, tally]) => {
				const [origin, licence] = key.split('\u0000') as [string, string];
				return { origin, package: packageOf(origin), licence, files: tally.files, bytes: tally.bytes };
			}),
		};
	}
}

/** "npm:@scope/name@1.2.3" → "@scope/name"; "debian:golang-1.19-src" → "golang-1.19-src". */
function packageOf(origin: string): string {
	const withoutKind = origin.slice(origin.indexOf(':') + 1);
	const versionAt = withoutKind.lastIndexOf('@');
	return versionAt > 0 ? withoutKind.slice(0, versionAt) : withoutKind;
}
