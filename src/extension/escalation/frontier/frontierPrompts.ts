import { fencedBlock } from './codeFence.js';
import { isRewriteTask, type EscalationTask } from './escalationTask.js';

/**
 * The words of an escalation prompt. Kept plain and short: every character is shown to the user
 * in the preview before anything is sent, and a frontier model needs no coaxing.
 */

const ROLE =
	'You are an expert software engineer helping a developer inside their code editor. Be accurate and concise; say so when you are unsure.';

const REDACTION_NOTE =
	'Some secret values in the code were replaced by placeholders such as [REDACTED api-key] before it was sent to you. Treat them as opaque values and keep every placeholder exactly as it is.';

const REWRITE_FORMAT =
	'Reply with exactly one fenced code block holding the complete rewritten code (all of it, not only the changed lines), keeping the original indentation, so that it can replace the original as it is. After the block you may add at most a few sentences on what changed.';

/** The system message: the role, what placeholders mean (when there are any) and, for rewrites, the answer's shape. */
export function systemPrompt(task: EscalationTask, hasRedactions: boolean): string {
	const parts = [ROLE];
	if (hasRedactions) {
		parts.push(REDACTION_NOTE);
	}
	if (isRewriteTask(task.kind)) {
		parts.push(REWRITE_FORMAT);
	}
	return parts.join('\n\n');
}

/** The user message: the request, the code (fenced), and the local model's answer when there is one to compare. */
export function userPrompt(task: EscalationTask): string {
	const code = `The code, from ${task.filePath} (${task.languageId}):\n\n${fencedBlock(task.code, task.languageId)}`;
	const parts = [request(task), code];
	if (task.localAnswer) {
		parts.push(
			`For comparison, a small local model (${task.localAnswer.model}) answered this request as follows. Give your own answer; where the local answer is wrong or misses something important, say so briefly.\n\n${fencedBlock(task.localAnswer.text, 'markdown')}`,
		);
	}
	return parts.join('\n\n');
}

function request(task: EscalationTask): string {
	const question = task.question?.trim();
	switch (task.kind) {
		case 'ask':
			return question
				? `Question about the code below: ${question}`
				: 'What should I know about the code below? Point out bugs, risks and worthwhile improvements.';
		case 'explain':
			return 'Explain what the code below does and how, including anything surprising or easy to get wrong.';
		case 'refactor':
			return question
				? `Refactor the code below as follows: ${question}\nKeep its behaviour unless that instruction changes it.`
				: 'Refactor the code below to make it clearer and simpler, keeping its behaviour.';
		case 'cleanup':
			// Hearth's clean-up is of comments only (as the local action's): the answer is checked to change nothing else.
			return 'Improve the comments and documentation in the code below: fix grammar and spelling, make them clear and concise, correct any that no longer match the code, and give doc comments one consistent format. Do not change any code, identifier, string or whitespace outside comments.';
	}
}
