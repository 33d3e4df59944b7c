import {
	createConnection,
	DidChangeConfigurationNotification,
	ProposedFeatures,
	TextDocuments,
	TextDocumentSyncKind,
	type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { messageOf } from '../shared/errorMessage.js';
import { parseSettings } from '../shared/parseSettings.js';
import {
	DownloadModelRequest,
	DownloadProgressNotification,
	InspectModelRequest,
	ListModelsRequest,
	ActionProgressNotification,
	ModelInfoRequest,
	CheckCommentOnlyRequest,
	RunActionRequest,
	ServerCredentialsNotification,
	ServerStatusNotification,
	type HearthInitializationOptions,
} from '../shared/protocol.js';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, type HearthSettings } from '../shared/settings.js';
import { connectionLogger } from './connectionLogger.js';
import { registerInlineCompletion, reportRun } from './inlineCompletionHandler.js';
import { WorkspacePaths } from './workspacePaths.js';
import { ModelHost } from './modelHost.js';
import { DownloadCancelledError, downloadModel } from './models/downloadModel.js';
import { ModelLibrary } from './models/modelLibrary.js';
import { ActionUnavailableError, runAction } from './actions/runAction.js';
import { rewriteProposal } from './actions/rewriteProposal.js';
import { checkCommentOnlyChange } from '../engine/actions/commentOnlyCheck.js';
import { ChatEngineError } from '../engine/chat/chatEngineError.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver/node';

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
let modelsDirectory: string | undefined;

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
	modelsDirectory = options.modelsDirectory;
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

connection.onNotification(ServerCredentialsNotification.method, (params: ServerCredentialsNotification.Params) => {
	void host?.setServerApiKey(typeof params?.apiKey === 'string' ? params.apiKey : '');
});

function library(): ModelLibrary {
	return new ModelLibrary({
		modelsDirectory,
		gpu: settings.performance.gpu,
		contextSize: settings.performance.contextSize,
		logger,
		inUseBytes: () => host?.modelSummary?.sizeBytes ?? 0,
	});
}

connection.onRequest(ListModelsRequest.method, (params: ListModelsRequest.Params): Promise<ListModelsRequest.Result> =>
	library().inventory(Array.isArray(params?.catalog) ? params.catalog : []),
);

connection.onRequest(InspectModelRequest.method, (params: InspectModelRequest.Params): Promise<InspectModelRequest.Result> =>
	library().inspect(String(params?.path ?? '')),
);

connection.onRequest(
	DownloadModelRequest.method,
	async (params: DownloadModelRequest.Params, token): Promise<DownloadModelRequest.Result> => {
		if (!modelsDirectory) {
			throw new ResponseError(1, 'This server was started without a models folder; downloads are not available.');
		}
		const abort = new AbortController();
		const subscription = token?.onCancellationRequested(() => abort.abort());
		let lastSent = 0;
		try {
			logger.info(`Downloading ${params.uri} to ${modelsDirectory}`);
			const result = await downloadModel(params, {
				modelsDirectory,
				signal: abort.signal,
				onProgress: (progress) => {
					// A notification per network chunk would flood the client; a few per second is plenty.
					const now = performance.now();
					if (progress.phase === 'downloading' && now - lastSent < 250 && progress.downloadedBytes < progress.totalBytes) {
						return;
					}
					lastSent = now;
					void connection.sendNotification(DownloadProgressNotification.method, {
						progressToken: params.progressToken,
						...progress,
					} satisfies DownloadProgressNotification.Params);
				},
			});
			const report = `Downloaded ${result.path} (${result.sizeBytes} bytes). ${result.verification}`;
			if (result.verifiedAgainst.length > 0) {
				logger.info(report);
			} else {
				logger.warn(report);
			}
			return result;
		} catch (error) {
			if (error instanceof DownloadCancelledError) {
				logger.info(`Download of ${params.fileName} cancelled.`);
				throw new ResponseError(LSPErrorCodes.RequestCancelled, error.message);
			}
			const message = error instanceof ModelLoadError ? error.userMessage : messageOf(error);
			logger.error(message);
			throw new ResponseError(1, message);
		} finally {
			subscription?.dispose();
		}
	},
);

connection.onRequest(RunActionRequest.method, async (params: RunActionRequest.Params, token): Promise<RunActionRequest.Result> => {
	if (!host) {
		throw new ResponseError(1, 'The language server is not initialised yet.');
	}
	const abort = new AbortController();
	const subscription = token?.onCancellationRequested(() => abort.abort());
	// The whole text so far, at most every 50 ms: fewer messages than tokens, and never out of order.
	let lastSent = 0;
	let pending: ReturnType<typeof setTimeout> | undefined;
	let latest = '';
	const send = () => {
		pending = undefined;
		lastSent = performance.now();
		void connection.sendNotification(ActionProgressNotification.method, {
			progressToken: params.progressToken,
			text: latest,
		} satisfies ActionProgressNotification.Params);
	};
	try {
		const outcome = await runAction(
			host,
			{
				kind: params.kind,
				code: String(params.code ?? ''),
				languageId: String(params.languageId ?? 'plaintext'),
				filePath: params.filePath,
				instruction: params.instruction,
			},
			abort.signal,
			(text) => {
				latest = text;
				if (pending === undefined) {
					pending = setTimeout(send, Math.max(0, 50 - (performance.now() - lastSent)));
				}
			},
			{ maxTokens: settings.actions.maxTokens },
		);
		if (pending !== undefined) {
			clearTimeout(pending);
			send();
		}
		if (abort.signal.aborted) {
			// The client has the text so far from the progress notifications.
			throw new ResponseError(LSPErrorCodes.RequestCancelled, `${params.kind} cancelled after ${outcome.generatedTokens} tokens`);
		}
		const proposal =
			outcome.stopReason === 'cancelled'
				? {}
				: rewriteProposal(params.kind, String(params.code ?? ''), outcome.text, String(params.languageId ?? 'plaintext'));
		logger.info(
			`${params.kind}: ${outcome.generatedTokens} tokens in ${Math.round(outcome.totalMs)} ms (${outcome.tokensPerSecond.toFixed(1)} tok/s, ${outcome.pauses} pauses for typing), ${outcome.stopReason}`,
		);
		return { ...outcome, ...proposal };
	} catch (error) {
		clearTimeout(pending);
		if (error instanceof ResponseError) {
			throw error;
		}
		const message =
			error instanceof ChatEngineError
				? error.userMessage
				: error instanceof ActionUnavailableError
					? error.message
					: messageOf(error);
		logger.error(`${params.kind} failed: ${message}`);
		throw new ResponseError(1, message);
	} finally {
		subscription?.dispose();
	}
});

// No model needed: the clean-up rule, for proposals from a frontier model.
connection.onRequest<CheckCommentOnlyRequest.Result, void>(
	CheckCommentOnlyRequest.method,
	(params: CheckCommentOnlyRequest.Params): CheckCommentOnlyRequest.Result => {
		const check = checkCommentOnlyChange(
			String(params.original ?? ''),
			String(params.proposal ?? ''),
			String(params.languageId ?? 'plaintext'),
		);
		const verdict: CheckCommentOnlyRequest.Result = check.ok ? { ok: true } : { ok: false, reason: check.reason };
		return verdict;
	},
);

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
