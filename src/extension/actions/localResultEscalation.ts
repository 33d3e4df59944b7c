import type { EscalationTask } from '../escalation/frontier/escalationTask.js';
import type { SelectionTarget } from './selectionTarget.js';

/**
 * How a local result reaches the frontier model: what the local actions (explain, refactor, clean
 * up) are given, at construction, by the escalation commands. Whether "Escalate…" is offered at all
 * (not in Restricted Mode) is the caller's to decide each time.
 */
export interface LocalResultEscalation {
	/** Sends the task now (after its preview). */
	escalate(task: EscalationTask, target: SelectionTarget): Promise<void>;
	/** Keeps the task as the "last local answer", for the palette and the diff's title-bar button. */
	remember(task: EscalationTask, target: SelectionTarget): void;
}
