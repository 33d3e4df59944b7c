import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands.js';
import { bundledModelPath } from './defaultModel.js';
import { isCompletableDocument, languageOn } from './languageSwitch.js';
import { createLog } from './log.js';
import { RestartPolicy } from './restartPolicy.js';
import { ServerCredentials } from './models/serverCredentials.js';
import { createServerClient } from './serverClient.js';
import { HearthStatusBar } from './statusBar.js';
import { StatusMenu } from './statusMenu.js';
import { messageOf } from '../shared/errorMessage.js';

let client: LanguageClient | undefined;

/** The walkthrough's id in package.json's `contributes.walkthroughs`. */
const WALKTHROUGH_ID = 'firstRun';
/** Set once the walkthrough was opened for this user, so it opens on the first run only. */
const WALKTHROUGH_SHOWN_KEY = 'hearth.walkthroughShown';

/**
 * The extension host side stays thin: a status bar item, commands and a language client. All model
 * work happens in the language server process, which starts only when an editor Hearth can complete
 * is visible (or a command needs it), so a window with no code open never loads the model.
 */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
	const activatedAt = performance.now();
	const log = createLog();
	const statusBar = new HearthStatusBar();
	context.subscriptions.push(log, statusBar);
	const restartPolicy = new RestartPolicy();
	const modelsDirectory = vscode.Uri.joinPath(context.globalStorageUri, 'models').fsPath;
	const server = createServerClient(
		context,
		log,
		statusBar,
		restartPolicy,
		{ defaultModelPath: bundledModelPath(context), modelsDirectory },
		activatedAt,
	);
	client = server.client;
	const credentials = new ServerCredentials(context.secrets, client);
	context.subscriptions.push(credentials);
	registerCommands(context, server, log, credentials);
	new StatusMenu(statusBar, log).register(context);
	void openWalkthroughOnFirstRun(context, log);

	let started = false;
	const startServer = async (reason: string) => {
		if (started) {
			return;
		}
		started = true;
		log.info(`Starting the language server ${Math.round(performance.now() - activatedAt)} ms after activation: ${reason}.`);
		try {
			await server.client.start();
		} catch (error) {
			// Never rethrow: a failed start must leave the editor usable and say why.
			const message = messageOf(error);
			log.error(`The language server could not start: ${message}`);
			statusBar.setProcessState('stopped', `The language server could not start: ${message}`);
		}
	};
	const startForVisibleEditor = () => {
		const editor = vscode.window.visibleTextEditors.find(
			({ document }) => isCompletableDocument(document) && languageOn(document.languageId, document),
		);
		if (editor) {
			void startServer(`${vscode.workspace.asRelativePath(editor.document.uri)} (${editor.document.languageId}) is open`);
		}
	};
	const watchEditors = vscode.window.onDidChangeVisibleTextEditors(() => {
		startForVisibleEditor();
		if (started) {
			watchEditors.dispose();
		}
	});
	context.subscriptions.push(watchEditors);
	startForVisibleEditor();
	if (started) {
		watchEditors.dispose();
	}
}

/**
 * VS Code opens an extension's walkthrough when it is installed from the Marketplace view; installed
 * any other way (a VSIX, the command line, code-server) it does not, so the first activation opens it
 * once, unless the user turned walkthroughs on install off (a machine-scoped setting: with a remote
 * extension host, as in code-server, the remote machine's value). Behind an open editor it opens as
 * a background tab rather than take the focus from the code.
 */
async function openWalkthroughOnFirstRun(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<void> {
	const wanted = vscode.workspace.getConfiguration('workbench').get<boolean>('welcomePage.walkthroughs.openOnInstall', true);
	if (context.globalState.get<boolean>(WALKTHROUGH_SHOWN_KEY) || !wanted) {
		return;
	}
	await context.globalState.update(WALKTHROUGH_SHOWN_KEY, true);
	try {
		await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, {
			toSide: false,
			inactive: vscode.window.activeTextEditor !== undefined,
		});
	} catch (error) {
		log.warn(`Could not open the Hearth walkthrough: ${messageOf(error)}`);
	}
}

export async function deactivate(): Promise<void> {
	// A client that never started returns at once.
	await client?.stop();
	client = undefined;
}
