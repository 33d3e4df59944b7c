/**
 * Chooses which tasks to run when there are more than the limit: round-robin over languages (in a
 * fixed order), so a small limit still scores every language instead of the most common one only.
 */
import type { FimTask } from './pickMiddles.js';
import { unitInterval } from '../corpus/stableHash.js';

export function selectTasks(tasks: readonly FimTask[], limit: number, seed: number): FimTask[] {
	const byLanguage = new Map<string, FimTask[]>();
	for (const task of [...tasks].sort((a, b) => unitInterval(`${seed}:${a.id}`) - unitInterval(`${seed}:${b.id}`))) {
		const queue = byLanguage.get(task.language);
		if (queue) queue.push(task);
		else byLanguage.set(task.language, [task]);
	}
	const queues = [...byLanguage.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, queue]) => queue);
	const selected: FimTask[] = [];
	while (selected.length < limit && queues.some((queue) => queue.length > 0)) {
		for (const queue of queues) {
			const task = queue.shift();
			if (task !== undefined && selected.length < limit) selected.push(task);
		}
	}
	return selected;
}
