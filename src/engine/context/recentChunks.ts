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
const MAX_LINE_CHARS = 240;
/** Chunks with fewer non-blank characters carry no information worth a prompt token. */
const MIN_CHUNK_CHARS = 24;

/**
 * The places the user worked on or looked at lately, newest first, bounded: a chunk that overlaps
 * an earlier one of the same file replaces it, so editing one function for a minute leaves one
 * chunk, not sixty.
 */
export class RecentChunks {
	private items: RecentChunk[] = [];

	constructor(
		private readonly capacity = 16,
		private readonly now: () => number = () => performance.now(),
	) {}

	/** The lines around `line` of a document (or of a window of it starting at `firstLine`). */
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

	forget(path: string): void {
		this.items = this.items.filter((chunk) => chunk.path !== path);
	}

	private add(path: string, lines: string[], startLine: number, source: ChunkSource): void {
		let text = lines.map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line)).join('\n');
		if (text.length > MAX_CHUNK_CHARS) {
			text = text.slice(0, text.lastIndexOf('\n', MAX_CHUNK_CHARS) > 0 ? text.lastIndexOf('\n', MAX_CHUNK_CHARS) : MAX_CHUNK_CHARS);
		}
		if (text.replace(/\s+/g, '').length < MIN_CHUNK_CHARS) {
			return;
		}
		const chunk: RecentChunk = { path, text, source, startLine, lineCount: text.split('\n').length, at: this.now() };
		this.items = this.items.filter((other) => !overlaps(other, chunk) && other.text !== text);
		this.items.unshift(chunk);
		if (this.items.length > this.capacity) {
			this.items.length = this.capacity;
		}
	}
}

function overlaps(a: RecentChunk, b: RecentChunk): boolean {
	if (a.path !== b.path || a.startLine < 0 || b.startLine < 0) {
		return false;
	}
	return a.startLine < b.startLine + b.lineCount && b.startLine < a.startLine + a.lineCount;
}
