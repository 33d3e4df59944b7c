import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { RecentChunks, selectExtraContext } from '../engine/context/index.js';
import type { ContextChunk } from '../engine/fim/fimTypes.js';
import type { Logger } from '../engine/logger.js';
import type { DocumentPaths } from './workspacePaths.js';

/** A pause this long in a document is when its extra context may change. */
const IDLE_MS = 2_000;
/** A document's extra context changes at most this often: each change costs re-evaluating its prompt. */
const MIN_REFRESH_INTERVAL_MS = 20_000;
/** Searching the open files for similar code may take this long, no more, per refresh. */
const SEARCH_TIME_BUDGET_MS = 15;
const BUDGETS = { recentChars: 1_200, similarChars: 1_200 };
/** Lines around the cursor that the similar-code search compares against. */
const NEAR_CURSOR_LINES = 12;
const EDIT_WINDOW_LINES = 8;

interface DocumentSnapshot {
	chunks: ContextChunk[];
	refreshedAt: number;
	idleTimer?: NodeJS.Timeout;
}

/**
 * The extra context of each document: recently edited places and similar code from other open
 * files, chosen while the user pauses and then frozen, because it sits at the start of the prompt
 * and any change to it costs re-evaluating everything after it. `onRefreshed` lets the caller warm
 * the model's cache with the new prompt while the pause lasts.
 */
export class ExtraContextSource {
	private readonly recent = new RecentChunks(16);
	private readonly snapshots = new Map<string, DocumentSnapshot>();

	constructor(
		private readonly documents: TextDocuments<TextDocument>,
		private readonly paths: DocumentPaths,
		private readonly logger: Logger,
		private readonly onRefreshed: (uri: string) => void,
	) {}

	/** The current extra context for a document (the same array until the next refresh). */
	chunksFor(uri: string): readonly ContextChunk[] {
		return this.snapshots.get(uri)?.chunks ?? [];
	}

	/** A completion was asked for at `line`: remember the place, and refresh once the user pauses. */
	noteCursor(document: TextDocument, line: number): void {
		const path = this.pathOf(document.uri);
		// Only the lines around the cursor are read: splitting a 5 MB document on each keystroke would not do.
		const firstLine = Math.max(0, line - EDIT_WINDOW_LINES);
		const window = document.getText({
			start: { line: firstLine, character: 0 },
			end: { line: line + EDIT_WINDOW_LINES + 1, character: 0 },
		});
		this.recent.recordEdit(path, window, line, firstLine);
		const snapshot = this.snapshots.get(document.uri) ?? { chunks: [], refreshedAt: Number.NEGATIVE_INFINITY };
		this.snapshots.set(document.uri, snapshot);
		clearTimeout(snapshot.idleTimer);
		snapshot.idleTimer = setTimeout(() => this.refresh(document.uri, line), IDLE_MS);
		snapshot.idleTimer.unref?.();
	}

	forget(uri: string): void {
		clearTimeout(this.snapshots.get(uri)?.idleTimer);
		this.snapshots.delete(uri);
		this.recent.forget(this.pathOf(uri));
	}

	private refresh(uri: string, line: number): void {
		const snapshot = this.snapshots.get(uri);
		const document = this.documents.get(uri);
		if (!snapshot || !document || performance.now() - snapshot.refreshedAt < MIN_REFRESH_INTERVAL_MS) {
			return;
		}
		const currentPath = this.pathOf(uri);
		const lines = document.getText().split('\n');
		const nearCursorText = lines.slice(Math.max(0, line - NEAR_CURSOR_LINES), line + NEAR_CURSOR_LINES).join('\n');
		const openDocuments = this.documents
			.all()
			.filter((other) => other.uri !== uri)
			.map((other) => ({ path: this.pathOf(other.uri), text: other.getText() }));
		const selected = selectExtraContext({
			currentPath,
			nearCursorText,
			recent: this.recent.chunks(),
			openDocuments,
			budgets: BUDGETS,
			timeBudgetMs: SEARCH_TIME_BUDGET_MS,
		});
		const chunks = selected.chunks.map((chunk) => ({ path: chunk.path, text: chunk.text }));
		if (sameChunks(chunks, snapshot.chunks)) {
			return;
		}
		snapshot.chunks = chunks;
		snapshot.refreshedAt = performance.now();
		this.logger.debug(
			`Extra context for ${currentPath}: ${chunks.length} chunk(s)${selected.timedOut ? ' (search cut short by its time budget)' : ''}`,
		);
		this.onRefreshed(uri);
	}

	private pathOf(uri: string): string {
		return this.paths.displayPath(uri) ?? uri;
	}
}

function sameChunks(a: readonly ContextChunk[], b: readonly ContextChunk[]): boolean {
	return a.length === b.length && a.every((chunk, index) => chunk.path === b[index]!.path && chunk.text === b[index]!.text);
}
