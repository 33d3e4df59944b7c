import path from 'node:path';
import type { CompletionBackend } from '../engine/runtime/completionBackend.js';
import { CompletionEngine } from '../engine/runtime/completionEngine.js';
import { OpenAiCompletionBackend } from '../engine/remote/openAiCompletionBackend.js';
import { CompletionScheduler, type RunReport } from '../engine/scheduling/completionScheduler.js';
import { loadModel, type LoadedModel } from '../engine/runtime/loadModel.js';
import { ChatEngine } from '../engine/chat/chatEngine.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { messageOf } from '../shared/errorMessage.js';
import type { Logger } from '../engine/logger.js';
import type { ModelSummary } from '../shared/protocol.js';
import { modelReloadNeeded, type HearthSettings } from '../shared/settings.js';
import type { StatusPublisher } from './statusPublisher.js';

export interface ModelLifecycleOptions {
	/** The bundled model, used when hearth.model.path is empty. */
	defaultModelPath: string;
	/** Told of each load's progress and outcome, and of the completion server's health. */
	status: StatusPublisher;
	logger: Logger;
	/** Statistics of each model run, when it ends. */
	onRunFinished?: (report: RunReport) => void;
}

/**
 * The model the server completes with: loads it from the settings (a GGUF file run here, or an
 * OpenAI-compatible server, with the key from the client's secret storage), swaps it when they
 * change, and holds the scheduler in front of it and the chat engine of the selection actions. A
 * failed switch keeps the previous model working; the old model is released only once the new one
 * is ready.
 */
export class ModelLifecycle {
	private engine: CompletionBackend | undefined;
	private scheduler: CompletionScheduler | undefined;
	/** The model file in use when completions run locally: the selection actions chat with it too. */
	private localModel: LoadedModel | undefined;
	private chat: ChatEngine | undefined;
	private appliedSettings: HearthSettings | undefined;
	/** Loads run one after the other: each waits for the one before. */
	private loading: Promise<void> = Promise.resolve();
	/** The OpenAI-compatible server's key, from the client's secret storage; never logged. */
	private serverApiKey = '';

	constructor(private readonly options: ModelLifecycleOptions) {}

	/** Debounce, joining, prefetch and cancellation in front of the current engine. */
	get currentScheduler(): CompletionScheduler | undefined {
		return this.scheduler;
	}

	get modelName(): string | undefined {
		return this.engine?.info.displayName;
	}

	get modelSummary(): ModelSummary | undefined {
		return this.engine ? summarize(this.engine) : undefined;
	}

	/** Applies new settings; resolves once the model they name is loaded (or failed to load). */
	apply(settings: HearthSettings): Promise<void> {
		const previous = this.appliedSettings;
		this.appliedSettings = settings;
		if (previous && !modelReloadNeeded(previous, settings)) {
			this.publishSettledState();
			return this.loading;
		}
		this.loading = this.loading.then(() => this.load(settings));
		return this.loading;
	}

	/** A new key for the completion server: reconnects if a server is in use. */
	setServerApiKey(apiKey: string): Promise<void> {
		if (apiKey === this.serverApiKey) {
			return this.loading;
		}
		this.serverApiKey = apiKey;
		const settings = this.appliedSettings;
		if (settings?.model.backend !== 'server') {
			return this.loading;
		}
		this.loading = this.loading.then(() => this.load(settings));
		return this.loading;
	}

	/**
	 * The chat engine for the selection actions, made on first use for the local model (its own small
	 * context, so completions keep their KV caches). Undefined with a completion server, or no model.
	 */
	chatEngine(): ChatEngine | undefined {
		if (!this.localModel) {
			return undefined;
		}
		this.chat ??= new ChatEngine(this.localModel, {
			logger: this.options.logger,
			threads: this.appliedSettings?.performance.threads || undefined,
		});
		return this.chat;
	}

	async dispose(): Promise<void> {
		await this.loading;
		await this.chat?.dispose();
		this.scheduler?.dispose();
		await this.engine?.dispose();
		this.engine = undefined;
		this.scheduler = undefined;
	}

