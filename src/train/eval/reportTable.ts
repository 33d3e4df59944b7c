/** The short plain-text table `npm run eval` prints: scores per language and kind, then perplexity. */
import type { PerplexityResult } from './perplexity.js';
import type { ScoreLine, ScoreSummary } from './scoreSummary.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);

function scoreCells(line: ScoreLine | undefined): string {
	return line === undefined || line.tasks === 0
		? '      -       -     '
		: `${percent(line.exactMatch)} ${line.editSimilarity.toFixed(3).padStart(6)} ${String(line.tasks).padStart(4)}`;
}

export function formatReportTable(scores: ScoreSummary, perplexity: PerplexityResult | undefined): string {
	const lines = [
		`${'language'.padEnd(12)} | ${'single-line: EM    ES    n'.padEnd(26)} | ${'multi-line: EM    ES    n'.padEnd(26)} | ${'all: EM    ES    n'.padEnd(26)} | perplexity`,
	];
	const row = (
		name: string,
		line: ScoreSummary['byLanguage'][string] | (ScoreLine & { byKind: ScoreSummary['byKind'] }),
		ppl: number | undefined,
	) =>
		`${name.padEnd(12)} | ${scoreCells(line.byKind['single-line']).padEnd(26)} | ${scoreCells(line.byKind['multi-line']).padEnd(26)} | ${scoreCells(line).padEnd(26)} | ${ppl === undefined ? '-' : ppl.toFixed(2)}`;
	for (const [language, line] of Object.entries(scores.byLanguage))
		lines.push(row(language, line, perplexity?.byLanguage[language]?.perplexity));
	lines.push(row('overall', { ...scores.overall, byKind: scores.byKind }, perplexity?.perplexity));
	lines.push('EM: exact match, ES: edit similarity (1 - Levenshtein / longer length), n: tasks');
	if (perplexity)
		lines.push(
			`perplexity over ${perplexity.tokens} held-out tokens in ${perplexity.documents} documents (mean NLL ${perplexity.meanNll.toFixed(3)} nats)`,
		);
	return lines.join('\n');
}
