/** Averages of the task scores, overall, per language, per kind of middle, and per both. */
import type { TaskResult } from './fimEvaluation.js';

export interface ScoreLine {
	readonly tasks: number;
	readonly exactMatch: number;
	readonly editSimilarity: number;
}

export interface ScoreSummary {
	readonly overall: ScoreLine;
	readonly byKind: Record<string, ScoreLine>;
	readonly byLanguage: Record<string, ScoreLine & { readonly byKind: Record<string, ScoreLine> }>;
}

function scoreLine(results: readonly TaskResult[]): ScoreLine {
	const tasks = results.length;
	if (tasks === 0) return { tasks, exactMatch: 0, editSimilarity: 0 };
	return {
		tasks,
		exactMatch: results.filter((result) => result.exactMatch).length / tasks,
		editSimilarity: results.reduce((sum, result) => sum + result.editSimilarity, 0) / tasks,
	};
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const item of items) {
		const group = groups.get(key(item));
		if (group) group.push(item);
		else groups.set(key(item), [item]);
	}
	return new Map([...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

export function summarizeScores(results: readonly TaskResult[]): ScoreSummary {
	const byKind = (items: readonly TaskResult[]) =>
		Object.fromEntries([...groupBy(items, (result) => result.kind)].map(([kind, group]) => [kind, scoreLine(group)]));
	return {
		overall: scoreLine(results),
		byKind: byKind(results),
		byLanguage: Object.fromEntries(
			[...groupBy(results, (result) => result.language)].map(([language, group]) => [
				language,
				{ ...scoreLine(group), byKind: byKind(group) },
			]),
		),
	};
}
