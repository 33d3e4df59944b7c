/**
 * The one completion pipeline, whichever source produces the tokens. It owns everything around the
 * tokens: the answer from earlier suggestions and the queue (CachedRunQueue), the character window
 * of the text around the cursor (promptWindow, anchored to the document), the completion mode, the
 * abort, the time budget, stop strings, post-processing, the statistics and the log line. A
 * TokenSource only evaluates the prompt and yields what is generated.
 */

import type { Logger } from '../logger.js';
import { chooseCompletionMode, processCompletion } from '../postprocess/index.js';
import { clampWindow } from '../prompt/promptWindow.js';
import { cutToParsable } from '../syntax/syntaxCheck.js';
import { CachedRunQueue } from './cachedRunQueue.js';
import { gateByConfidence, LogProbs } from './confidence.js';
import { idleStats, qualityOn, type CompletionRequest, type CompletionResult, type StopReason } from './completionTypes.js';
import type { SourceRun, TokenSource } from './tokenSource.js';

export interface CompletionPipelineOptions {
	/** Attach each run's prompt tokens to its result (when the source has them). */
	keepPromptTokens?: boolean;
}

export class CompletionPipeline {
	private readonly runs = new CachedRunQueue();

	constructor(
		private readonly source: TokenSource,
		private readonly logger: Logger,
		private readonly options: CompletionPipelineOptions = {},
	) {}

	/** The answer from earlier suggestions, without calling the model, when there is one. */
	cached(request: CompletionRequest): CompletionResult | undefined {
		return this.runs.cached(request);
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		return this.runs.run(request, (queuedAt) => this.run(request, queuedAt));
	}

	/** Requests waiting behind the running one (superseded ones leave at once). */
	get queuedRequests(): number {
		return this.runs.waiting;
	}

	/** Resolves once no request is queued or running. */
	idle(): Promise<void> {
		return this.runs.idle();
	}

