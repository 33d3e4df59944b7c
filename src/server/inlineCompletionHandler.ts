import type { CancellationToken, Connection, Position, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Logger } from '../engine/logger.js';
import { isProbablyBinary } from '../engine/postprocess/index.js';
import type { CompletionResult } from '../engine/runtime/completionEngine.js';
import { preloadSyntaxCheck } from '../engine/syntax/syntaxCheck.js';
import type { CompletionScheduler, RunReport, ScheduledAnswer, ScheduledRequest } from '../engine/scheduling/completionScheduler.js';
import { messageOf } from '../shared/errorMessage.js';
import { CompletionStatsNotification, type CompletionReport } from '../shared/protocol.js';
import { languageEnabled } from '../shared/settingRules.js';
import type { HearthSettings } from '../shared/settings.js';
import { abortControllerFor } from './abortSignal.js';
import { cursorContext } from './cursorContext.js';
import { ExtraContextSource } from './extraContextSource.js';
import type { DocumentPaths } from './workspacePaths.js';

/** What the handler needs of the model host (which may not exist until `initialize`). */
export interface SchedulerSource {
	readonly currentScheduler: CompletionScheduler | undefined;
	/** The scheduler once the model is there: loads a model unloaded for idleness again first. */
	awakeScheduler?(): Promise<CompletionScheduler | undefined>;
	/** Marks a completion as running; the returned function marks it done. */
	beginRequest(): () => void;
	/** A suggestion for the editor was held back by the confidence gate (counted in the status). */
	suggestionHeldBack?(): void;
}

/** Characters around the cursor sampled to decide whether a document is binary. */
const BINARY_SAMPLE_CHARS = 4096;

/** The text the model proposes at a cursor: what both completion handlers (inline and list) answer with. */
export interface GhostTextSource {
	/**
	 * The text to insert at `position`, or undefined when there is none: completions off, no model
	 * yet, an unknown or binary document, a cancelled request, an empty or failed run.
	 */
	textAt(uri: string, position: Position, token: CancellationToken): Promise<string | undefined>;
}

/**
 * Builds each completion request from the document and the settings and puts it to the scheduler,
 * which decides whether the model is called at all (earlier suggestions, a running stream, the
 * adaptive wait); the editor's cancellation token reaches generation as an AbortSignal. Made once,
 * so that `textDocument/inlineCompletion` and `textDocument/completion` share one cache, one extra
 * context and one record of each document's latest request.
 */
