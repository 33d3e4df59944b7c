/**
 * Splits the total byte budget between languages by their weights, water-filling: a language with
 * less material than its share keeps all it has, and what it leaves is shared again among the
 * others by weight, until the budget or the material runs out.
 */
import type { Language } from './languages.js';

export function languageBudgets(
	totalBudget: number,
	available: ReadonlyMap<Language, number>,
	weights: Readonly<Record<Language, number>>,
): Map<Language, number> {
	const budgets = new Map<Language, number>();
	let open = [...available.keys()].filter((language) => (available.get(language) ?? 0) > 0 && (weights[language] ?? 0) > 0);
	let remaining = totalBudget;
	while (open.length > 0 && remaining > 0.5) {
		const weightSum = open.reduce((sum, language) => sum + weights[language], 0);
		const stillOpen: Language[] = [];
		let spent = 0;
		for (const language of open) {
			const share = (remaining * weights[language]) / weightSum;
			const room = available.get(language)! - (budgets.get(language) ?? 0);
			const granted = Math.min(share, room);
			budgets.set(language, (budgets.get(language) ?? 0) + granted);
			spent += granted;
			if (share < room) stillOpen.push(language);
		}
		remaining -= spent;
		// Everyone got their full share: nothing is left to hand out.
		if (stillOpen.length === open.length) break;
		open = stillOpen;
	}
	for (const [language, budget] of budgets) budgets.set(language, Math.floor(budget));
	return budgets;
}
