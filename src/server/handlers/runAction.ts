import type { Connection } from 'vscode-languageserver/node';
import { ActionProgressNotification, RunActionRequest } from '../../shared/protocol.js';
import { rewriteProposal } from '../actions/rewriteProposal.js';
import { runAction } from '../actions/runAction.js';
import type { ServerState } from '../serverState.js';
import { asResponseError, requestCancelled } from './requestErrors.js';

/** The text so far goes to the client at most this often: fewer messages than tokens, never out of order. */
const PROGRESS_INTERVAL_MS = 50;

/**
 * `hearth/runAction`: explain, refactor or clean up a selection on the local model, the text so far
 * sent as progress notifications; a rewrite comes back with its proposal (see rewriteProposal).
 */
export function registerRunAction(connection: Connection, state: ServerState): void {
	const { logger } = state;
	connection.onRequest(RunActionRequest.method, async (params: RunActionRequest.Params, token): Promise<RunActionRequest.Result> => {
		const abort = new AbortController();
		const subscription = token?.onCancellationRequested(() => abort.abort());
		let lastSent = 0;
		let pending: ReturnType<typeof setTimeout> | undefined;
		let latest = '';
		const send = () => {
			pending = undefined;
			lastSent = performance.now();
			void connection.sendNotification(ActionProgressNotification.method, {
				progressToken: params.progressToken,
				text: latest,
			} satisfies ActionProgressNotification.Params);
		};
		// The model stays loaded while the action runs (loaded again first if it was unloaded for idleness).
		const release = await state.models.hold();
		try {
			const outcome = await runAction(
				state,
				{
					kind: params.kind,
					code: String(params.code ?? ''),
					languageId: String(params.languageId ?? 'plaintext'),
					filePath: params.filePath,
					instruction: params.instruction,
				},
				abort.signal,
				(text) => {
					latest = text;
					if (pending === undefined) {
						pending = setTimeout(send, Math.max(0, PROGRESS_INTERVAL_MS - (performance.now() - lastSent)));
					}
				},
				{ maxTokens: state.settings.actions.maxTokens },
			);
			if (pending !== undefined) {
				clearTimeout(pending);
				send();
			}
			if (abort.signal.aborted) {
				// The client has the text so far from the progress notifications.
				throw requestCancelled(`${params.kind} cancelled after ${outcome.generatedTokens} tokens`);
			}
			const { documented, ...answer } = outcome;
			const proposal =
				outcome.stopReason === 'cancelled' || outcome.route?.via === 'unavailable'
					? {}
					: rewriteProposal(
							params.kind,
							String(params.code ?? ''),
							{ answer: outcome.text, documented, instruction: params.instruction },
							String(params.languageId ?? 'plaintext'),
						);
			if (outcome.route) {
				logger.info(`${params.kind} → ${outcome.route.via}: ${outcome.route.reason}`);
			}
			if (proposal.refused) {
				logger.info(`${params.kind}: proposal refused: ${proposal.refused}`);
			}
			logger.info(
				`${params.kind}: ${outcome.generatedTokens} tokens in ${Math.round(outcome.totalMs)} ms (${outcome.tokensPerSecond.toFixed(1)} tok/s, ${outcome.pauses} pauses for typing), ${outcome.stopReason}`,
			);
			return { ...answer, ...proposal };
		} catch (error) {
			clearTimeout(pending);
			throw asResponseError(error, logger, `${params.kind} failed: `);
		} finally {
			release();
			subscription?.dispose();
		}
	});
}
