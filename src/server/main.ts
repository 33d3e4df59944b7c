import {
	createConnection,
	DidChangeConfigurationNotification,
	ProposedFeatures,
	TextDocuments,
	TextDocumentSyncKind,
	type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { messageOf } from '../engine/runtime/modelFileCheck.js';
import { parseSettings } from '../shared/parseSettings.js';
import { ModelInfoRequest, ServerStatusNotification, type HearthInitializationOptions } from '../shared/protocol.js';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, type HearthSettings } from '../shared/settings.js';
import { connectionLogger } from './connectionLogger.js';
import { registerInlineCompletion, reportRun } from './inlineCompletionHandler.js';
import { WorkspacePaths } from './workspacePaths.js';
import { ModelHost } from './modelHost.js';

/**
 * The language server process: it alone loads node-llama-cpp and the model, so that a native crash
 * or an out-of-memory kill ends this process and never the editor's extension host. The client
 * restarts it.
 */
const connection = createConnection(ProposedFeatures.all);
const logger = connectionLogger(connection);
const documents = new TextDocuments(TextDocument);

let settings: HearthSettings = DEFAULT_SETTINGS;
let host: ModelHost | undefined;
let canRegisterConfigurationChange = false;
let paths = new WorkspacePaths([]);

process.on('uncaughtException', (error) => {
	logger.error(`Language server crashed: ${error.stack ?? messageOf(error)}`);
	// The process state is unknown now; exiting lets the client start a clean one.
	process.exit(1);
});
process.on('unhandledRejection', (reason) => {
	logger.error(`Unhandled promise rejection in the language server: ${messageOf(reason)}`);
});

connection.onInitialize((params): InitializeResult => {
	const options = (params.initializationOptions ?? {}) as Partial<HearthInitializationOptions>;
	if (!options.defaultModelPath) {
		throw new Error('initializationOptions.defaultModelPath is required');
	}
	canRegisterConfigurationChange = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
	paths = new WorkspacePaths((params.workspaceFolders ?? []).map((folder) => folder.uri));
	host = new ModelHost(
		options.defaultModelPath,
		(status) => void connection.sendNotification(ServerStatusNotification.method, status),
		logger,
		(run) => reportRun(connection, run),
	);
	return {
		capabilities: {
			textDocumentSync: TextDocumentSyncKind.Incremental,
			inlineCompletionProvider: true,
		},
		serverInfo: { name: 'hearth-server', version: '0.1.0' },
	};
});

connection.onInitialized(async () => {
	if (canRegisterConfigurationChange) {
		await connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
	}
	await reloadSettings();
});

connection.onDidChangeConfiguration(() => void reloadSettings());

connection.onRequest(ModelInfoRequest.method, (): ModelInfoRequest.Result => host?.modelSummary ?? null);

connection.onShutdown(async () => {
	await host?.dispose();
});

async function reloadSettings(): Promise<void> {
	let raw: unknown;
	try {
		raw = await connection.workspace.getConfiguration(SETTINGS_SECTION);
	} catch (error) {
		logger.warn(`Could not read settings (${messageOf(error)}); using defaults.`);
	}
	const parsed = parseSettings(raw);
	for (const problem of parsed.problems) {
		logger.warn(problem);
	}
	settings = parsed.settings;
	await host?.apply(settings);
}

registerInlineCompletion(
	connection,
	documents,
	{
		get currentScheduler() {
			return host?.currentScheduler;
		},
		beginRequest: () => host?.beginRequest() ?? (() => {}),
	},
	() => settings,
	{ displayPath: (uri) => paths.displayPath(uri) },
	logger,
);

documents.listen(connection);
connection.listen();
