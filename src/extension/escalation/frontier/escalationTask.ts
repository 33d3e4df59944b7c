/** What the user asked a frontier model to do with the selection. */
export type EscalationTaskKind = 'ask' | 'explain' | 'refactor' | 'cleanup';

/** One escalation, as the editor gathered it: nothing here has been redacted yet. */
export interface EscalationTask {
	kind: EscalationTaskKind;
	/** The selection (before redaction). */
	code: string;
	languageId: string;
	/** Workspace-relative, so that the user's home directory and user name are not sent. */
	filePath: string;
	/** 'ask': the question (optional); 'refactor': the instruction. */
	question?: string;
	/** When escalating a local result: the local model's answer, for the frontier model to compare against. */
	localAnswer?: { model: string; text: string };
}

/** Tasks whose answer is the whole selection rewritten, shown as a diff to accept. */
export function isRewriteTask(kind: EscalationTaskKind): kind is 'refactor' | 'cleanup' {
	return kind === 'refactor' || kind === 'cleanup';
}
