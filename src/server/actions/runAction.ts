import type { ChatBackend } from '../../engine/chat/chatBackend.js';
import { CHAT_UNSURE_BELOW } from '../../engine/chat/chatConfidence.js';
import type { ChatConfidence, ChatMessage } from '../../engine/chat/chatTypes.js';
import { actionMaxTokens, actionMessages, type ActionInput } from '../../engine/actions/actionPrompts.js';
import { routeAction, type ActionRoute } from '../../engine/actions/actionRouting.js';
import type { RunActionRequest } from '../../shared/protocol.js';
import type { CompletionActivity } from '../completionActivity.js';
import type { ModelLifecycle } from '../modelLifecycle.js';
import { DOC_COMMENT_UNSURE_BELOW, writeDocComment } from '../../engine/actions/writeDocComment.js';

/** What the action runner needs of the server: the models and what they can do, and when inline completions run (they go first). */
export interface ActionHost {
	readonly models: Pick<ModelLifecycle, 'chatEngine' | 'modelName' | 'actionModels'>;
	readonly activity: Pick<CompletionActivity, 'onCompletionStart' | 'whenCompletionsQuiet'>;
}

/** The request's result less what the server adds afterwards (the proposal and its check). */
export type ActionOutcome = Omit<RunActionRequest.Result, 'proposal' | 'commentOnly'> & {
	/** Document This: the selection with the generated doc comment in place (the clean-up's proposal). */
	documented?: string;
};

/** The user has stopped typing when no completion ran for this long: the action may go on. */
const RESUME_AFTER_QUIET_MS = 400;

export class ActionUnavailableError extends Error {}

export interface RunActionOptions {
	/** The hearth.actions.maxTokens setting: most tokens of the answer, 0 for the action's own limit. */
	maxTokens?: number;
}

/**
 * Runs a selection action where routing sends it (the chat model slot, the completion model as a chat
 * model, or Document This on a base FIM model), giving way to inline completions: when the user starts
 * typing, generation stops at the next token (the text so far is kept), and once typing has paused it
 * continues the same answer, the partial text given back as the start of the assistant's turn. The
 * chat context keeps the prompt's KV state, so resuming costs only the tokens generated since. The
 * chat runs on one ChatBackend, local or a server's, the same way.
 */
export async function runAction(
	host: ActionHost,
	input: ActionInput,
	signal: AbortSignal,
	onText: (text: string) => void,
	options: RunActionOptions = {},
): Promise<ActionOutcome> {
	const models = host.models.actionModels();
	const route = routeAction({ kind: input.kind, ...models });
	const routed: RunActionRequest.Result['route'] = { via: route.via, reason: route.reason };
	if (route.via === 'unavailable') {
		return { ...emptyOutcome(host, 'unavailable'), route: routed };
	}
	if (route.via === 'document-this') {
		return { ...(await runDocumentThis(host, input, signal, onText, route, options.maxTokens)), route: routed };
	}
	const chat: ChatBackend | undefined = route.slot === 'chat' ? models.chat?.backend : host.models.chatEngine();
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
	const confidences: ChatConfidence[] = [];
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
		if (result.confidence) {
			confidences.push(result.confidence);
		}
		generationMs += result.stats.totalMs - result.stats.promptMs;
		const preempted = result.stopReason === 'cancelled' && preempt.signal.aborted && !signal.aborted;
		if (preempted && generatedTokens < budget) {
			pauses++;
			continue;
		}
		const confidence = combineConfidences(confidences);
		return {
			route: routed,
			text,
			stopReason: result.stopReason,
			model: route.model,
			totalMs: performance.now() - startedAt,
			generatedTokens,
			tokensPerSecond: generationMs > 0 ? (generatedTokens * 1000) / generationMs : 0,
			pauses,
			...(confidence
				? {
						confidence: {
							meanLogProb: confidence.meanLogProb,
							minLogProb: confidence.minLogProb,
							unsure: confidence.meanLogProb < CHAT_UNSURE_BELOW,
						},
					}
				: {}),
		};
	}
}

/** The confidence of an answer generated in parts (paused for typing, then resumed): each part weighed by its scored tokens. */
export function combineConfidences(parts: readonly ChatConfidence[]): ChatConfidence | undefined {
	const scored = parts.filter((part) => part.scoredTokens > 0);
	const scoredTokens = scored.reduce((sum, part) => sum + part.scoredTokens, 0);
	if (scoredTokens === 0) {
		return undefined;
	}
	return {
		meanLogProb: scored.reduce((sum, part) => sum + part.meanLogProb * part.scoredTokens, 0) / scoredTokens,
		minLogProb: Math.min(...scored.map((part) => part.minLogProb)),
		scoredTokens,
	};
}

function emptyOutcome(host: ActionHost, stopReason: string): ActionOutcome {
	return {
		text: '',
		stopReason,
		model: host.models.modelName ?? 'no model',
		totalMs: 0,
		generatedTokens: 0,
		tokensPerSecond: 0,
		pauses: 0,
	};
}

/**
 * A base FIM model's answer: the doc comment it writes above the code. It waits for typing to pause
 * like a chat answer, and runs through the completion engine, whose queue keeps it behind the
 * keystroke's own completion.
 */
async function runDocumentThis(
	host: ActionHost,
	input: ActionInput,
	signal: AbortSignal,
	onText: (text: string) => void,
	route: Extract<ActionRoute, { via: 'document-this' }>,
	maxTokens = 0,
): Promise<ActionOutcome> {
	const engine = host.models.actionModels().completion?.engine;
	if (!engine) {
		return emptyOutcome(host, 'unavailable');
	}
	await host.activity.whenCompletionsQuiet(RESUME_AFTER_QUIET_MS, signal);
	const startedAt = performance.now();
	const outcome = await writeDocComment(engine, input, signal, maxTokens);
	const totalMs = performance.now() - startedAt;
	const text = outcome.comment === '' ? '' : '```' + input.languageId + '\n' + outcome.comment + '\n```';
	onText(text);
	return {
		text,
		stopReason: outcome.stopReason,
		model: route.model,
		totalMs,
		generatedTokens: outcome.generatedTokens,
		tokensPerSecond: totalMs > 0 ? (outcome.generatedTokens * 1000) / totalMs : 0,
		pauses: 0,
		docComment: { comment: outcome.comment },
		documented: outcome.documented,
		...(outcome.confidence
			? {
					confidence: {
						meanLogProb: outcome.confidence.meanLogProb,
						minLogProb: outcome.confidence.minLogProb,
						unsure: outcome.confidence.meanLogProb < DOC_COMMENT_UNSURE_BELOW,
					},
				}
			: {}),
	};
}
