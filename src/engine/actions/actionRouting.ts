/**
 * One function decides where a selection action runs, from what each model can do
 * (modelCapabilities.ts), and says why in one line for the tooltip and the log:
 * - a capable chat model (the chat slot's, else the completion model's) → the chat prompt; a chat
 *   slot on a server was chosen for this role by the user, and gets the selection;
 * - only a local base model with fill-in-the-middle → the FIM-native form where the action has one
 *   (Document This: the model writes the doc comment above the code, which serves as Explain's
 *   summary and as Clean Up Docs' rewrite);
 * - nothing local can do it → no local run; the editor offers a local chat model and the frontier
 *   model's preview path instead. Nothing is sent to a server the user did not choose as the chat model.
 */

import type { ActionKind } from './actionPrompts.js';
import { canChat, type ModelCapabilities } from './modelCapabilities.js';

/** A model slot as routing sees it: what it can do, and whether it runs in this process. */
export interface RoutedModel {
	name: string;
	/**
	 * A GGUF run by this server. A completion server's model is not local and gets no action; a chat
	 * server is (the user chose it for the actions).
	 */
	local: boolean;
	capabilities: ModelCapabilities;
}

export interface RoutingInput {
	kind: ActionKind;
	/** The completion model; undefined when none is loaded. */
	completion?: RoutedModel;
	/** The chat model slot; undefined when the user chose none (the default), or it is not ready. */
	chat?: RoutedModel;
	/** Why the chosen chat model is not in use (it failed to load or connect), for the reason line. */
	chatProblem?: string;
}

export type ActionRoute =
	| { via: 'chat'; slot: 'chat' | 'completion'; model: string; reason: string }
	| { via: 'document-this'; model: string; reason: string }
	| { via: 'unavailable'; reason: string };

/** The actions a doc comment written by a FIM model can stand in for. */
const DOCUMENT_THIS_SERVES: ReadonlySet<ActionKind> = new Set(['explain', 'cleanup']);

export function routeAction(input: RoutingInput): ActionRoute {
	const { kind, completion, chat, chatProblem } = input;
	if (chat && !chat.local) {
		return {
			via: 'chat',
			slot: 'chat',
			model: chat.name,
			reason: `the selection goes to the chat server ${chat.name}, the chosen chat model`,
		};
	}
	if (chat && canChat(chat.capabilities)) {
		return { via: 'chat', slot: 'chat', model: chat.name, reason: `${chat.name} is the chat model and follows instructions` };
	}
	if (completion?.local && canChat(completion.capabilities)) {
		return {
			via: 'chat',
			slot: 'completion',
			model: completion.name,
			reason: `${chatProblem ? `the chat model is unavailable (${chatProblem})` : 'no chat model chosen'}; ${completion.name} is instruction-tuned with a chat template`,
		};
	}
	const chatNote = chat
		? ` (the chat model ${chat.name} is ${describeWhyNot(chat)})`
		: chatProblem
			? ` and the chat model is unavailable (${chatProblem})`
			: ' and no chat model is chosen';
	if (completion?.local && completion.capabilities.fim && DOCUMENT_THIS_SERVES.has(kind)) {
		return {
			via: 'document-this',
			model: completion.name,
			reason: `${completion.name} is a base fill-in-the-middle model${chatNote}: it writes a doc comment for the code instead`,
		};
	}
	if (!completion) {
		return { via: 'unavailable', reason: 'no model is loaded' };
	}
	if (!completion.local) {
		return {
			via: 'unavailable',
			reason: `completions come from a server (${completion.name}) and no chat model ${chatProblem ? `is available (${chatProblem})` : 'is chosen'}`,
		};
	}
	return {
		via: 'unavailable',
		reason: `${completion.name} is ${describeWhyNot(completion)}${chatNote}, and ${actionName(kind)} needs a model that follows instructions`,
	};
}

/** The route as one line for the status bar's tooltip: where the action runs, and why. */
export function describeRoute(route: ActionRoute): string {
	switch (route.via) {
		case 'chat':
			return `Chat on ${route.model}: ${route.reason}`;
		case 'document-this':
			return `Document This on ${route.model}: ${route.reason}`;
		case 'unavailable':
			return `No local run: ${route.reason}`;
	}
}

function describeWhyNot(model: RoutedModel): string {
	const { capabilities } = model;
	if (capabilities.tuning === 'base') {
		return capabilities.fim ? 'a base fill-in-the-middle model' : 'a base model';
	}
	return 'instruction-tuned but has no chat template of its own';
}

function actionName(kind: ActionKind): string {
	return kind === 'explain' ? 'Explain' : kind === 'refactor' ? 'Refactor' : 'Clean Up Docs';
}
