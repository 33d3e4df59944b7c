import * as vscode from 'vscode';
import {
	CloseAction,
	ErrorAction,
	LanguageClient,
	State,
	TransportKind,
	type LanguageClientOptions,
	type ServerOptions,
} from 'vscode-languageclient/node';
import { CompletionStatsNotification, ServerStatusNotification, type HearthInitializationOptions } from '../shared/protocol.js';
import { completionsWanted } from './languageSwitch.js';
import type { RestartPolicy } from './restartPolicy.js';
import type { HearthStatusBar } from './statusBar.js';
import { messageOf } from '../shared/errorMessage.js';
import { MODEL_PROCESS_EXEC_ARGV, modelProcessEnv } from '../shared/modelProcess.js';

const SERVER_ENTRY = 'dist/server.mjs';

/** The language client and the one way to restart it that the status bar understands. */
export interface ServerClient {
	readonly client: LanguageClient;
	restart(): Promise<void>;
}

/**
 * Creates the client for the language server process that owns the model. The server is a separate
 * Node process over IPC: if llama.cpp crashes or the model exhausts memory, only that process dies,
 * and the close handler below restarts it within the policy's bounds.
 */
export function createServerClient(
	context: vscode.ExtensionContext,
	log: vscode.LogOutputChannel,
	statusBar: HearthStatusBar,
	restartPolicy: RestartPolicy,
	initializationOptions: HearthInitializationOptions,
	/** `performance.now()` at activation, for the log line that says how long the model took to get ready. */
	activatedAt = performance.now(),
): ServerClient {
	const module = context.asAbsolutePath(SERVER_ENTRY);
	const env = modelProcessEnv(process.env);
	const serverOptions: ServerOptions = {
		run: { module, transport: TransportKind.ipc, options: { execArgv: [...MODEL_PROCESS_EXEC_ARGV], env } },
		debug: {
			module,
			transport: TransportKind.ipc,
			options: { execArgv: [...MODEL_PROCESS_EXEC_ARGV, '--nolazy', '--inspect=6011'], env },
		},
	};
	let restarting = false;
	let readyLogged = false;
	const clientOptions: LanguageClientOptions = {
		// Every text document the user edits on disk or in an untitled buffer; the server decides
		// per document (binary, huge) whether to answer.
		documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
		middleware: {
			// A language switched off (hearth.inlineCompletion.enable) or paused completions: no request at all.
			provideInlineCompletionItems: (document, position, context, token, next) =>
				completionsWanted(document) ? next(document, position, context, token) : null,
		},
		initializationOptions,
		outputChannel: log,
		traceOutputChannel: log,
		// No `synchronize.configurationSection`: the server registers for the "hearth" section itself
		// (dynamic registration), and both together made the client send every settings change twice.
		errorHandler: {
			error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
			closed: () => {
				if (restartPolicy.recordCrashAndDecide()) {
					restarting = true;
					statusBar.setProcessState('restarting', 'The language server stopped unexpectedly; restarting it.');
					log.warn('The language server stopped unexpectedly; restarting it.');
					return { action: CloseAction.Restart, handled: true };
				}
				const message = `The Hearth language server stopped ${restartPolicy.maxRestarts + 1} times in ${restartPolicy.windowMs / 60_000} minutes and will not be restarted automatically. See the Hearth log, then run "Hearth: Restart Language Server".`;
				statusBar.setProcessState('stopped', message);
				return { action: CloseAction.DoNotRestart, message };
			},
		},
		initializationFailedHandler: (error) => {
			log.error(`The language server failed to initialise: ${messageOf(error)}`);
			return false;
		},
	};
	const client = new LanguageClient('hearth', 'Hearth', serverOptions, clientOptions);
	context.subscriptions.push(
		client.onDidChangeState(({ newState }) => {
			if (newState === State.Running) {
				restarting = false;
				statusBar.setProcessState('running');
			} else if (newState === State.Starting) {
				statusBar.setProcessState(restarting ? 'restarting' : 'starting');
			} else if (newState === State.Stopped && !restarting) {
				statusBar.setProcessState('stopped', 'The language server is not running.');
			}
		}),
		client.onNotification(ServerStatusNotification.method, (status: ServerStatusNotification.Params) => {
			if (status.state === 'ready' && !readyLogged) {
				readyLogged = true;
				log.info(
					`Ready ${Math.round(performance.now() - activatedAt)} ms after activation: ${status.model?.displayName ?? 'the model'}.`,
				);
			}
			statusBar.setServerStatus(status);
		}),
		client.onNotification(CompletionStatsNotification.method, (report: CompletionStatsNotification.Params) =>
			statusBar.recordCompletion(report),
		),
	);
	return {
		client,
		async restart() {
			// Expected: the Stopped state on the way must not read as "stopped" in the status bar.
			restarting = true;
			restartPolicy.reset();
			statusBar.setProcessState('restarting', 'Restarting the language server on request.');
			try {
				await client.restart();
			} catch (error) {
				restarting = false;
				statusBar.setProcessState('stopped', `The language server could not be restarted: ${messageOf(error)}`);
				throw error;
			}
		},
	};
}
