import { checkCommentOnlyChange } from '../../engine/actions/commentOnlyCheck.js';
import { extractAnswerCode } from '../../engine/actions/extractAnswerCode.js';
import type { ActionKind } from '../../engine/actions/actionPrompts.js';
import type { RunActionRequest } from '../../shared/protocol.js';

/**
 * Turns a rewrite's answer into what the editor may offer: the code taken out of the model's fences
 * and chatter, and for a clean-up, the verdict whether only comments changed. It is decided here, in
 * the server, so that no proposal that changes code can reach the diff.
 */
export function rewriteProposal(
	kind: ActionKind,
	original: string,
	answer: string,
	languageId: string,
): Pick<RunActionRequest.Result, 'proposal' | 'commentOnly'> {
	if (kind === 'explain') {
		return {};
	}
	const proposal = extractAnswerCode(answer, original);
	if (kind === 'refactor') {
		return { proposal };
	}
	const check = checkCommentOnlyChange(original, proposal, languageId);
	return { proposal, commentOnly: check.ok ? { ok: true } : { ok: false, reason: check.reason } };
}
