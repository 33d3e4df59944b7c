import type { ChatMessage } from '../chat/chatTypes.js';

/**
 * The prompts of the selection actions, one per action, in one place: easy to read and to change.
 * Small local models follow short, concrete instructions best, and answer in the user's code's own
 * language only when told to return code alone.
 */
export type ActionKind = 'explain' | 'refactor' | 'cleanup';

export interface ActionInput {
	kind: ActionKind;
	/** The selected text (or the function around the cursor). */
	code: string;
	/** VS Code language id, e.g. "typescript". */
	languageId: string;
	/** Workspace-relative path, for context. */
	filePath?: string;
	/** What the user asked for (refactor only). */
	instruction?: string;
}

const SYSTEM = 'You are Hearth, a careful senior software engineer helping inside a code editor. You are precise and brief.';

export function actionMessages(input: ActionInput): ChatMessage[] {
	const where = input.filePath ? ` from ${input.filePath}` : '';
	const fenced = '```' + input.languageId + '\n' + input.code + (input.code.endsWith('\n') ? '' : '\n') + '```';
	switch (input.kind) {
		case 'explain':
			return [
				{ role: 'system', content: SYSTEM },
				{
					role: 'user',
					content:
						`Explain what this ${input.languageId} code${where} does, for a developer reading it for the first time. ` +
						'Start with one sentence that sums it up, then the important details, then anything surprising or risky. ' +
						'Use Markdown; quote identifiers in backticks.\n\n' +
						fenced,
				},
			];
		case 'refactor':
			return [
				{ role: 'system', content: SYSTEM },
				{
					role: 'user',
					content:
						`Rewrite this ${input.languageId} code${where} as follows: ${input.instruction?.trim() || 'make it clearer without changing what it does'}.\n` +
						'Keep its behaviour unless the instruction says otherwise, keep its indentation style, and answer with the complete rewritten code only, in one fenced code block, with no explanation.\n\n' +
						fenced,
				},
			];
		case 'cleanup':
			return [
				{ role: 'system', content: SYSTEM },
				{
					role: 'user',
					content:
						`Improve the comments and documentation in this ${input.languageId} code${where}: fix grammar and spelling, make them clear and concise, and give doc comments one consistent format. ` +
						'Do not change any code, identifier, string or whitespace outside comments. ' +
						'Answer with the complete code only, in one fenced code block, with no explanation.\n\n' +
						fenced,
				},
			];
	}
}

/**
 * Answers are this long at most: an explanation is read, a rewrite is about as long as its input.
 * `limit` (the hearth.actions.maxTokens setting), when above 0, lowers that bound.
 */
export function actionMaxTokens(kind: ActionKind, inputTokens: number, limit = 0): number {
	const own = kind === 'explain' ? 768 : Math.max(256, Math.ceil(inputTokens * 1.5) + 64);
	return limit > 0 ? Math.min(own, limit) : own;
}
