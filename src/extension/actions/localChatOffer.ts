/**
 * What the editor offers when no local model can do an action (the server routed it nowhere): a
 * local chat model — the smallest instruct model of the catalog, named with its download size, picked
 * in the model switcher's chat role, which says whether it fits beside the completion model — and the frontier model's preview
 * path, which sends nothing until the user has seen the preview.
 */

import * as vscode from 'vscode';
import { MODEL_CATALOG } from '../../shared/modelCatalog.js';

const CHOOSE_MODEL_COMMAND = 'hearth.chooseModel';

/** The smallest catalog model suited to chat, e.g. "Get a Local Chat Model (Qwen2.5-Coder 0.5B Instruct, 531 MB)…". */
export function localChatModelLabel(): string {
	const smallest = MODEL_CATALOG.filter((entry) => entry.roles.includes('chat')).sort((a, b) => a.sizeBytes - b.sizeBytes)[0];
	return smallest
		? `Get a Local Chat Model (${smallest.label}, ${Math.round(smallest.sizeBytes / 1_000_000)} MB)…`
		: 'Get a Local Chat Model…';
}

/**
 * Opens the model switcher on the chat role, where the chat models are listed with their sizes and
 * whether they fit beside the completion model (which the choice leaves as it is).
 */
export function chooseLocalChatModel(): Thenable<unknown> {
	return vscode.commands.executeCommand(CHOOSE_MODEL_COMMAND, { role: 'chat' });
}

/** The two offers as button labels, the frontier one only outside Restricted Mode. */
export function unavailableOffers(): string[] {
	return [localChatModelLabel(), ...(vscode.workspace.isTrusted ? [ASK_FRONTIER] : [])];
}

export const ASK_FRONTIER = 'Ask Frontier Model…';
