import type { EscalationTaskKind } from './escalationTask.js';

/**
 * One escalation, as the audit log keeps it: where it went, how much left the machine, what came
 * back and how it ended. Never the code, the answer or the key: sizes and kinds only.
 */
export interface AuditEntry {
	/** ISO 8601. */
	time: string;
	/** The base URL. */
	endpoint: string;
	model: string;
	task: EscalationTaskKind;
	/** Workspace-relative path of the file the code came from. */
	file: string;
	outcome: 'answered' | 'failed' | 'cancelled' | 'declined';
	/** The FrontierError's message (written for the user; holds no key). */
	error?: string;
	charactersSent: number;
	estimatedTokensSent: number;
	/** As the server reported it, when it did. */
	promptTokens?: number;
	charactersReceived: number;
	completionTokens?: number;
	redactions: { kind: string; count: number }[];
	attempts: number;
	durationMs: number;
}

const OUTCOMES = new Set(['answered', 'failed', 'cancelled', 'declined']);
const TASKS = new Set(['ask', 'explain', 'refactor', 'cleanup']);

/**
 * The entry with only AuditEntry's own fields, in a fixed order: a caller that passes a richer
 * object (a task with its code, an endpoint with its key) does not get the extra fields written.
 */
export function auditRecord(entry: AuditEntry): AuditEntry {
	return {
		time: entry.time,
		endpoint: entry.endpoint,
		model: entry.model,
		task: entry.task,
		file: entry.file,
		outcome: entry.outcome,
		...(entry.error === undefined ? {} : { error: entry.error }),
		charactersSent: entry.charactersSent,
		estimatedTokensSent: entry.estimatedTokensSent,
		...(entry.promptTokens === undefined ? {} : { promptTokens: entry.promptTokens }),
		charactersReceived: entry.charactersReceived,
		...(entry.completionTokens === undefined ? {} : { completionTokens: entry.completionTokens }),
		redactions: entry.redactions.map(({ kind, count }) => ({ kind, count })),
		attempts: entry.attempts,
		durationMs: entry.durationMs,
	};
}

/** Whether a parsed line is an entry this version can show (a hand-edited or truncated line is not). */
export function isAuditEntry(value: unknown): value is AuditEntry {
	if (typeof value !== 'object' || value === null) {
		return false;
	}
	const entry = value as Record<string, unknown>;
	const isCount = (field: unknown) => typeof field === 'number' && Number.isFinite(field) && field >= 0;
	const optionalCount = (field: unknown) => field === undefined || isCount(field);
	return (
		typeof entry.time === 'string' &&
		typeof entry.endpoint === 'string' &&
		typeof entry.model === 'string' &&
		TASKS.has(entry.task as string) &&
		typeof entry.file === 'string' &&
		OUTCOMES.has(entry.outcome as string) &&
		(entry.error === undefined || typeof entry.error === 'string') &&
		isCount(entry.charactersSent) &&
		isCount(entry.estimatedTokensSent) &&
		optionalCount(entry.promptTokens) &&
		isCount(entry.charactersReceived) &&
		optionalCount(entry.completionTokens) &&
		Array.isArray(entry.redactions) &&
		entry.redactions.every(
			(redaction: unknown) =>
				typeof (redaction as { kind?: unknown })?.kind === 'string' && isCount((redaction as { count?: unknown }).count),
		) &&
		isCount(entry.attempts) &&
		isCount(entry.durationMs)
	);
}
