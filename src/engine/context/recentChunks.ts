import { clipLine, hasSubstance } from './chunkText.js';

export type ChunkSource = 'edited' | 'viewed' | 'copied';

export interface RecentChunk {
	path: string;
	text: string;
	source: ChunkSource;
	/** First line of the chunk in its document (-1 when unknown, e.g. copied text). */
	startLine: number;
	lineCount: number;
	at: number;
}

/** Lines kept above and below an edited line. */
const EDIT_WINDOW_LINES = 8;
const MAX_CHUNK_CHARS = 2_000;

/**
 * The places the user worked on or looked at lately, newest first, bounded: a chunk that overlaps
 * an earlier one of the same file replaces it, so editing one function for a minute leaves one
 * chunk, not sixty.
 */
export class RecentChunks {
	// Replaced, never mutated, so an array handed out by chunks() stays a stable snapshot.
	private items: readonly RecentChunk[] = [];

	constructor(
		private readonly capacity = 16,
		private readonly now: () => number = () => performance.now(),
	) {}

	/**
	 * The lines around `line` of a document. `text` may be the whole document or only a window of it
	 * starting at line `firstLine`, so that a caller need not split a huge document on each keystroke.
	 */
	recordEdit(path: string, text: string, line: number, firstLine = 0): void {
		const lines = text.split('\n');
		const relative = line - firstLine;
		const start = Math.max(0, relative - EDIT_WINDOW_LINES);
		const end = Math.min(lines.length, relative + EDIT_WINDOW_LINES + 1);
		this.add(path, lines.slice(start, end), firstLine + start, 'edited');
	}

	recordView(path: string, text: string, startLine: number): void {
		this.add(path, text.split('\n'), startLine, 'viewed');
	}

	recordCopy(path: string, text: string): void {
		this.add(path, text.split('\n'), -1, 'copied');
	}

	/** Newest first. */
	chunks(): readonly RecentChunk[] {
		return this.items;
	}

	/** A closed file's chunks go: the user is done with it, and its path may be reused. */
	forget(path: string): void {
		this.items = this.items.filter((chunk) => chunk.path !== path);
	}

	private add(path: string, lines: readonly string[], startLine: number, source: ChunkSource): void {
		const text = capChars(lines.map(clipLine).join('\n'));
		if (!hasSubstance(text)) {
			return;
		}
		const chunk: RecentChunk = { path, text, source, startLine, lineCount: text.split('\n').length, at: this.now() };
		const kept = this.items.filter((other) => !overlaps(other, chunk) && other.text !== text);
		this.items = [chunk, ...kept].slice(0, this.capacity);
	}
}

/** Cut at the last whole line within MAX_CHUNK_CHARS (or mid-line when the first line alone is longer). */
function capChars(text: string): string {
	if (text.length <= MAX_CHUNK_CHARS) {
		return text;
	}
	const lastBreak = text.lastIndexOf('\n', MAX_CHUNK_CHARS);
	return text.slice(0, lastBreak > 0 ? lastBreak : MAX_CHUNK_CHARS);
}

function overlaps(a: RecentChunk, b: RecentChunk): boolean {
	if (a.path !== b.path || a.startLine < 0 || b.startLine < 0) {
		return false;
	}
	return a.startLine < b.startLine + b.lineCount && b.startLine < a.startLine + a.lineCount;
}
