/**
 * Runs fill-in-the-middle tasks through the editor's own completion path: CompletionEngine on the
 * loaded model, so the FIM template the engine detects, prompt clamping, stop strings and
 * post-processing are the ones inline completions get. Only the answer cache is off (each task is
 * new) and the time budget is generous, so a busy machine does not change the scores.
 */
import type { CompletionEngine } from '../../engine/runtime/completionEngine.js';
import type { CompletionMode } from '../../engine/postprocess/index.js';
import { editSimilarity, exactMatch } from './editSimilarity.js';
import type { FimTask, MiddleKind } from './pickMiddles.js';

export interface InlineSettings {
	readonly maxTokens: number;
	readonly mode: CompletionMode | 'auto';
	readonly contextBudget: number;
	readonly timeBudgetMs: number;
}

/** The editor's defaults (package.json contributes.configuration), except the time budget. */
export const EDITOR_INLINE_SETTINGS: InlineSettings = { maxTokens: 64, mode: 'auto', contextBudget: 1536, timeBudgetMs: 60_000 };

export interface TaskResult {
	readonly id: string;
	readonly path: string;
	readonly language: string;
	readonly kind: MiddleKind;
	readonly expected: string;
	readonly completion: string;
	readonly exactMatch: boolean;
	readonly editSimilarity: number;
	readonly stopReason: string;
	readonly generatedTokens: number;
	readonly totalMs: number;
}

export async function runFimTasks(
	engine: CompletionEngine,
	tasks: readonly FimTask[],
	settings: InlineSettings,
	onResult?: (result: TaskResult, index: number) => void,
): Promise<TaskResult[]> {
	const results: TaskResult[] = [];
	for (const task of tasks) {
		const answer = await engine.complete({
			prefix: task.prefix,
			suffix: task.suffix,
			filePath: task.path,
			// One KV cache per file, as in the editor: tasks from the same file share their prompt's start.
			documentKey: task.path,
			maxTokens: settings.maxTokens,
			mode: settings.mode,
			contextBudget: settings.contextBudget,
			timeBudgetMs: settings.timeBudgetMs,
			useCache: false,
		});
		const result: TaskResult = {
			id: task.id,
			path: task.path,
			language: task.language,
			kind: task.kind,
			expected: task.middle,
			completion: answer.text,
			exactMatch: exactMatch(answer.text, task.middle),
			editSimilarity: editSimilarity(answer.text, task.middle),
			stopReason: answer.stopReason,
			generatedTokens: answer.stats.generatedTokens,
			totalMs: answer.stats.totalMs,
		};
		results.push(result);
		onResult?.(result, results.length - 1);
	}
	return results;
}
