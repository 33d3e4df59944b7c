import { applyEvent, positionAt, type EditorState } from './editorDocument.js';
import { between } from '../../tooling/seededRandom.js';
import type { TraceEvent, TracePosition } from './traceTypes.js';

/** A stretch of the original file, [start, end) in characters, that the session starts without. */
export interface Hole {
	start: number;
	end: number;
}

export interface TypingStyle {
	/** Chance per word of a typo that is noticed and backspaced (0 for a clean typist). */
	typoRate?: number;
	/**
	 * The pauses real typing has on top of the key rhythm: short ones after punctuation, and thinking
	 * pauses of seconds at line ends and after punctuation, during which a suggestion has time to come.
	 */
	pauses?: PauseStyle;
}

export interface PauseStyle {
	/** Chance of a thinking pause at a line end (after Enter) and after punctuation. */
	thinkAtLineEnd: number;
	thinkAfterPunctuation: number;
	/** Chance of a short pause after punctuation, when there is no thinking pause. */
	shortAfterPunctuation: number;
	/** How long a thinking pause lasts (default THINKING_PAUSE_MS). */
	thinkingMs?: readonly [number, number];
}

/** Inter-key delays of a practised typist; pauses come on top at line ends and on hesitation. */
const KEY_DELAY_MS: readonly [number, number] = [80, 200];
const HESITATION_CHANCE = 0.04;
const HESITATION_MS: readonly [number, number] = [300, 900];
const AFTER_ENTER_MS: readonly [number, number] = [400, 1200];
const NOTICE_TYPO_MS: readonly [number, number] = [250, 600];
const BACKSPACE_DELAY_MS: readonly [number, number] = [90, 160];
/** Holding backspace auto-repeats faster than tapping it. */
const HELD_BACKSPACE_DELAY_MS: readonly [number, number] = [45, 110];
const REACH_FOR_MOUSE_MS: readonly [number, number] = [700, 1600];
const AFTER_MOVE_MS: readonly [number, number] = [300, 700];
/** A person working out what to write next: long enough for a suggestion to arrive. */
export const THINKING_PAUSE_MS: readonly [number, number] = [2500, 4500];
const SHORT_PAUSE_MS: readonly [number, number] = [250, 900];
const PUNCTUATION = /[;,.:(){}[\]=]/;

function thinkingPause(pauses: PauseStyle): readonly [number, number] {
	return pauses.thinkingMs ?? THINKING_PAUSE_MS;
}

/**
 * Writes a session as a person would type it: the file starts with some holes cut out, and the
 * builder re-types (or pastes) them key by key with human delays. Because it applies every event to
 * its own copy of the document, it always knows where a hole sits now, so cursor jumps land right.
 */
export class TraceBuilder {
	readonly initialText: string;
	readonly initialCursor: TracePosition;
	private state: EditorState;
	private readonly events: TraceEvent[] = [];
	private clock = 0;
	private readonly filled: number[];
	/** After an accept the document holds model output the builder cannot know: holes are lost. */
	private diverged = false;
	/**
	 * After `type-shown` keys the text from this offset on is the model's: holes before it are still
	 * where the builder thinks, holes after it are not (so a session types its holes from the last).
	 */
	private unknownFrom = Infinity;

	constructor(
		private readonly original: string,
		private readonly holes: readonly Hole[],
		startHole: number,
		private readonly random: () => number,
	) {
		let text = '';
		let from = 0;
		for (const hole of holes) {
			if (hole.start < from || hole.end < hole.start) {
				throw new Error('holes must be in order and must not overlap');
			}
			if (original[hole.end - 1] === '\n') {
				// Enter is typed with auto-indentation; a hole ending in a newline would indent twice.
				throw new Error('a hole must not end with a newline');
			}
			text += original.slice(from, hole.start);
			from = hole.end;
		}
		text += original.slice(from);
		this.initialText = text;
		this.filled = holes.map(() => 0);
		this.state = { text, cursor: this.holeOffset(startHole) };
		this.initialCursor = positionAt(text, this.state.cursor);
	}

	get text(): string {
		return this.state.text;
	}

	get durationMs(): number {
		return this.clock;
	}

	pause(range: readonly [number, number]): this {
		this.clock += between(this.random, range[0], range[1]);
		return this;
	}

	/** Types the next `characters` of a hole (all that is left by default); the cursor must be there. */
	retype(hole: number, style: TypingStyle = {}, characters?: number): this {
		this.expectCursorAt(hole);
		const rest = this.holeText(hole);
		const text = characters === undefined ? rest : rest.slice(0, characters);
		this.typeKeys(text, style);
		this.filled[hole]! += text.length;
		return this;
	}

	/** Holds backspace over the last `characters` typed into a hole (a rethink, not a typo). */
	rewind(hole: number, characters: number): this {
		this.expectCursorAt(hole);
		if (characters > this.filled[hole]!) {
			throw new Error(`cannot rewind ${characters} characters of hole ${hole}: only ${this.filled[hole]} are typed`);
		}
		this.pause(NOTICE_TYPO_MS);
		for (let index = 0; index < characters; index++) {
			this.emit(
				{ kind: 'backspace' },
				index === 0 ? 0 : between(this.random, HELD_BACKSPACE_DELAY_MS[0], HELD_BACKSPACE_DELAY_MS[1]),
			);
		}
		this.filled[hole]! -= characters;
		return this;
	}

	/** Pastes the rest of a hole at the cursor (copied from somewhere else beforehand). */
	paste(hole: number): this {
		this.expectCursorAt(hole);
		const text = this.holeText(hole);
		this.emit({ kind: 'paste', text }, 0);
		this.filled[hole]! += text.length;
		return this;
	}

