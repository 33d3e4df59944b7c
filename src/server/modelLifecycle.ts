import path from 'node:path';
import type { CompletionBackend } from '../engine/runtime/completionBackend.js';
import { CompletionEngine } from '../engine/runtime/completionEngine.js';
import { OpenAiCompletionBackend } from '../engine/remote/openAiCompletionBackend.js';
import { CompletionScheduler, type RunReport } from '../engine/scheduling/completionScheduler.js';
import { loadModel, type LoadedModel } from '../engine/runtime/loadModel.js';
import { ChatEngine } from '../engine/chat/chatEngine.js';
import { describeRoute, routeAction, type RoutedModel } from '../engine/actions/actionRouting.js';
import type { ChatBackend } from '../engine/chat/chatBackend.js';
import { detectCapabilities, type ModelCapabilities } from '../engine/actions/modelCapabilities.js';
import { loadedModelCapabilities } from '../engine/runtime/loadedModelCapabilities.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { messageOf } from '../shared/errorMessage.js';
import type { Logger } from '../engine/logger.js';
import type { ModelSummary } from '../shared/protocol.js';
import { chatModelReloadNeeded, modelReloadNeeded, type HearthSettings } from '../shared/settings.js';
import { ChatModelSlot } from './chatModelSlot.js';
import { SpeedMeter } from './modelSpeed.js';
import type { StatusPublisher } from './statusPublisher.js';

export interface ModelLifecycleOptions {
	/** The bundled model, used when hearth.model.path is empty. */
	defaultModelPath: string;
	/** Told of each load's progress and outcome, and of the completion server's health. */
	status: StatusPublisher;
	logger: Logger;
	/** Statistics of each model run, when it ends. */
	onRunFinished?: (report: RunReport) => void;
	/** Whether completions are running now: the model is not unloaded under them. */
	completionsRunning?: () => boolean;
	/** The length of a minute of `hearth.model.idleUnloadMinutes`; shorter only in tests. */
	minuteMs?: number;
}

/** The chat model slot as action routing gets it: what it can do, and the backend its answers come from. */
export type RoutedChatModel = RoutedModel & { backend: ChatBackend };

/** Speed updates from completion runs reach the client at most this often. */
const SPEED_PUBLISH_INTERVAL_MS = 1_000;

