import { redactSecrets } from '../redaction/index.js';
import type { EscalationTask } from './escalationTask.js';
import { systemPrompt, userPrompt } from './frontierPrompts.js';
import { estimateChatTokens } from './tokenEstimate.js';

export interface OutgoingMessage {
	role: 'system' | 'user';
	content: string;
}

/** An escalation exactly as it will leave the machine: what the preview shows is what is sent. */
export interface OutgoingRequest {
	/** EXACTLY what will be sent (after redaction); the client sends these and nothing else of the user's. */
	messages: OutgoingMessage[];
	/** A human-readable rendering of exactly those messages (see formatPreview): every character sent appears here. */
	previewText: string;
	/** What was redacted: kinds and counts, never the secret. */
	redactions: { kind: string; count: number }[];
	/** Total characters of the message contents. */
	characters: number;
	/** Conservative (see estimateTokens), framing of the chat format included. */
	estimatedInputTokens: number;
}

/**
 * The messages for `task`. With `redact`, every text that came from the user's workspace (the
 * code, the question or instruction, the local model's answer, the file path) goes through the
 * secret detector first; the prompt's own words are ours and hold no secrets.
 */
export function buildOutgoingRequest(task: EscalationTask, options: { redact: boolean }): OutgoingRequest {
	const counts = new Map<string, number>();
	const clean = (text: string): string => {
		if (!options.redact) {
			return text;
		}
		const result = redactSecrets(text);
		for (const finding of result.findings) {
			counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1);
		}
		return result.text;
	};
	const redacted: EscalationTask = {
		kind: task.kind,
		code: clean(task.code),
		languageId: task.languageId,
		filePath: clean(task.filePath),
		question: task.question === undefined ? undefined : clean(task.question),
		localAnswer: task.localAnswer && { model: task.localAnswer.model, text: clean(task.localAnswer.text) },
	};
	const messages: OutgoingMessage[] = [
		{ role: 'system', content: systemPrompt(redacted, counts.size > 0) },
		{ role: 'user', content: userPrompt(redacted) },
	];
	return {
		messages,
		previewText: formatPreview(messages),
		redactions: [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
		characters: messages.reduce((sum, message) => sum + message.content.length, 0),
		estimatedInputTokens: estimateChatTokens(messages),
	};
}

/**
 * The preview of `messages`: each one under a `── role ──` rule, contents verbatim, separated by a
 * blank line. Nothing is elided or wrapped, so the preview can be compared with what a server received.
 */
export function formatPreview(messages: readonly OutgoingMessage[]): string {
	return messages.map((message) => `── ${message.role} ──\n${message.content}`).join('\n\n');
}