	private async run(request: CompletionRequest, queuedAt: number): Promise<CompletionResult> {
		const startedAt = performance.now();
		const stats = idleStats({ queuedMs: startedAt - queuedAt });
		// `control` ends the source's I/O for every reason; `cancelledAt` tells a cancellation apart.
		const control = new AbortController();
		let cancelledAt: number | undefined;
		const run: SourceRun = {
			startedAt,
			stats,
			signal: control.signal,
			get cancelled() {
				return cancelledAt !== undefined;
			},
		};
		const finish = (text: string, rawText: string, stopReason: StopReason): CompletionResult => {
			stats.totalMs = performance.now() - startedAt;
			return { text, rawText, stopReason, stats, promptTokens: this.options.keepPromptTokens ? run.promptTokens : undefined };
		};
		if (request.signal?.aborted) {
			return finish('', '', 'cancelled');
		}

		const window = clampWindow(
			{ prefix: request.prefix, suffix: request.suffix, prefixOffset: request.prefixOffset ?? 0 },
			this.source.window,
		);
		const mode =
			request.mode === undefined || request.mode === 'auto' ? chooseCompletionMode(window.prefix, window.suffix) : request.mode;
		const postContext = {
			prefix: window.prefix,
			suffix: window.suffix,
			mode,
			keepDedent: qualityOn(request, 'keepDedent'),
			lineEndContinue: qualityOn(request, 'lineEndContinue'),
			documentIndent: qualityOn(request, 'documentIndent'),
		};
		const logProbs = new LogProbs();
		const cutBelow = qualityOn(request, 'unsureCut') ? request.unsureCutLogProb : undefined;
		const maxTokens = this.source.tokenLimit(request);
		const fixed = request.fixedLength === true;

		const end = (reason: StopReason) => {
			if (!control.signal.aborted) {
				control.abort(reason);
			}
		};
		// Cancellation is observed through a flag, so that a source stops at the very next token.
		const onAbort = () => {
			cancelledAt ??= performance.now();
			stats.abortedAt ??= cancelledAt;
			end('cancelled');
		};
		request.signal?.addEventListener('abort', onAbort, { once: true });
		const budgetTimer = request.timeBudgetMs === undefined ? undefined : setTimeout(() => end('time-budget'), request.timeBudgetMs);

		let text = '';
		let rawText = '';
		let stopReason: StopReason = 'max-tokens';
		/** Set when the pipeline itself ended the run: a cancellation after that does not undo the answer. */
		let decided = false;
		const decide = (reason: StopReason) => {
			stopReason = reason;
			decided = true;
			end(reason);
		};
		/** With fixedLength, the text is final once post-processing has ended it; generation goes on. */
		let stoppedText = false;
		try {
			const steps = this.source.generate(
				{
					prefix: window.prefix,
					suffix: window.suffix,
					prefixOffset: window.prefixOffset,
					filePath: request.filePath,
					documentKey: request.documentKey,
					contextChunks: request.contextChunks,
					contextBudget: request.contextBudget,
					maxTokens: maxTokens ?? request.maxTokens,
					fixedLength: fixed,
					generateNotBefore: request.generateNotBefore,
					smallFirstPrompt: request.smallFirstPrompt,
					background: request.background,
					tokenHealing: qualityOn(request, 'tokenHealing'),
				},
				run,
			);
			for await (const step of steps) {
				if (step.kind === 'finish') {
					stopReason = step.reason;
					continue;
				}
				stats.firstTokenMs ??= performance.now() - startedAt;
				if (step.kind === 'stop-token') {
					decide('end-of-generation');
					break;
				}
				stats.generatedTokens++;
				if (!stoppedText && cutBelow !== undefined && !step.healed && step.logProb !== undefined && step.logProb < cutBelow) {
					// The suggestion ends before the first token the model guessed: the text so far stays.
					stopReason = 'unsure-token';
					if (!fixed) {
						decide(stopReason);
						break;
					}
					stoppedText = true;
				}
				if (!stoppedText) {
					logProbs.add(step.logProb);
					rawText = step.text();
					const stopAt = firstStopString(rawText, this.source.stopTexts);
					const candidate = stopAt === -1 ? rawText : rawText.slice(0, stopAt);
					const processed = processCompletion(candidate, postContext);
					if (processed.text !== text) {
						text = processed.text;
						request.onText?.(text);
					}
					if (stopAt !== -1 || processed.done) {
						stopReason = stopAt !== -1 ? 'stop-string' : 'post-process';
						if (!fixed) {
							decide(stopReason);
							break;
						}
						stoppedText = true;
					}
				}
				if (maxTokens !== undefined && stats.generatedTokens >= maxTokens) {
					decide(stopReason);
					break;
				}
				if (request.timeBudgetMs !== undefined && performance.now() - startedAt > request.timeBudgetMs) {
					decide('time-budget');
					break;
				}
			}
		} catch (error) {
			// A source whose I/O was ended on purpose may throw on the way out; anything else is a failure.
			if (!control.signal.aborted) {
				throw error;
			}
		} finally {
			clearTimeout(budgetTimer);
			request.signal?.removeEventListener('abort', onAbort);
			this.logger.debug(
				`completion: ${stats.promptTokens} prompt tokens (${stats.reusedPromptTokens} reused, ${stats.evaluatedPromptTokens} evaluated), ` +
					`${stats.generatedTokens} generated in ${Math.round(performance.now() - startedAt)} ms`,
			);
		}
		if (cancelledAt !== undefined && !decided) {
			return finish('', rawText, 'cancelled');
		}
		if (!decided && control.signal.reason === 'time-budget') {
			stopReason = 'time-budget';
		}
		if (qualityOn(request, 'syntaxCheck') && mode === 'multi-line' && text.includes('\n')) {
			const checked = await cutToParsable(text, { prefix: window.prefix, suffix: window.suffix, filePath: request.filePath });
			if (checked !== text) {
				text = checked;
				request.onText?.(text);
			}
		}
		const gated = gateByConfidence({ ...finish(text, rawText, stopReason), confidence: logProbs.summary() }, request.minConfidence);
		// A suggestion the unsure-token cut left with nothing to show was held back too: the model was unsure from its start.
		const result: CompletionResult =
			gated.heldBack === undefined && stopReason === 'unsure-token' && text.trim() === ''
				? { ...gated, text: '', heldBack: { text, reason: 'unsure-token' } }
				: gated;
		if (result.heldBack !== undefined) {
			request.onText?.('');
		}
		return result;
	}
}

function firstStopString(text: string, stopStrings: readonly string[]): number {
	let first = -1;
	for (const stop of stopStrings) {
		const index = text.indexOf(stop);
		if (index !== -1 && (first === -1 || index < first)) {
			first = index;
		}
	}
	return first;
}
