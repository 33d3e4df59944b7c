import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../shared/settings.js';
import type { ServerClient } from './serverClient.js';

/** Command ids, as declared in package.json (all under the "Hearth" category). */
export const Commands = {
	showMenu: 'hearth.showMenu',
	showLogs: 'hearth.showLogs',
	restartServer: 'hearth.restartServer',
	toggleInlineCompletions: 'hearth.toggleInlineCompletions',
	openSettings: 'hearth.openSettings',
} as const;

export function registerCommands(
	context: vscode.ExtensionContext,
	server: ServerClient,
	log: vscode.LogOutputChannel,
): void {
	const register = (id: string, run: () => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));

	register(Commands.showLogs, () => log.show(true));

	register(Commands.restartServer, async () => {
		log.info('Restarting the language server on request.');
		try {
			await server.restart();
		} catch (error) {
			log.error(`Could not restart the language server: ${error instanceof Error ? error.message : String(error)}`);
			void vscode.window.showErrorMessage('Hearth: the language server could not be restarted. See the Hearth log.');
		}
	});

	register(Commands.toggleInlineCompletions, async () => {
		const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
		const enabled = configuration.get<boolean>('inlineCompletion.enabled', true);
		// Global: pausing is a choice about this machine and this user, not about one workspace.
		await configuration.update('inlineCompletion.enabled', !enabled, vscode.ConfigurationTarget.Global);
		log.info(enabled ? 'Inline completions paused.' : 'Inline completions resumed.');
	});

	register(Commands.openSettings, () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`));

	register(Commands.showMenu, async () => {
		const enabled = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>('inlineCompletion.enabled', true);
		const items: (vscode.QuickPickItem & { command: string })[] = [
			{ label: enabled ? '$(debug-pause) Pause inline completions' : '$(play) Resume inline completions', command: Commands.toggleInlineCompletions },
			{ label: '$(output) Show logs', command: Commands.showLogs },
			{ label: '$(debug-restart) Restart language server', command: Commands.restartServer },
			{ label: '$(settings-gear) Open settings', command: Commands.openSettings },
		];
		const picked = await vscode.window.showQuickPick(items, { title: 'Hearth' });
		if (picked) {
			await vscode.commands.executeCommand(picked.command);
		}
	});
}