	private async load(settings: HearthSettings): Promise<void> {
		if (settings !== this.appliedSettings) {
			return; // a newer change is queued behind this one
		}
		const { status, logger } = this.options;
		const useServer = settings.model.backend === 'server';
		const modelPath = settings.model.path ? path.resolve(settings.model.path) : this.options.defaultModelPath;
		const what = useServer ? settings.model.serverUrl || '(no server URL set)' : path.basename(modelPath);
		status.loadStarted(`Loading ${what}…`, this.modelSummary);
		logger.info(useServer ? `Connecting to the completion server ${what}` : `Loading model ${modelPath}`);
		const startedAt = performance.now();
		try {
			const loaded = useServer ? undefined : await this.loadLocalModel(settings, modelPath);
			const next = loaded ? new CompletionEngine(loaded, logger) : await this.connectServer(settings);
			const previous = this.engine;
			// The chat context belongs to the old model and goes first (a running action ends as cancelled).
			const previousChat = this.chat;
			this.chat = undefined;
			this.localModel = loaded;
			await previousChat?.dispose();
			this.scheduler?.dispose();
			this.engine = next;
			this.scheduler = new CompletionScheduler(next, { onRunFinished: this.options.onRunFinished });
			// Released after the switch: a completion still running on it finishes (or is cancelled) first.
			await previous?.dispose();
			const info = next.info;
			logger.info(
				`Model ready in ${Math.round(performance.now() - startedAt)} ms: ${info.displayName} (${info.quantization}, ${info.backend}, ` +
					`${info.threads} threads, context ${info.contextSize}, FIM: ${info.fimFamily})`,
			);
			this.publishSettledState();
		} catch (error) {
			const message =
				error instanceof ModelLoadError ? error.userMessage : `Could not load ${useServer ? what : modelPath}: ${messageOf(error)}`;
			logger.error(message);
			if (this.engine) {
				status.keptPreviousModel(`Kept ${this.engine.info.displayName}: ${message}`);
				this.publishSettledState();
			} else {
				status.loadFailed(message);
			}
		}
	}

	private loadLocalModel(settings: HearthSettings, modelPath: string): Promise<LoadedModel> {
		let shownPercent = -1;
		return loadModel({
			onLoadProgress: (fraction) => {
				// Whole steps of 10 %: enough to see it move, few enough not to flood the client.
				const percent = Math.floor(fraction * 10) * 10;
				if (percent !== shownPercent && percent < 100) {
					shownPercent = percent;
					this.options.status.loadProgress(`Loading ${path.basename(modelPath)}… ${percent} %`, this.modelSummary);
				}
			},
			modelPath,
			threads: settings.performance.threads,
			contextSize: settings.performance.contextSize,
			gpu: settings.performance.gpu,
			logger: this.options.logger,
		});
	}

	private connectServer(settings: HearthSettings): Promise<CompletionBackend> {
		if (!settings.model.serverUrl) {
			throw new ModelLoadError(
				'server-unreachable',
				'hearth.model.backend is "server" but hearth.model.serverUrl is empty: choose "Use an OpenAI-compatible server…" in the model switcher.',
			);
		}
		return OpenAiCompletionBackend.connect({
			baseUrl: settings.model.serverUrl,
			model: settings.model.serverModel,
			fimTemplate: settings.model.serverFimTemplate,
			apiKey: this.serverApiKey || undefined,
			logger: this.options.logger,
			onHealthChange: (problem) => {
				this.options.status.serverHealthChanged(problem);
				this.publishSettledState();
			},
			onFimPathChange: () => this.publishSettledState(),
		});
	}

	private publishSettledState(): void {
		this.options.status.settled(this.modelSummary, this.appliedSettings?.inlineCompletion.enabled ?? true);
	}
}

function summarize(engine: CompletionBackend): ModelSummary {
	const info = engine.info;
	return {
		displayName: info.displayName,
		path: info.path,
		sizeBytes: info.sizeBytes,
		quantization: info.quantization,
		contextSize: info.contextSize,
		threads: info.threads,
		backend: info.backend,
		fimFamily: info.fimFamily,
		fimReason: info.fimReason,
	};
}
