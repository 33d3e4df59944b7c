import * as vscode from 'vscode';
import { completionsPaused, languageOn, toggleLanguage } from './languageSwitch.js';
import type { ServerStatus } from '../shared/protocol.js';
import type { HearthStatusBar } from './statusBar.js';

/** Turns inline completions on or off for the active editor's language (package.json's command). */
export const TOGGLE_LANGUAGE_COMMAND = 'hearth.toggleLanguage';

type MenuItem = vscode.QuickPickItem & { run?: () => Promise<void> };

/** The items of the running extension's menu (one per extension host), for the model switcher to show. */
let registeredItems: (() => MenuItem[]) | undefined;

/** The status bar of the running extension, for the switcher to name the chat model as loaded. */
let registeredStatusBar: HearthStatusBar | undefined;

/** The latest status the server reported; undefined before the extension registered its menu. */
export function latestServerStatus(): ServerStatus | undefined {
	return registeredStatusBar?.status();
}

/** The menu's items for the model switcher, under its models; none before the extension registered it. */
export function statusMenuItems(): MenuItem[] {
	return registeredItems?.() ?? [];
}

/**
 * The status bar item's menu besides the models (which the switcher lists first): the switch for the
 * active editor's language, and the details the short tooltip leaves out.
 */
export class StatusMenu {
	constructor(
		private readonly statusBar: HearthStatusBar,
		private readonly log: vscode.LogOutputChannel,
	) {}

	register(context: vscode.ExtensionContext): void {
		const items = () => this.items();
		registeredItems = items;
		registeredStatusBar = this.statusBar;
		context.subscriptions.push(
			vscode.commands.registerCommand(TOGGLE_LANGUAGE_COMMAND, () => this.toggleCurrentLanguage()),
			{ dispose: () => (registeredItems = registeredItems === items ? undefined : registeredItems) },
		);
	}

	items(): MenuItem[] {
		const items: MenuItem[] = [{ label: 'This editor', kind: vscode.QuickPickItemKind.Separator }];
		const language = this.statusBar.activeLanguage();
		if (language !== undefined) {
			const on = languageOn(language, vscode.window.activeTextEditor?.document);
			items.push({
				label: on ? `$(circle-slash) Turn off completions for ${language}` : `$(check) Turn on completions for ${language}`,
				description: completionsPaused() ? 'all completions are paused' : 'hearth.inlineCompletion.enable',
				run: () => this.toggleCurrentLanguage(),
			});
		}
		items.push({ label: '$(info) Details', description: 'both models and the latest completions', run: () => this.showDetails() });
		return items;
	}

	async toggleCurrentLanguage(): Promise<void> {
		const language = this.statusBar.activeLanguage();
		if (language === undefined) {
			void vscode.window.showInformationMessage('Open a file to turn Hearth’s completions on or off for its language.');
			return;
		}
		const on = await toggleLanguage(language);
		this.log.info(`Inline completions turned ${on ? 'on' : 'off'} for ${language}.`);
	}

	private async showDetails(): Promise<void> {
		const picked = await vscode.window.showQuickPick(
			this.statusBar.details().map((line) => ({ label: line })),
			{ title: 'Hearth: Details', placeHolder: 'The completion model, the chat model and the latest completions' },
		);
		void picked;
	}
}
