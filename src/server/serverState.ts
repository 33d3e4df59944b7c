import type { Connection, InitializeParams } from 'vscode-languageserver/node';
import type { Logger } from '../engine/logger.js';
import { ServerStatusNotification, type HearthInitializationOptions } from '../shared/protocol.js';
import { DEFAULT_SETTINGS, type HearthSettings } from '../shared/settings.js';
import { bundledModelPath } from './bundledModelPath.js';
import { CompletionActivity } from './completionActivity.js';
import { reportRun } from './inlineCompletionHandler.js';
import { ModelLifecycle } from './modelLifecycle.js';
import { ModelLibrary } from './models/modelLibrary.js';
import { StatusPublisher } from './statusPublisher.js';
import { WorkspacePaths } from './workspacePaths.js';

/**
 * Everything the request handlers share, made once when the client initialises the server: the
 * settings, where the workspace and the models folder are, and the three parts around the model (its
 * lifecycle, the completions running on it, the status the client shows).
 */
export interface ServerState {
	/** The current settings (the defaults until the client's arrive); the configuration handler replaces them. */
	settings: HearthSettings;
	readonly paths: WorkspacePaths;
	/** Where downloaded models go and the model list looks; undefined when the client gave none. */
	readonly modelsDirectory: string | undefined;
	readonly models: ModelLifecycle;
	readonly activity: CompletionActivity;
	readonly status: StatusPublisher;
	readonly logger: Logger;
}

/**
 * The state for `initialize`'s parameters. Every initialization option is optional: without
 * `defaultModelPath` the default model is the bundled one, without `modelsDirectory` there are no downloads.
 */
export function createServerState(connection: Connection, logger: Logger, params: InitializeParams): ServerState {
	const options = (params.initializationOptions ?? {}) as Partial<HearthInitializationOptions>;
	const status = new StatusPublisher((sent) => void connection.sendNotification(ServerStatusNotification.method, sent));
	const activity = new CompletionActivity((busy) => status.completionsBusy(busy));
	return {
		settings: DEFAULT_SETTINGS,
		paths: new WorkspacePaths((params.workspaceFolders ?? []).map((folder) => folder.uri)),
		modelsDirectory: options.modelsDirectory,
		models: new ModelLifecycle({
			defaultModelPath: options.defaultModelPath || bundledModelPath(),
			status,
			logger,
			onRunFinished: (run) => reportRun(connection, run),
			completionsRunning: () => activity.running,
		}),
		activity,
		status,
		logger,
	};
}

/** The models folder and the memory check, with the current settings. */
export function modelLibraryOf(state: ServerState): ModelLibrary {
	return new ModelLibrary({
		modelsDirectory: state.modelsDirectory,
		gpu: state.settings.performance.gpu,
		contextSize: state.settings.performance.contextSize,
		logger: state.logger,
		inUse: () => ({ completionBytes: state.models.modelSummary?.sizeBytes ?? 0, chatBytes: state.models.chatSlot.ownModelBytes }),
	});
}