export function createGhostTextSource(
	connection: Connection,
	documents: TextDocuments<TextDocument>,
	host: SchedulerSource,
	settings: () => HearthSettings,
	paths: DocumentPaths,
	logger: Logger,
): GhostTextSource {
	const binaryDocumentsReported = new Set<string>();
	/** Each document's latest request, to warm the model's cache with when its extra context changes. */
	const latestRequests = new Map<string, Omit<ScheduledRequest, 'signal'>>();
	const extraContext = new ExtraContextSource(documents, paths, logger, (uri) => {
		const latest = latestRequests.get(uri);
		if (latest && settings().inlineCompletion.extraContext) {
			host.currentScheduler?.warm({ ...latest, contextChunks: extraContext.chunksFor(uri) });
		}
	});

	// A file opened is a file about to be typed in: a model unloaded for idleness loads again now,
	// not on the first keystroke (whose suggestion would otherwise wait for the load), and so does
	// the parser its multi-line suggestions are checked with.
	documents.onDidOpen((event) => {
		const current = settings().inlineCompletion;
		if (current.enabled && languageEnabled(current.enable, event.document.languageId)) {
			host.awakeScheduler?.().catch((error: unknown) => logger.debug(`Warm-up on open failed: ${messageOf(error)}`));
			void preloadSyntaxCheck(paths.displayPath(event.document.uri));
		}
	});

	documents.onDidClose((event) => {
		host.currentScheduler?.forget(event.document.uri);
		extraContext.forget(event.document.uri);
		latestRequests.delete(event.document.uri);
		binaryDocumentsReported.delete(event.document.uri);
	});

	return {
		async textAt(uri, position, token) {
			const current = settings().inlineCompletion;
			const document = documents.get(uri);
			// A language switched off never wakes or asks the model (VS Code's client does not even ask; other editors may).
			if (!current.enabled || !document || !languageEnabled(current.enable, document.languageId)) {
				return undefined;
			}
			const scheduler = host.awakeScheduler ? await host.awakeScheduler() : host.currentScheduler;
			if (!scheduler) {
				return undefined;
			}
			const context = cursorContext(document, position);
			const sample = context.prefix.slice(-BINARY_SAMPLE_CHARS) + context.suffix.slice(0, BINARY_SAMPLE_CHARS);
			if (isProbablyBinary(sample)) {
				if (!binaryDocumentsReported.has(document.uri)) {
					binaryDocumentsReported.add(document.uri);
					logger.info(`No completions in ${document.uri}: it looks like binary data.`);
				}
				return undefined;
			}

			const { controller, dispose } = abortControllerFor(token);
			const endRequest = host.beginRequest();
			try {
				const filePath = paths.displayPath(document.uri);
				extraContext.noteCursor(document, position.line);
				const request: ScheduledRequest = {
					documentKey: document.uri,
					prefix: context.prefix,
					prefixOffset: context.prefixOffset,
					suffix: context.suffix,
					filePath,
					contextChunks: current.extraContext ? extraContext.chunksFor(document.uri) : undefined,
					contextBudget: current.contextBudget,
					maxTokens: current.maxTokens,
					mode: current.mode,
					timeBudgetMs: current.timeBudgetMs,
					minConfidence: current.minConfidence > 0 ? Math.log(current.minConfidence / 100) : undefined,
					unsureCutLogProb: current.minTokenConfidence > 0 ? Math.log(current.minTokenConfidence / 100) : undefined,
					signal: controller.signal,
					debounce: { minMs: current.debounceMinMs, maxMs: current.debounceMaxMs },
					prefetch: current.prefetch,
				};
				const { signal: _signal, ...latest } = request;
				latestRequests.set(document.uri, latest);
				const answer = await scheduler.request(request);
				// Model runs are reported when they end (see reportRun), answers without one here.
				if (answer.source !== 'model') {
					void connection.sendNotification(CompletionStatsNotification.method, answerReport(document.uri, answer));
				}
				const { result } = answer;
				if (result.heldBack !== undefined) {
					host.suggestionHeldBack?.();
				}
				if (controller.signal.aborted || result.stopReason === 'cancelled' || result.text.length === 0) {
					return undefined;
				}
				return result.text;
			} catch (error) {
				logger.error(`Completion failed in ${document.uri}: ${messageOf(error)}`);
				return undefined;
			} finally {
				endRequest();
				dispose();
			}
		},
	};
}

/** Statistics of a model run, sent when it ends (also for prefetches and runs whose request left). */
export function reportRun(connection: Connection, run: RunReport): void {
	const source = run.kind === 'prefetch' ? 'prefetch' : 'model';
	void connection.sendNotification(CompletionStatsNotification.method, report(run.documentKey, source, run.result));
}

function answerReport(uri: string, answer: ScheduledAnswer): CompletionReport {
	const sent = report(uri, answer.source, answer.result);
	return answer.source === 'skipped' ? { ...sent, stopReason: 'superseded-before-start' } : sent;
}

function report(uri: string, source: CompletionReport['source'], result: CompletionResult): CompletionReport {
	const { stats } = result;
	return {
		uri,
		source,
		stopReason: result.stopReason,
		cacheHit: stats.cacheHit,
		cancelled: result.stopReason === 'cancelled',
		suggestionLength: result.text.length,
		promptTokens: stats.promptTokens,
		reusedPromptTokens: stats.reusedPromptTokens,
		evaluatedPromptTokens: stats.evaluatedPromptTokens,
		generatedTokens: stats.generatedTokens,
		tokensAfterCancel: stats.tokensAfterAbort,
		promptMs: stats.promptMs,
		firstTokenMs: stats.firstTokenMs,
		totalMs: stats.totalMs,
		...(stats.smallFirstPrompt === true ? { smallFirstPrompt: true } : {}),
	};
}
