import { checkCommentOnlyChange } from '../../engine/actions/commentOnlyCheck.js';
import { extractAnswerCode } from '../../engine/actions/extractAnswerCode.js';
import type { ActionKind } from '../../engine/actions/actionPrompts.js';
import { checkProposal } from '../../engine/actions/proposalGuard.js';
import type { RunActionRequest } from '../../shared/protocol.js';

export interface RewriteAnswer {
	/** The model's answer (a chat answer's code is taken out of its fences and chatter). */
	answer: string;
	/** Document This: the selection with the generated doc comment in place, used as it is. */
	documented?: string;
	/** The user's instruction (refactor): asking to remove code allows a rewrite that removes most of it. */
	instruction?: string;
}

/**
 * Turns a rewrite's answer into what the editor may offer: the code taken out of the model's fences
 * and chatter, refused when accepting it would obviously do harm (empty, most of the selection gone,
 * brackets that no longer balance: engine/actions/proposalGuard.ts), and for a clean-up, the verdict
 * whether only comments changed. It is decided here, in the server, so that no harmful proposal and no
 * clean-up that changes code can reach the diff.
 */
export function rewriteProposal(
	kind: ActionKind,
	original: string,
	{ answer, documented, instruction }: RewriteAnswer,
	languageId: string,
): Pick<RunActionRequest.Result, 'proposal' | 'commentOnly' | 'refused'> {
	if (kind === 'explain') {
		return {};
	}
	const proposal = documented ?? extractAnswerCode(answer, original);
	const guard = checkProposal(original, proposal, languageId, kind === 'refactor' ? instruction : '');
	if (!guard.ok) {
		return { refused: guard.reason };
	}
	if (kind === 'refactor') {
		return { proposal };
	}
	const check = checkCommentOnlyChange(original, proposal, languageId);
	return { proposal, commentOnly: check.ok ? { ok: true } : { ok: false, reason: check.reason } };
}
