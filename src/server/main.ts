import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { messageOf } from '../shared/errorMessage.js';
import { connectionLogger } from './connectionLogger.js';
import { registerCheckCommentOnly } from './handlers/checkCommentOnly.js';
import { registerConfiguration } from './handlers/configuration.js';
import { registerDownloadModel } from './handlers/downloadModel.js';
import { registerCompletion } from './handlers/completion.js';
import { ghostTextSourceOf, registerInlineCompletionHandler } from './handlers/inlineCompletion.js';
import { registerInspectModel } from './handlers/inspectModel.js';
import { registerListModels } from './handlers/listModels.js';
import { registerModelInfo } from './handlers/modelInfo.js';
import { registerRunAction } from './handlers/runAction.js';
import { registerServerCredentials } from './handlers/serverCredentials.js';
import { createServerState } from './serverState.js';

/**
 * The language server process: it alone loads node-llama-cpp and the model, so that a native crash
 * or an out-of-memory kill ends this process and never the editor's extension host. The client
 * restarts it.
 *
 * This file only wires it up: `initialize` makes the one ServerState (settings, workspace, the
 * model's lifecycle, completion activity and status) and registers one handler per request from
 * handlers/, each given that state.
 *
 * The transport comes from the command line (vscode-languageserver reads it): VS Code's client forks
 * this bundle with `--node-ipc`; other editors run it as `hearth-lsp --stdio` (bin/hearth-lsp.js).
 */
const connection = createConnection(ProposedFeatures.all);
const logger = connectionLogger(connection);
const documents = new TextDocuments(TextDocument);

process.on('uncaughtException', (error) => {
	logger.error(`Language server crashed: ${error.stack ?? messageOf(error)}`);
	// The process state is unknown now; exiting lets the client start a clean one.
	process.exit(1);
});
process.on('unhandledRejection', (reason) => {
	logger.error(`Unhandled promise rejection in the language server: ${messageOf(reason)}`);
});

connection.onInitialize((params): InitializeResult => {
	const state = createServerState(connection, logger, params);
	registerConfiguration(connection, state, params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true);
	const ghostText = ghostTextSourceOf(connection, documents, state);
	registerInlineCompletionHandler(connection, ghostText);
	registerCompletion(connection, documents, ghostText);
	registerModelInfo(connection, state);
	registerServerCredentials(connection, state);
	registerListModels(connection, state);
	registerInspectModel(connection, state);
	registerDownloadModel(connection, state);
	registerRunAction(connection, state);
	registerCheckCommentOnly(connection);
	connection.onShutdown(() => state.models.dispose());
	return {
		capabilities: {
			textDocumentSync: TextDocumentSyncKind.Incremental,
			inlineCompletionProvider: true,
			// The same text as a completion item, for editors without LSP 3.18's inline completion
			// (Neovim, Helix, Emacs); never for those with it, which would show the text twice (VS Code).
			completionProvider: params.capabilities.textDocument?.inlineCompletion ? undefined : { resolveProvider: false },
		},
		serverInfo: { name: 'hearth-server', version: '0.1.0' },
	};
});

documents.listen(connection);
connection.listen();
