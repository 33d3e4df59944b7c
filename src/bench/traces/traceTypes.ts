/** A place in a document, 0-based like an LSP position. */
export interface TracePosition {
	line: number;
	character: number;
}

/**
 * One key press (or paste) of a recorded session. `t` is milliseconds since the session started;
 * an `accept` that has to wait for its suggestion delays every later event by as much.
 */
export type TraceEvent =
	/** Characters inserted at the cursor: one key, or Enter with the editor's auto-indentation. */
	| { t: number; kind: 'type'; text: string }
	/** Deletes the character before the cursor. */
	| { t: number; kind: 'backspace' }
	/** The cursor jumps (a click, a search) without changing the text. */
	| { t: number; kind: 'move'; line: number; character: number }
	/** Tab: the ghost text on screen is inserted at the cursor. */
	| { t: number; kind: 'accept' }
	/**
	 * One key that types the next character of the ghost text on screen, as a person who reads the
	 * suggestion and types it out instead of pressing Tab. What it types is what the model suggested
	 * in this replay; with nothing on screen it waits for the suggestion as an accept does.
	 */
	| { t: number; kind: 'type-shown' }
	| { t: number; kind: 'paste'; text: string };

export type TraceEventKind = TraceEvent['kind'];

export interface TraceSource {
	/** The unchanged original, relative to test/fixtures/traces/. */
	file: string;
	origin: string;
	license: string;
}

export interface Trace {
	name: string;
	description: string;
	language: 'typescript' | 'python';
	/** The workspace-relative path the editor reports (Qwen-style templates put it in the prompt). */
	filePath: string;
	source: TraceSource;
	initialText: string;
	initialCursor: TracePosition;
	events: TraceEvent[];
}
