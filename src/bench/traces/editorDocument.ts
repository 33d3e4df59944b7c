import type { TraceEvent, TracePosition } from './traceTypes.js';

/** The simulated editor's document: its text and the cursor as an offset into it. */
export interface EditorState {
	readonly text: string;
	readonly cursor: number;
}

export interface AppliedEvent {
	state: EditorState;
	/** The text changed, so an editor would ask for a new inline completion. */
	textChanged: boolean;
	/** The cursor ended somewhere else, so the ghost text on screen is gone. */
	cursorMoved: boolean;
}

/** Offset of a position, clamped into the document the way an editor clamps a click. */
export function offsetAt(text: string, position: TracePosition): number {
	let lineStart = 0;
	for (let line = 0; line < position.line; line++) {
		const newline = text.indexOf('\n', lineStart);
		if (newline === -1) {
			return text.length;
		}
		lineStart = newline + 1;
	}
	const lineEnd = text.indexOf('\n', lineStart);
	const lineLength = (lineEnd === -1 ? text.length : lineEnd) - lineStart;
	return lineStart + Math.max(0, Math.min(position.character, lineLength));
}

export function positionAt(text: string, offset: number): TracePosition {
	const clamped = Math.max(0, Math.min(offset, text.length));
	let line = 0;
	let lineStart = 0;
	for (let newline = text.indexOf('\n'); newline !== -1 && newline < clamped; newline = text.indexOf('\n', newline + 1)) {
		line++;
		lineStart = newline + 1;
	}
	return { line, character: clamped - lineStart };
}

/**
 * Applies one event. `suggestion` is the ghost text on screen, which only `accept` (all of it) and
 * `type-shown` (its first character) use; with nothing on screen they change nothing (the
 * benchmark counts that as missed).
 */
export function applyEvent(state: EditorState, event: TraceEvent, suggestion?: string): AppliedEvent {
	switch (event.kind) {
		case 'type':
		case 'paste':
			return insert(state, event.text);
		case 'accept':
			return insert(state, suggestion ?? '');
		case 'type-shown':
			return insert(state, suggestion?.slice(0, 1) ?? '');
		case 'backspace':
			if (state.cursor === 0) {
				return { state, textChanged: false, cursorMoved: false };
			}
			return {
				state: { text: state.text.slice(0, state.cursor - 1) + state.text.slice(state.cursor), cursor: state.cursor - 1 },
				textChanged: true,
				cursorMoved: true,
			};
		case 'move': {
			const cursor = offsetAt(state.text, event);
			return { state: { text: state.text, cursor }, textChanged: false, cursorMoved: cursor !== state.cursor };
		}
	}
}

function insert(state: EditorState, text: string): AppliedEvent {
	if (text === '') {
		return { state, textChanged: false, cursorMoved: false };
	}
	return {
		state: { text: state.text.slice(0, state.cursor) + text + state.text.slice(state.cursor), cursor: state.cursor + text.length },
		textChanged: true,
		cursorMoved: true,
	};
}

/** Prefix and suffix of a completion request at the cursor. */
export function splitAtCursor(state: EditorState): { prefix: string; suffix: string } {
	return { prefix: state.text.slice(0, state.cursor), suffix: state.text.slice(state.cursor) };
}
