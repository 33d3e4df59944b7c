import type { Connection } from 'vscode-languageserver/node';
import { checkCommentOnlyChange } from '../../engine/actions/commentOnlyCheck.js';
import { CheckCommentOnlyRequest } from '../../shared/protocol.js';

/** `hearth/checkCommentOnly`: the clean-up rule for proposals from a frontier model; needs no model. */
export function registerCheckCommentOnly(connection: Connection): void {
	connection.onRequest<CheckCommentOnlyRequest.Result, void>(
		CheckCommentOnlyRequest.method,
		(params: CheckCommentOnlyRequest.Params): CheckCommentOnlyRequest.Result => {
			const check = checkCommentOnlyChange(
				String(params.original ?? ''),
				String(params.proposal ?? ''),
				String(params.languageId ?? 'plaintext'),
			);
			return check.ok ? { ok: true } : { ok: false, reason: check.reason };
		},
	);
}
