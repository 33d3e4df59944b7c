import { setTimeout as sleep } from 'node:timers/promises';
import { applyEvent, offsetAt, type EditorState } from '../traces/editorDocument.js';
import type { TraceEvent } from '../traces/traceTypes.js';

/**
 * The editor side of a trace replay, the same for Hearth and for the llama-server race: each event
 * at its recorded time (later by as long as earlier accepts waited for their suggestion), the
 * document it changes, and the ghost text on screen, which typing its next characters keeps (as
 * VS Code does) and any other edit or cursor move removes.
 */
export class SimulatedEditor {
	state: EditorState;
	/** The ghost text on screen: a delivered, non-empty answer to the live request. */
	shown: string | undefined;
	readonly eventLagMs: number[] = [];
	readonly accepts = { count: 0, missed: 0, waitedMs: 0 };
	/** `type-shown` keys: how many, how many found nothing to type, and how long they waited for it. */
	readonly typedShown = { count: 0, missed: 0, waitedMs: 0 };
	/** Accepts that waited for their suggestion push every later event back by as long. */
	private delayMs = 0;

	constructor(
		initialText: string,
		initialCursor: { line: number; character: number },
		private readonly now: () => number,
		private readonly acceptWaitLimitMs: number,
	) {
		this.state = { text: initialText, cursor: offsetAt(initialText, initialCursor) };
	}

	/**
	 * Waits until the event is due and applies it. An accept or a `type-shown` key with nothing shown
	 * yet waits (up to the limit) for `pending`, the live request's answer. `dropLive` is called when the edit or cursor
	 * move makes the live request's answer useless.
	 */
	async apply(
		event: TraceEvent,
		pending: Promise<void> | undefined,
		dropLive: () => void,
	): Promise<{ textChanged: boolean; typedThrough: boolean }> {
		const due = event.t + this.delayMs;
		if (due > this.now()) {
			await sleep(due - this.now());
		}
		this.eventLagMs.push(Math.max(0, this.now() - due));
		let suggestion: string | undefined;
		if (event.kind === 'accept' || event.kind === 'type-shown') {
			const counter = event.kind === 'accept' ? this.accepts : this.typedShown;
			counter.count++;
			if (!this.shown && pending) {
				const waitStartedAt = this.now();
				await settledWithin(pending, this.acceptWaitLimitMs);
				const waited = this.now() - waitStartedAt;
				counter.waitedMs += waited;
				this.delayMs += waited;
			}
			suggestion = this.shown;
			if (suggestion === undefined) {
				counter.missed++;
			}
		}
		// Typing the ghost text's next character is a typed key like any other from here on.
		const effective: TraceEvent =
			event.kind === 'type-shown' && suggestion !== undefined ? { t: event.t, kind: 'type', text: suggestion.slice(0, 1) } : event;
		const applied = applyEvent(this.state, effective, suggestion);
		this.state = applied.state;
		const shown = this.shown;
		const typedThrough =
			effective.kind === 'type' && shown !== undefined && shown.length > effective.text.length && shown.startsWith(effective.text);
		if (applied.textChanged || applied.cursorMoved) {
			dropLive();
		}
		this.shown = typedThrough && effective.kind === 'type' ? shown!.slice(effective.text.length) : undefined;
		return { textChanged: applied.textChanged, typedThrough };
	}
}

/** Resolves when `promise` settles or after `limitMs`, whichever comes first. */
export async function settledWithin(promise: Promise<void>, limitMs: number): Promise<void> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
	clearTimeout(timer);
}