	/** Reaches for the mouse and clicks where the hole's typing continues. */
	moveTo(hole: number): this {
		this.pause(REACH_FOR_MOUSE_MS);
		const position = positionAt(this.state.text, this.holeOffset(hole));
		this.emit({ kind: 'move', ...position }, 0);
		return this.pause(AFTER_MOVE_MS);
	}

	/** Types text that is not from the original (after an accept, the document is the model's). */
	typeFree(text: string, style: TypingStyle = {}): this {
		this.typeKeys(text, style);
		return this;
	}

	/**
	 * Types `keys` characters of whatever ghost text is on screen (`type-shown` events, at the typing
	 * rhythm): what the replay types is the model's own suggestion.
	 */
	typeShown(keys: number): this {
		this.unknownFrom = Math.min(this.unknownFrom, this.state.cursor);
		for (let index = 0; index < keys; index++) {
			this.emit({ kind: 'type-shown' }, this.keyDelay());
		}
		return this;
	}

	/** Presses Tab; the replay waits for a suggestion to be on screen first. */
	accept(): this {
		this.emit({ kind: 'accept' }, 0);
		this.diverged = true;
		return this;
	}

	build(): TraceEvent[] {
		return this.events.slice();
	}

	/** Where typing into a hole continues in the current document. */
	private holeOffset(hole: number): number {
		if (this.diverged) {
			throw new Error('after an accept the document is unknown; only typeFree and accept can follow');
		}
		let offset = this.holes[hole]!.start + this.filled[hole]!;
		for (let earlier = 0; earlier < hole; earlier++) {
			offset -= this.holes[earlier]!.end - this.holes[earlier]!.start - this.filled[earlier]!;
		}
		if (offset >= this.unknownFrom) {
			throw new Error(`hole ${hole} lies after text the model typed: type holes from the last one after type-shown keys`);
		}
		return offset;
	}

	private holeText(hole: number): string {
		const { start, end } = this.holes[hole]!;
		return this.original.slice(start + this.filled[hole]!, end);
	}

	private expectCursorAt(hole: number): void {
		const expected = this.holeOffset(hole);
		if (this.state.cursor !== expected) {
			throw new Error(`the cursor is at ${this.state.cursor}, hole ${hole} continues at ${expected}: move there first`);
		}
	}

	private typeKeys(text: string, style: TypingStyle): void {
		const typoRate = style.typoRate ?? 0;
		for (let index = 0; index < text.length;) {
			const char = text[index]!;
			if (char === '\n') {
				// Enter, and the editor indents the new line as the file has it (auto-indent). A blank
				// line gets no indentation: editors trim the whitespace they inserted themselves.
				const indentation = /^[ \t]*/.exec(text.slice(index + 1))![0];
				const nextChar = text[index + 1 + indentation.length];
				const keystroke = nextChar === '\n' ? '\n' : '\n' + indentation;
				this.emit({ kind: 'type', text: keystroke }, this.keyDelay());
				this.pause(style.pauses && this.random() < style.pauses.thinkAtLineEnd ? thinkingPause(style.pauses) : AFTER_ENTER_MS);
				index += keystroke.length;
				continue;
			}
			const startsWord = /[A-Za-z]/.test(char) && (index === 0 || !/[A-Za-z0-9_]/.test(text[index - 1]!));
			if (startsWord && this.random() < typoRate) {
				this.typo();
			}
			this.emit({ kind: 'type', text: char }, this.keyDelay());
			index++;
			if (style.pauses && PUNCTUATION.test(char)) {
				this.punctuationPause(style.pauses);
			}
		}
	}

	private punctuationPause(pauses: PauseStyle): void {
		const draw = this.random();
		if (draw < pauses.thinkAfterPunctuation) {
			this.pause(thinkingPause(pauses));
		} else if (draw < pauses.thinkAfterPunctuation + pauses.shortAfterPunctuation) {
			this.pause(SHORT_PAUSE_MS);
		}
	}

	/** One or two wrong letters, a moment to notice, then as many backspaces. */
	private typo(): void {
		const wrong = 1 + Math.floor(this.random() * 2);
		for (let index = 0; index < wrong; index++) {
			this.emit({ kind: 'type', text: String.fromCharCode(97 + Math.floor(this.random() * 26)) }, this.keyDelay());
		}
		this.pause(NOTICE_TYPO_MS);
		for (let index = 0; index < wrong; index++) {
			this.emit({ kind: 'backspace' }, index === 0 ? 0 : between(this.random, BACKSPACE_DELAY_MS[0], BACKSPACE_DELAY_MS[1]));
		}
	}

	private keyDelay(): number {
		const delay = between(this.random, KEY_DELAY_MS[0], KEY_DELAY_MS[1]);
		return this.random() < HESITATION_CHANCE ? delay + between(this.random, HESITATION_MS[0], HESITATION_MS[1]) : delay;
	}

	/** Emits an event `delayMs` after the previous one (on top of any pause taken since). */
	private emit(event: DistributiveOmit<TraceEvent, 't'>, delayMs: number): void {
		this.clock += delayMs;
		const timed = { t: this.clock, ...event } as TraceEvent;
		this.events.push(timed);
		// An accept or a typed suggestion inserts text only the replay will know; the builder's copy stops following.
		if (timed.kind !== 'accept' && timed.kind !== 'type-shown') {
			this.state = applyEvent(this.state, timed).state;
		}
	}
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
