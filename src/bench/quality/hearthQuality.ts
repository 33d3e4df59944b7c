/**
 * Hearth's side of the quality replay: each cursor point asked through the path an editor request
 * takes in the language server, as far as the engine goes: the server's coarse window
 * (coarseWindow), extra context from the package's other files and the places edited before
 * (selectExtraContext with the server's budgets), the scheduler (its cache, its mode choice through
 * the pipeline), the pipeline's post-processing, with the extension's default settings. One
 * scheduler and engine per variant, points in file order, each file a document of its own.
 */
import type { Logger } from '../../engine/logger.js';
import { RecentChunks, selectExtraContext } from '../../engine/context/index.js';
import { coarseWindow } from '../../engine/prompt/promptWindow.js';
import { CompletionEngine } from '../../engine/runtime/completionEngine.js';
import type { LoadedModel } from '../../engine/runtime/loadModel.js';
import { CompletionScheduler, type ScheduledRequest } from '../../engine/scheduling/completionScheduler.js';
import type { CompletionResult, QualityOptions } from '../../engine/completion/completionTypes.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import type { CursorPoint } from './cursorPoints.js';
import { scoreSuggestion, type PointOutcome } from './qualityMetrics.js';
import type { QualityFile } from './qualityFixtures.js';

/**
 * src/server/extraContextSource.ts's budgets (recent and similar chunks, characters), the lines
 * around the cursor it compares, and its search time: the server's values, which the bench cannot
 * import (src/bench may not import src/server).
 */
const EXTRA_CONTEXT = { budgets: { recentChars: 1_200, similarChars: 1_200 }, nearCursorLines: 12, editWindowLines: 8, timeBudgetMs: 15 };

export interface HearthVariant {
	name: string;
	/** Passed as the request's `quality` field (absent: the engine's defaults, every fix on). */
	quality?: QualityOptions;
	/** The confidence gate in percent, as hearth.inlineCompletion.minConfidence (absent: that setting's default; 0: none). */
	minConfidence?: number;
	/** The unsure-token cut in percent, as hearth.inlineCompletion.minTokenConfidence (absent: that setting's default). */
	minTokenConfidence?: number;
}

export interface ConfidenceFigures {
	meanLogProb: number;
	minLogProb: number;
}

export interface HearthPointOutcome extends PointOutcome {
	confidence?: ConfidenceFigures;
	/** The gate held a suggestion back (only with minConfidence). */
	heldBack?: boolean;
	stopReason: string;
	source: string;
	/** The suggestion as shown (kept for the per-point listing). */
	text: string;
}

function confidenceOf(result: CompletionResult): ConfidenceFigures | undefined {
	return result.confidence && { meanLogProb: result.confidence.meanLogProb, minLogProb: result.confidence.minLogProb };
}

/** Asks every point of every file through a fresh scheduler and engine; `points` maps each file to its points. */
export async function runHearthVariant(
	loaded: LoadedModel,
	logger: Logger,
	variant: HearthVariant,
	files: readonly { file: QualityFile; points: readonly CursorPoint[] }[],
	timeLimits: boolean,
): Promise<HearthPointOutcome[][]> {
	// Every variant starts like a freshly started server: empty KV caches, no suggestions.
	for (const sequence of loaded.sequences) {
		await sequence.clearHistory();
	}
	const engine = new CompletionEngine(loaded, logger);
	const scheduler = new CompletionScheduler(engine);
	const settings = DEFAULT_SETTINGS.inlineCompletion;
	const outcomes: HearthPointOutcome[][] = [];
	try {
		for (const { file, points } of files) {
			const documentKey = `quality:${file.path}`;
			const recent = new RecentChunks(16);
			const perFile: HearthPointOutcome[] = [];
			for (const point of points) {
				const text = point.prefix + point.suffix;
				const offset = point.prefix.length;
				const line = point.prefix.split('\n').length - 1;
				const lines = text.split('\n');
				recent.recordEdit(file.path, text, line);
				const extra = selectExtraContext({
					currentPath: file.path,
					nearCursorText: lines
						.slice(Math.max(0, line - EXTRA_CONTEXT.nearCursorLines), line + EXTRA_CONTEXT.nearCursorLines)
						.join('\n'),
					recent: recent.chunks(),
					openDocuments: file.siblings,
					budgets: EXTRA_CONTEXT.budgets,
					timeBudgetMs: EXTRA_CONTEXT.timeBudgetMs,
				});
				const window = coarseWindow(text, offset);
				const request: ScheduledRequest = {
					documentKey,
					prefix: window.prefix,
					prefixOffset: window.prefixOffset,
					suffix: window.suffix,
					filePath: file.path,
					contextChunks: settings.extraContext
						? extra.chunks.map((chunk) => ({ path: chunk.path, text: chunk.text }))
						: undefined,
					contextBudget: settings.contextBudget,
					maxTokens: settings.maxTokens,
					mode: settings.mode,
					timeBudgetMs: timeLimits ? settings.timeBudgetMs : undefined,
					// The adaptive wait changes when a model runs while typing, not what it answers at a pause.
					debounce: { minMs: 0, maxMs: 0 },
					prefetch: false,
					...(variant.quality ? { quality: variant.quality } : {}),
					...gate(variant.minConfidence ?? settings.minConfidence),
					...unsureCut(variant.minTokenConfidence ?? settings.minTokenConfidence),
				};
				if (perFile.length === 0) {
					// The file has been open a while, as at a pause: its whole prompt is in the cache, so no
					// point is answered from the small first prompt a just-opened file gets.
					scheduler.warm(request);
					await scheduler.idle();
				}
				const startedAt = performance.now();
				const answer = await scheduler.request(request);
				const latencyMs = performance.now() - startedAt;
				const { result } = answer;
				const shownText = result.stopReason === 'cancelled' ? '' : result.text;
				const heldBack = result.heldBack !== undefined;
				perFile.push({
					...scoreSuggestion(shownText, point.truth),
					latencyMs,
					generatedTokens: result.stats.generatedTokens,
					confidence: confidenceOf(result),
					...(heldBack ? { heldBack } : {}),
					stopReason: result.stopReason,
					source: answer.source,
					text: shownText,
				});
			}
			scheduler.forget(documentKey);
			outcomes.push(perFile);
		}
		await scheduler.idle();
	} finally {
		scheduler.dispose();
	}
	return outcomes;
}

/** The request's confidence gate as the server sets it from hearth.inlineCompletion.minConfidence. */
function gate(percent: number): { minConfidence?: number } {
	return percent > 0 ? { minConfidence: Math.log(percent / 100) } : {};
}

/** The request's unsure-token cut as the server sets it from hearth.inlineCompletion.minTokenConfidence. */
function unsureCut(percent: number): { unsureCutLogProb?: number } {
	return percent > 0 ? { unsureCutLogProb: Math.log(percent / 100) } : {};
}
