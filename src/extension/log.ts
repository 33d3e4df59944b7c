import * as vscode from 'vscode';

/**
 * The extension's one log: a LogOutputChannel ("Hearth" in the Output view). The language client
 * writes the server's messages to the same channel, so a user has one place to look.
 */
export function createLog(): vscode.LogOutputChannel {
	return vscode.window.createOutputChannel('Hearth', { log: true });
}
