/**
 * Document This on a completion model: the doc comment a base fill-in-the-middle model
 * writes where the code's documentation belongs (engine/actions/documentThis.ts). It answers Explain
 * (the comment as a summary, labelled as a generated doc comment, not an explanation) and Clean Up
 * Docs (the code with the comment in place, offered like any clean-up).
 */

import type { ActionInput } from './actionPrompts.js';
import { docCommentBody, documentThisPrompt, formatDocComment, withDocComment } from './documentThis.js';
import type { CompletionBackend } from '../runtime/completionBackend.js';
import type { CompletionConfidence } from '../completion/completionTypes.js';

/**
 * A doc comment whose mean token log-probability is below this is flagged unsure (the editor offers
 * Escalate…). Chosen by `npm run bench -- --document-this` on the bundled model over 99 documented
 * held-out functions: confidence separates good comments from bad with ROC AUC 0.65, and this
 * threshold (best Youden's J) flags 17 % of answers: 28 % of the bad ones, 2 % of the good ones.
 */
export const DOC_COMMENT_UNSURE_BELOW = -0.43;

/** Enough for a summary and a few tag lines; a small model's longer comments wander. */
const DOC_COMMENT_TOKENS = 96;

export interface DocumentThisOutcome {
	/** The doc comment alone, in the language's style (empty when the model wrote nothing usable). */
	comment: string;
	/** The selection with the comment in place. */
	documented: string;
	generatedTokens: number;
	stopReason: string;
	confidence?: CompletionConfidence;
}

export class NoDocStyleError extends Error {}

/** `before`: the document's text above the code, when the caller has it (the bench does; the editor sends the selection only). */
export async function writeDocComment(
	engine: CompletionBackend,
	input: ActionInput & { before?: string },
	signal?: AbortSignal,
	/** The hearth.actions.maxTokens setting, when above 0: fewer tokens than the comment's own limit. */
	maxTokens = 0,
): Promise<DocumentThisOutcome> {
	const prompt = documentThisPrompt({ code: input.code, languageId: input.languageId, before: input.before });
	if (!prompt) {
		throw new NoDocStyleError(
			`Hearth does not know how ${input.languageId} code is documented, so the local base model cannot write a doc comment for it.`,
		);
	}
	const result = await engine.complete({
		prefix: prompt.prefix,
		suffix: prompt.suffix,
		filePath: input.filePath,
		documentKey: 'hearth:document-this',
		maxTokens: maxTokens > 0 ? Math.min(DOC_COMMENT_TOKENS, maxTokens) : DOC_COMMENT_TOKENS,
		mode: 'multi-line',
		useCache: false,
		signal,
	});
	const body = docCommentBody(result.rawText, prompt.style, 12, prompt.seed);
	return {
		comment: body.length > 0 ? formatDocComment(body, prompt.style, '') : '',
		documented: body.length > 0 ? withDocComment(prompt, body) : input.code,
		generatedTokens: result.stats.generatedTokens,
		stopReason: result.stopReason,
		...(result.confidence ? { confidence: result.confidence } : {}),
	};
}
