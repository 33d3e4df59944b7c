import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands.js';
import { bundledModelPath } from './defaultModel.js';
import { createLog } from './log.js';
import { RestartPolicy } from './restartPolicy.js';
import { createServerClient } from './serverClient.js';
import { HearthStatusBar } from './statusBar.js';

let client: LanguageClient | undefined;

/**
 * The extension host side stays thin: a status bar item, commands and a language client. All model
 * work happens in the language server process, which the client starts here.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
	const log = createLog();
	const statusBar = new HearthStatusBar();
	context.subscriptions.push(log, statusBar);
	const restartPolicy = new RestartPolicy();
	const server = createServerClient(context, log, statusBar, restartPolicy, bundledModelPath(context));
	client = server.client;
	registerCommands(context, server, log);
	try {
		await client.start();
	} catch (error) {
		// Never rethrow: a failed start must leave the editor usable and say why.
		const message = error instanceof Error ? error.message : String(error);
		log.error(`The language server could not start: ${message}`);
		statusBar.setProcessState('stopped', `The language server could not start: ${message}`);
	}
}

export async function deactivate(): Promise<void> {
	await client?.stop();
	client = undefined;
}
