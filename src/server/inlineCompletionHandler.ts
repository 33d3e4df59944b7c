import type { Connection, InlineCompletionItem, InlineCompletionParams, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Logger } from '../engine/logger.js';
import { isProbablyBinary } from '../engine/postprocess/index.js';
import type { CompletionEngine, CompletionRequest, CompletionResult } from '../engine/runtime/completionEngine.js';
import { AdaptiveDebounce, waitUnlessAborted } from '../engine/scheduling/adaptiveDebounce.js';
import { messageOf } from '../engine/runtime/modelFileCheck.js';
import { CompletionStatsNotification, type CompletionReport } from '../shared/protocol.js';
import type { HearthSettings } from '../shared/settings.js';
import { abortControllerFor } from './abortSignal.js';
import { cursorContext } from './cursorContext.js';

/** What the handler needs of the model host (which may not exist until `initialize`). */
export interface EngineSource {
	readonly currentEngine: CompletionEngine | undefined;
	/** Marks a completion as running; the returned function marks it done. */
	beginRequest(): () => void;
}

/** Characters around the cursor sampled to decide whether a document is binary. */
const BINARY_SAMPLE_CHARS = 4096;

/**
 * Answers `textDocument/inlineCompletion` with a fill-in-the-middle completion from the active model.
 * The editor's cancellation token aborts generation, and a newer request for the same document
 * aborts an older one that is still running (the user has typed on; its answer would be stale).
 */
export function registerInlineCompletion(
	connection: Connection,
	documents: TextDocuments<TextDocument>,
	host: EngineSource,
	settings: () => HearthSettings,
	logger: Logger,
): void {
	const inFlight = new Map<string, AbortController>();
	const debouncers = new Map<string, AdaptiveDebounce>();
	const binaryDocumentsReported = new Set<string>();

	connection.languages.inlineCompletion.on(async (params: InlineCompletionParams, token) => {
		const current = settings().inlineCompletion;
		const document = documents.get(params.textDocument.uri);
		const engine = host.currentEngine;
		if (!current.enabled || !document || !engine) {
			return null;
		}
		const context = cursorContext(document, params.position);
		const sample = context.prefix.slice(-BINARY_SAMPLE_CHARS) + context.suffix.slice(0, BINARY_SAMPLE_CHARS);
		if (isProbablyBinary(sample)) {
			if (!binaryDocumentsReported.has(document.uri)) {
				binaryDocumentsReported.add(document.uri);
				logger.info(`No completions in ${document.uri}: it looks like binary data.`);
			}
			return null;
		}

		inFlight.get(document.uri)?.abort();
		const { controller, dispose } = abortControllerFor(token);
		inFlight.set(document.uri, controller);
		const endRequest = host.beginRequest();
		try {
			const request: CompletionRequest = {
				prefix: context.prefix,
				suffix: context.suffix,
				filePath: undefined,
				maxTokens: current.maxTokens,
				mode: current.mode,
				timeBudgetMs: current.timeBudgetMs,
				signal: controller.signal,
			};
			const debounce = debouncers.get(document.uri) ?? new AdaptiveDebounce();
			debouncers.set(document.uri, debounce);
			const delay = debounce.delayFor(
				{ lastCharacter: context.prefix.at(-1) ?? '', atLineEnd: /^[ \t]*(\r?\n|$)/.test(context.suffix) },
				{ minMs: current.debounceMinMs, maxMs: current.debounceMaxMs },
			);
			// An answer already known is shown at once; otherwise wait, and give up without a model
			// call if a newer keystroke (or the editor) cancels this one meanwhile.
			const cached = engine.cachedCompletion(request);
			if (!cached && !(await waitUnlessAborted(delay, controller.signal))) {
				void connection.sendNotification(CompletionStatsNotification.method, skippedReport(document.uri));
				return null;
			}
			const result = cached ?? (await engine.complete(request));
			if (!result.stats.cacheHit && result.stopReason !== 'cancelled') {
				debounce.recordLatency(result.stats.totalMs);
			}
			void connection.sendNotification(CompletionStatsNotification.method, report(document.uri, result));
			if (result.stopReason === 'cancelled' || result.text.length === 0) {
				return null;
			}
			const item: InlineCompletionItem = {
				insertText: result.text,
				range: { start: params.position, end: params.position },
			};
			return { items: [item] };
		} catch (error) {
			logger.error(`Inline completion failed in ${document.uri}: ${messageOf(error)}`);
			return null;
		} finally {
			endRequest();
			dispose();
			if (inFlight.get(document.uri) === controller) {
				inFlight.delete(document.uri);
			}
		}
	});

	documents.onDidClose((event) => {
		inFlight.get(event.document.uri)?.abort();
		inFlight.delete(event.document.uri);
		binaryDocumentsReported.delete(event.document.uri);
		debouncers.delete(event.document.uri);
	});
}

/** A request a newer keystroke replaced while it waited: the model was never asked. */
function skippedReport(uri: string): CompletionReport {
	return {
		uri,
		stopReason: 'superseded-before-start',
		cancelled: true,
		suggestionLength: 0,
		promptTokens: 0,
		reusedPromptTokens: 0,
		evaluatedPromptTokens: 0,
		generatedTokens: 0,
		tokensAfterCancel: 0,
		promptMs: 0,
		totalMs: 0,
	};
}

function report(uri: string, result: CompletionResult): CompletionReport {
	const { stats } = result;
	return {
		uri,
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
	};
}
