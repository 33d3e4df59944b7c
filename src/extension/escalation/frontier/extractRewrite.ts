import { findFencedBlocks } from './codeFence.js';
import { restoreRedactedSecrets } from './restoreRedactedSecrets.js';
import { withOriginalLayout } from '../../../shared/originalLayout.js';

export interface ExtractedRewrite {
	/** The code to put in place of the selection, in the original's layout, secrets restored where possible. */
	code: string;
	/** Redaction placeholders turned back into the original's secret values. */
	restoredSecrets: number;
	/** Placeholders that could not be matched to a value and are still in `code` (say so before the user accepts). */
	unrestoredPlaceholders: number;
	/** The answer ended inside its code block (cut short by the output limit): the rewrite is likely incomplete. */
	truncated: boolean;
}

/**
 * The rewritten selection in a frontier model's answer to a refactor or cleanup request, which asks
 * for exactly one fenced block holding the whole selection. A capable model follows that, so the
 * rules are simple: the only block, or, when the model added more (an example of use), the longest
 * one; undefined when the answer has no fenced block at all (show it as text instead of a diff).
 *
 * The code keeps the original's layout at its edges (leading blank lines, trailing line break or its
 * absence) and its line endings, so that accepting adds no stray line break. It is a vscode-free
 * counterpart of the engine's extractAnswerCode, which the extension host may not import.
 */
export function extractRewrite(answer: string, original: string): ExtractedRewrite | undefined {
	const blocks = findFencedBlocks(answer);
	if (blocks.length === 0) {
		return undefined;
	}
	const chosen = blocks.reduce((best, block) => (block.content.length > best.content.length ? block : best));
	const { text, restored, unrestored } = restoreRedactedSecrets(chosen.content, original);
	return {
		code: withOriginalLayout(text, original),
		restoredSecrets: restored,
		unrestoredPlaceholders: unrestored,
		truncated: !chosen.closed,
	};
}
