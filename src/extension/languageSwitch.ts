import * as vscode from 'vscode';
import { languageEnabled, type LanguageSwitch } from '../shared/settingRules.js';
import { DEFAULT_SETTINGS, SETTINGS_SCHEMA, SETTINGS_SECTION } from '../shared/settings.js';

/**
 * Which documents get inline completions, read where VS Code asks for them: the pause switch
 * (`hearth.inlineCompletion.enabled`) and the per-language map (`hearth.inlineCompletion.enable`,
 * Copilot's shape). A document they rule out is never sent a request (serverClient's middleware), so a
 * switched-off language costs the model nothing. The status bar's menu turns the current language on
 * or off.
 */

const ENABLE_KEY = 'inlineCompletion.enable';
const ENABLED_KEY = 'inlineCompletion.enabled';

/** The documents Hearth completes at all: files on disk and untitled buffers (as the client's document selector). */
export function isCompletableDocument(document: vscode.TextDocument): boolean {
	return document.uri.scheme === 'file' || document.uri.scheme === 'untitled';
}

/** The per-language map in force for `scope` (a document's folder can set its own), checked by its rule. */
export function languageSwitch(scope?: vscode.ConfigurationScope): LanguageSwitch {
	const rule = SETTINGS_SCHEMA.inlineCompletion.enable;
	const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<unknown>(ENABLE_KEY);
	return rule.parse(raw) ?? rule.salvage?.(raw) ?? DEFAULT_SETTINGS.inlineCompletion.enable;
}

export function completionsPaused(): boolean {
	return vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(ENABLED_KEY, true) === false;
}

/** Whether a completion request for `document` goes to the server at all. */
export function completionsWanted(document: vscode.TextDocument): boolean {
	return isCompletableDocument(document) && !completionsPaused() && languageEnabled(languageSwitch(document), document.languageId);
}

/** Whether `languageId` is switched on (pause aside). */
export function languageOn(languageId: string, scope?: vscode.ConfigurationScope): boolean {
	return languageEnabled(languageSwitch(scope), languageId);
}

/**
 * Turns completions for `languageId` on or off in the user's settings, keeping every other entry
 * (a boolean written the old way becomes `{ "*": that }` plus this language). Returns the new state.
 */
export async function toggleLanguage(languageId: string): Promise<boolean> {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	const on = !languageOn(languageId);
	const rule = SETTINGS_SCHEMA.inlineCompletion.enable;
	const userValue = configuration.inspect<unknown>(ENABLE_KEY)?.globalValue;
	const base = userValue === undefined ? DEFAULT_SETTINGS.inlineCompletion.enable : (rule.salvage?.(userValue) ?? {});
	// Global: like pausing, a choice about this user's editor, not one workspace's.
	await configuration.update(ENABLE_KEY, { ...base, [languageId]: on }, vscode.ConfigurationTarget.Global);
	return on;
}

/** Fires when either switch changes. */
export function onDidChangeCompletionSwitches(listener: () => void): vscode.Disposable {
	return vscode.workspace.onDidChangeConfiguration((event) => {
		if (
			event.affectsConfiguration(`${SETTINGS_SECTION}.${ENABLE_KEY}`) ||
			event.affectsConfiguration(`${SETTINGS_SECTION}.${ENABLED_KEY}`)
		) {
			listener();
		}
	});
}
