import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands.js';
import { bundledModelPath } from './defaultModel.js';
import { createLog } from './log.js';
import { RestartPolicy } from './restartPolicy.js';
import { ServerCredentials } from './models/serverCredentials.js';
import { createServerClient } from './serverClient.js';
import { HearthStatusBar } from './statusBar.js';
import { messageOf } from '../shared/errorMessage.js';

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
	const modelsDirectory = vscode.Uri.joinPath(context.globalStorageUri, 'models').fsPath;
	const server = createServerClient(context, log, statusBar, restartPolicy, {
		defaultModelPath: bundledModelPath(context),
		modelsDirectory,
	});
	client = server.client;
	const credentials = new ServerCredentials(context.secrets, client);
	context.subscriptions.push(credentials);
	registerCommands(context, server, log, credentials);
	try {
		await client.start();
		await credentials.push();
	} catch (error) {
		// Never rethrow: a failed start must leave the editor usable and say why.
		const message = messageOf(error);
		log.error(`The language server could not start: ${message}`);
		statusBar.setProcessState('stopped', `The language server could not start: ${message}`);
	}
}

export async function deactivate(): Promise<void> {
	await client?.stop();
	client = undefined;
}
