import type { ChatMessage } from '../../engine/chat/chatTypes.js';
import { actionMaxTokens, actionMessages, type ActionInput } from '../../engine/actions/actionPrompts.js';
import type { RunActionRequest } from '../../shared/protocol.js';
import type { CompletionActivity } from '../completionActivity.js';
import type { ModelLifecycle } from '../modelLifecycle.js';

/** What the action runner needs of the server: the chat model, and when inline completions run (they go first). */
export interface ActionHost {
	readonly models: Pick<ModelLifecycle, 'chatEngine' | 'modelName'>;
	readonly activity: Pick<CompletionActivity, 'onCompletionStart' | 'whenCompletionsQuiet'>;
}

/** The request's result less what the server adds afterwards (the proposal and its check). */
export type ActionOutcome = Omit<RunActionRequest.Result, 'proposal' | 'commentOnly'>;

/** The user has stopped typing when no completion ran for this long: the action may go on. */
const RESUME_AFTER_QUIET_MS = 400;

export class ActionUnavailableError extends Error {}

export interface RunActionOptions {
	/** The hearth.actions.maxTokens setting: most tokens of the answer, 0 for the action's own limit. */
	maxTokens?: number;
}

/**
 * Runs a selection action on the local model, giving way to inline completions: when the user starts
 * typing, generation stops at the next token (the text so far is kept), and once typing has paused it
 * continues the same answer, the partial text given back as the start of the assistant's turn. The
 * chat context keeps the prompt's KV state, so resuming costs only the tokens generated since.
 */
export async function runAction(
	host: ActionHost,
	input: ActionInput,
	signal: AbortSignal,
	onText: (text: string) => void,
	options: RunActionOptions = {},
): Promise<ActionOutcome> {
	const chat = host.models.chatEngine();
	if (!chat) {
		throw new ActionUnavailableError(
			'Explain, refactor and clean-up run on a local model; the completion model in use is a server. Choose a local model in the model switcher.',
		);
	}
	const startedAt = performance.now();
	const messages = actionMessages(input);
	const budget = actionMaxTokens(input.kind, chat.countTokens(messages), options.maxTokens);
	// A rewrite repeats its input: predicting tokens from it saves steps. An explanation does not.
	const tokenPredictor = input.kind === 'explain' ? 'none' : 'input-lookup';
	let text = '';
	let generatedTokens = 0;
	let generationMs = 0;
	let pauses = 0;
	for (;;) {
		await host.activity.whenCompletionsQuiet(RESUME_AFTER_QUIET_MS, signal);
		const preempt = new AbortController();
		const unsubscribe = host.activity.onCompletionStart(() => preempt.abort());
		const conversation: ChatMessage[] = text === '' ? messages : [...messages, { role: 'assistant', content: text }];
		let result;
		try {
			result = await chat.generate({
				messages: conversation,
				maxTokens: Math.max(1, budget - generatedTokens),
				signal: AbortSignal.any([signal, preempt.signal]),
				tokenPredictor,
				onText: (delta) => {
					text += delta;
					onText(text);
				},
			});
		} finally {
			unsubscribe();
		}
		generatedTokens += result.stats.generatedTokens;
		generationMs += result.stats.totalMs - result.stats.promptMs;
		const preempted = result.stopReason === 'cancelled' && preempt.signal.aborted && !signal.aborted;
		if (preempted && generatedTokens < budget) {
			pauses++;
			continue;
		}
		return {
			text,
			stopReason: result.stopReason,
			model: host.models.modelName ?? 'the local model',
			totalMs: performance.now() - startedAt,
			generatedTokens,
			tokensPerSecond: generationMs > 0 ? (generatedTokens * 1000) / generationMs : 0,
			pauses,
		};
	}
}
