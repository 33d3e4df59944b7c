import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../../shared/settings.js';
import { chatChoiceFromSettings, chatChoiceSettings, type ChatModelChoice } from './chatModelRows.js';

/** What the user picked for completions; written to machine-scoped settings. */
export type ModelChoice =
	| { kind: 'bundled' }
	| { kind: 'file'; path: string }
	| { kind: 'server'; baseUrl: string; model: string };

/**
 * Persists the choice in the user's settings, where the `machine` scope keeps it: per machine (not
 * synced, not per workspace), and out of reach of a workspace's settings.json. The language server
 * sees the change and switches without a window reload.
 */
export async function applyModelChoice(choice: ModelChoice): Promise<void> {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	const update = (key: string, value: unknown) => configuration.update(key, value, vscode.ConfigurationTarget.Global);
	switch (choice.kind) {
		case 'bundled':
			await update('model.path', undefined);
			await update('model.backend', undefined);
			return;
		case 'file':
			await update('model.path', choice.path);
			await update('model.backend', undefined);
			return;
		case 'server':
			await update('model.serverUrl', choice.baseUrl);
			await update('model.serverModel', choice.model);
			await update('model.backend', 'server');
			return;
	}
}

export function currentModelChoice(): ModelChoice {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	if (configuration.get<string>('model.backend') === 'server') {
		return { kind: 'server', baseUrl: configuration.get<string>('model.serverUrl', ''), model: configuration.get<string>('model.serverModel', '') };
	}
	const file = configuration.get<string>('model.path', '').trim();
	return file ? { kind: 'file', path: file } : { kind: 'bundled' };
}

/**
 * Persists the chat model choice (`hearth.chatModel.*`) in the user's settings, as applyModelChoice
 * does for completions; the language server loads (or connects) the chat slot without a reload.
 */
export async function applyChatModelChoice(choice: ChatModelChoice): Promise<void> {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	for (const [key, value] of Object.entries(chatChoiceSettings(choice))) {
		await configuration.update(key, value, vscode.ConfigurationTarget.Global);
	}
}

export function currentChatModelChoice(): ChatModelChoice {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	return chatChoiceFromSettings({
		backend: configuration.get<string>('chatModel.backend', 'none'),
		path: configuration.get<string>('chatModel.path', ''),
		serverUrl: configuration.get<string>('chatModel.serverUrl', ''),
		serverModel: configuration.get<string>('chatModel.serverModel', ''),
	});
}
