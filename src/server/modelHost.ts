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
import type { ModelSummary, ServerStatus } from '../shared/protocol.js';
import { modelReloadNeeded, type HearthSettings } from '../shared/settings.js';

/**
 * Owns the loaded model for the server: loads it from the settings (a GGUF file run here, or an
 * OpenAI-compatible server), swaps it when they change, and publishes its state. A failed switch
 * keeps the previous model working; the old model is released only once the new one is ready.
 */
export class ModelHost {
	private engine: CompletionBackend | undefined;
	private scheduler: CompletionScheduler | undefined;
	private appliedSettings: HearthSettings | undefined;
	private loading: Promise<void> = Promise.resolve();
	private status: ServerStatus = { state: 'loading' };
	private activeRequests = 0;
	/** The model file in use when completions run locally: the selection actions chat with it too. */
	private localModel: LoadedModel | undefined;
	private chat: ChatEngine | undefined;
	private readonly completionStartListeners = new Set<() => void>();
	private lastCompletionEndedAt = 0;
	/**
	 * Why the model the settings name could not be loaded, while the previous one keeps working. It
	 * stays in every status until a load succeeds or the settings change, so pausing and resuming
	 * does not hide that the chosen model is broken.
	 */
	private loadFailure: string | undefined;
	/** The OpenAI-compatible server's key, from the client's secret storage; never logged. */
	private serverApiKey = '';
	/** Why the completion server is failing right now, while it is. */
	private serverProblem: string | undefined;

	constructor(
		private readonly defaultModelPath: string,
		private readonly publish: (status: ServerStatus) => void,
		private readonly logger: Logger,
		private readonly onRunFinished?: (report: RunReport) => void,
	) {}

	get currentEngine(): CompletionBackend | undefined {
		return this.engine;
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
			this.publishIdleState();
			return this.loading;
		}
		this.loading = this.loading.then(() => this.load(settings));
		return this.loading;
	}

	/** Marks a completion as running, so the status bar can show the model is busy. */
	beginRequest(): () => void {
		if (this.activeRequests++ === 0) {
			for (const listener of this.completionStartListeners) {
				listener();
			}
			if (this.status.state === 'ready') {
				this.setStatus({ ...this.status, state: 'busy' });
			}
		}
		let ended = false;
		return () => {
			if (ended) {
				return;
			}
			ended = true;
			if (--this.activeRequests === 0) {
				this.lastCompletionEndedAt = performance.now();
				if (this.status.state === 'busy') {
					this.setStatus({ ...this.status, state: 'ready' });
				}
			}
		};
	}

	/** Calls `listener` each time completions start after a quiet spell; returns the unsubscribe. */
	onCompletionStart(listener: () => void): () => void {
		this.completionStartListeners.add(listener);
		return () => this.completionStartListeners.delete(listener);
	}

	/** Resolves once no completion has run for `quietMs` (the user stopped typing). */
	async whenCompletionsQuiet(quietMs: number, signal?: AbortSignal): Promise<void> {
		for (;;) {
			if (signal?.aborted) {
				return;
			}
			const quietFor = performance.now() - this.lastCompletionEndedAt;
			if (this.activeRequests === 0 && quietFor >= quietMs) {
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, this.activeRequests > 0 ? 50 : quietMs - quietFor));
		}
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
			logger: this.logger,
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
		this.loadFailure = undefined;
		this.serverProblem = undefined;
		const useServer = settings.model.backend === 'server';
		const modelPath = settings.model.path ? path.resolve(settings.model.path) : this.defaultModelPath;
		const what = useServer ? settings.model.serverUrl || '(no server URL set)' : path.basename(modelPath);
		this.setStatus({ state: 'loading', model: this.modelSummary, message: `Loading ${what}…` });
		this.logger.info(useServer ? `Connecting to the completion server ${what}` : `Loading model ${modelPath}`);
		const startedAt = performance.now();
		try {
			const loaded = useServer ? undefined : await this.loadLocalModel(settings, modelPath);
			const next = loaded ? new CompletionEngine(loaded, this.logger) : await this.connectServer(settings);
			const previous = this.engine;
			// The chat context belongs to the old model and goes first (a running action ends as cancelled).
			const previousChat = this.chat;
			this.chat = undefined;
			this.localModel = loaded;
			await previousChat?.dispose();
			this.scheduler?.dispose();
			this.engine = next;
			this.scheduler = new CompletionScheduler(next, { onRunFinished: this.onRunFinished });
			// Released after the switch: a completion still running on it finishes (or is cancelled) first.
			await previous?.dispose();
			const info = next.info;
			this.logger.info(
				`Model ready in ${Math.round(performance.now() - startedAt)} ms: ${info.displayName} (${info.quantization}, ${info.backend}, ` +
					`${info.threads} threads, context ${info.contextSize}, FIM: ${info.fimFamily})`,
			);
			this.publishIdleState();
		} catch (error) {
			const message =
				error instanceof ModelLoadError ? error.userMessage : `Could not load ${useServer ? what : modelPath}: ${messageOf(error)}`;
			this.logger.error(message);
			if (this.engine) {
				this.loadFailure = `Kept ${this.engine.info.displayName}: ${message}`;
				this.publishIdleState();
			} else {
				this.setStatus({ state: 'error', message });
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
					this.setStatus({
						state: 'loading',
						model: this.modelSummary,
						message: `Loading ${path.basename(modelPath)}… ${percent} %`,
					});
				}
			},
			modelPath,
			threads: settings.performance.threads,
			contextSize: settings.performance.contextSize,
			gpu: settings.performance.gpu,
			logger: this.logger,
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
			apiKey: this.serverApiKey || undefined,
			logger: this.logger,
			onHealthChange: (problem) => {
				this.serverProblem = problem;
				this.publishIdleState();
			},
		});
	}

	private publishIdleState(): void {
		if (!this.engine) {
			return;
		}
		const enabled = this.appliedSettings?.inlineCompletion.enabled ?? true;
		if (this.serverProblem !== undefined && enabled) {
			// The server is still the choice and may come back: an error state, not a switch.
			this.setStatus({ state: 'error', model: this.modelSummary, message: this.serverProblem });
			return;
		}
		this.setStatus({ state: enabled ? 'ready' : 'disabled', model: this.modelSummary, message: this.loadFailure });
	}

	private setStatus(status: ServerStatus): void {
		this.status = status;
		this.publish(status);
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