/**
 * The model the server completes with: loads it from the settings (a GGUF file run here, or an
 * OpenAI-compatible server, with the key from the client's secret storage), swaps it when they
 * change, and holds the scheduler in front of it and the chat engine of the selection actions. A
 * failed switch keeps the previous model working; the old model is released only once the new one
 * is ready.
 *
 * A local model nobody has used for `hearth.model.idleUnloadMinutes` is unloaded (its memory goes
 * back to the system; the status reads `unloaded`) and loaded again by the next completion or action,
 * which waits for it.
 *
 * Beside it, the chat model slot (`hearth.chatModel`, chatModelSlot.ts) is loaded after each
 * completion model load in its own queue, unloaded with it for idleness and woken by the next action.
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
	/**
	 * Settles when the client's settings first arrive (the server reads them after `initialized`, a
	 * round trip later): a request that comes in before then waits for the model they name, rather
	 * than finding none loaded.
	 */
	private readonly firstSettings: Promise<void>;
	private settingsArrived!: () => void;
	/** The OpenAI-compatible server's key, from the client's secret storage; never logged. */
	private serverApiKey = '';
	private idleTimer: ReturnType<typeof setTimeout> | undefined;
	/** The model unloaded for idleness, as the status keeps showing it; undefined while one is loaded. */
	private unloadedModel: ModelSummary | undefined;
	/** Actions running on the model: it stays loaded under them. */
	private holds = 0;
	/** How long the latest successful load took, to say how long the next one will. */
	private lastLoadMs: number | undefined;

	/** What the local model can do, detected once per load. */
	private capabilities: { model: LoadedModel; capabilities: ModelCapabilities } | undefined;

	/** The chat model slot: where the actions run when the user chose a chat model. */
	readonly chatSlot: ChatModelSlot;
	/** The completion model's speed since it was loaded, from its runs. */
	private readonly completionSpeed = new SpeedMeter();
	private speedTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(private readonly options: ModelLifecycleOptions) {
		this.firstSettings = new Promise((resolve) => (this.settingsArrived = resolve));
		this.chatSlot = new ChatModelSlot({
			defaultModelPath: options.defaultModelPath,
			logger: options.logger,
			onChange: () => this.publishDetails(),
		});
	}

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
		this.settingsArrived();
		if (previous && !modelReloadNeeded(previous, settings)) {
			if (chatModelReloadNeeded(previous, settings)) {
				this.loading = this.loading.then(() => this.applyChat(settings));
			}
			this.publishSettledState();
			this.restartIdleClock();
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
		if (settings?.chatModel.backend === 'server' && settings.model.backend !== 'server') {
			this.loading = this.loading.then(() => this.applyChat(settings));
		}
		if (settings?.model.backend !== 'server') {
			return this.loading;
		}
		this.loading = this.loading.then(() => this.load(settings));
		return this.loading;
	}

	/**
	 * The scheduler for a completion request: when the model was unloaded for idleness, it is loaded
	 * again first (the request waits), as it waits for the first settings and the model they name.
	 * Each call starts the idle time anew.
	 */
	async awakeScheduler(): Promise<CompletionScheduler | undefined> {
		await this.wake();
		this.restartIdleClock();
		return this.scheduler;
	}

	/**
	 * Keeps the model loaded for an action, loading it again first when it was unloaded for idleness
	 * (or, before the first settings, waiting for them and the model they name). The returned
	 * function ends the hold (once, however often called); idle time counts from then.
	 */
	async hold(): Promise<() => void> {
		this.holds++;
		this.stopIdleClock();
		let released = false;
		const release = () => {
			if (!released) {
				released = true;
				this.holds--;
				this.restartIdleClock();
			}
		};
		try {
			await this.wake();
			await this.chatSlot.settled();
		} catch (error) {
			release();
			throw error;
		}
		return release;
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

	/**
	 * The models the selection actions may run on, with what each can do, for action routing
	 * (engine/actions/actionRouting.ts). A completion server is never local: actions don't go there.
	 */
	actionModels(): { completion?: RoutedModel & { engine?: CompletionBackend }; chat?: RoutedChatModel; chatProblem?: string } {
		const chat = this.chatSlot.routed();
		const chatProblem = this.chatSlot.problem;
		return { ...this.completionForActions(), ...(chat ? { chat } : {}), ...(chatProblem ? { chatProblem } : {}) };
	}

	private completionForActions(): { completion?: RoutedModel & { engine?: CompletionBackend } } {
		const engine = this.engine;
		if (!engine) {
			return {};
		}
		if (!this.localModel) {
			const capabilities = detectCapabilities({
				fileName: engine.info.displayName,
				fimFamily: 'prefix-only',
				chatTemplate: 'fallback',
				trainedContext: engine.info.trainContextSize,
			});
			return { completion: { name: engine.info.displayName, local: false, capabilities } };
		}
		if (this.capabilities?.model !== this.localModel) {
			this.capabilities = { model: this.localModel, capabilities: loadedModelCapabilities(this.localModel) };
		}
		return { completion: { name: engine.info.displayName, local: true, capabilities: this.capabilities.capabilities, engine } };
	}

	async dispose(): Promise<void> {
		this.stopIdleClock();
		clearTimeout(this.speedTimer);
		await this.loading;
		await this.chatSlot.dispose();
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
		this.unloadedModel = undefined;
		this.stopIdleClock();
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
			this.completionSpeed.reset();
			this.scheduler = new CompletionScheduler(next, { onRunFinished: (report) => this.runFinished(report) });
			// Released after the switch: a completion still running on it finishes (or is cancelled) first.
			await previous?.dispose();
			const info = next.info;
			this.lastLoadMs = performance.now() - startedAt;
			logger.info(
				`Model ready in ${Math.round(performance.now() - startedAt)} ms: ${info.displayName} (${info.quantization}, ${info.backend}, ` +
					`${info.threads} threads, context ${info.contextSize}, FIM: ${info.fimFamily})`,
			);
			this.publishSettledState();
			this.restartIdleClock();
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
		// In the chat slot's own queue: completions are ready now, whatever the chat model does.
		void this.applyChat(settings);
	}

	/** Hands the chat slot the settings and the local completion model it may share; resolves at once. */
	private applyChat(settings: HearthSettings): Promise<void> {
		const loaded = this.localModel;
		void this.chatSlot
			.apply({
				settings,
				completion: loaded ? { loaded, chat: () => (this.localModel === loaded ? this.chatEngine() : undefined) } : undefined,
				apiKey: this.serverApiKey,
			})
			.then(() => this.restartIdleClock());
		return Promise.resolve();
	}

	private runFinished(report: RunReport): void {
		const { stats } = report.result;
		if (!stats.cacheHit) {
			this.completionSpeed.add({
				promptTokens: stats.evaluatedPromptTokens,
				promptMs: stats.promptMs,
				generatedTokens: stats.generatedTokens,
				generationMs: stats.totalMs - stats.promptMs,
			});
			// At most once a second: a status per run would flood the client while the user types.
			this.speedTimer ??= setTimeout(() => {
				this.speedTimer = undefined;
				this.publishDetails();
			}, SPEED_PUBLISH_INTERVAL_MS);
			this.speedTimer.unref();
		}
		this.options.onRunFinished?.(report);
	}

	/** The chat slot, the route Explain takes now and the completion model's speed, with every status. */
	private publishDetails(): void {
		const route = routeAction({ kind: 'explain', ...this.actionModels() });
		this.options.status.setDetails({
			chatModel: this.chatSlot.status,
			actionRoute: this.engine || this.chatSlot.status ? describeRoute(route) : undefined,
			speed: this.completionSpeed.speed,
		});
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
		this.publishDetails();
		this.options.status.settled(this.modelSummary, this.appliedSettings?.inlineCompletion.enabled ?? true);
	}

	/** Loads the model unloaded for idleness again, with the settings in force; resolves once it is ready (or failed). */
	private wake(): Promise<void> {
		if (!this.appliedSettings) {
			return this.firstSettings.then(() => this.wake());
		}
		const settings = this.appliedSettings;
		if (this.unloadedModel) {
			this.unloadedModel = undefined;
			this.options.logger.info('Loading the model again: it is needed after being unloaded for idleness.');
			this.loading = this.loading.then(() => this.load(settings));
		} else if (this.chatSlot.unloaded) {
			// Only the chat model was unloaded (completions run on a server).
			this.loading = this.loading.then(() => this.applyChat(settings));
		}
		return this.loading;
	}

	private stopIdleClock(): void {
		clearTimeout(this.idleTimer);
		this.idleTimer = undefined;
	}

	/** Starts the idle time anew, when a local model is loaded, nothing holds it and the setting asks for it. */
	private restartIdleClock(): void {
		this.stopIdleClock();
		const minutes = this.appliedSettings?.model.idleUnloadMinutes ?? 0;
		if (minutes <= 0 || !(this.localModel || this.chatSlot.holdsOwnModel) || this.holds > 0) {
			return;
		}
		this.idleTimer = setTimeout(() => void this.unloadForIdleness(minutes), minutes * (this.options.minuteMs ?? 60_000));
		// An idle clock alone must not keep the process alive.
		this.idleTimer.unref();
	}

	private async unloadForIdleness(minutes: number): Promise<void> {
		this.idleTimer = undefined;
		if (this.holds > 0 || this.options.completionsRunning?.()) {
			this.restartIdleClock();
			return;
		}
		const summary = this.modelSummary;
		// After any load in progress, and in its queue, so that a load or a wake-up never overlaps it.
		const unload = this.loading.then(async () => {
			if (this.holds > 0 || this.options.completionsRunning?.() || this.idleTimer !== undefined) {
				return; // used again meanwhile
			}
			const chatMessage = `Unloaded after ${minutes} minute${minutes === 1 ? '' : 's'} without use; the next action loads it again.`;
			if (!this.localModel) {
				// Completions run on a server: only the chat model holds memory here.
				await this.chatSlot.unload(chatMessage);
				return;
			}
			const chat = this.chat;
			const scheduler = this.scheduler;
			const engine = this.engine;
			this.chat = undefined;
			this.scheduler = undefined;
			this.engine = undefined;
			this.localModel = undefined;
			this.unloadedModel = summary;
			try {
				await this.chatSlot.unload(chatMessage);
				await chat?.dispose();
				scheduler?.dispose();
				await engine?.dispose();
			} catch (error) {
				this.options.logger.warn(`Unloading the idle model: ${messageOf(error)}`);
			}
			const reload = this.lastLoadMs === undefined ? '' : ` (the last load took ${formatSeconds(this.lastLoadMs)})`;
			const message = `Unloaded after ${minutes} minute${minutes === 1 ? '' : 's'} without use; the next completion loads it again${reload}.`;
			this.options.logger.info(`${summary?.displayName ?? 'The model'}: ${message}`);
			this.options.status.unloaded(summary, message);
		});
		this.loading = unload;
		await unload;
	}
}

function formatSeconds(ms: number): string {
	return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
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
