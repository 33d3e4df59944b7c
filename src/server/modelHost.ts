import path from 'node:path';
import { CompletionEngine } from '../engine/runtime/completionEngine.js';
import { CompletionScheduler, type RunReport } from '../engine/scheduling/completionScheduler.js';
import { loadModel } from '../engine/runtime/loadModel.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { messageOf } from '../engine/runtime/modelFileCheck.js';
import type { Logger } from '../engine/logger.js';
import type { ModelSummary, ServerStatus } from '../shared/protocol.js';
import { modelReloadNeeded, type HearthSettings } from '../shared/settings.js';

/**
 * Owns the loaded model for the server: loads it from the settings, swaps it when they change, and
 * publishes its state. A failed switch keeps the previous model working.
 */
export class ModelHost {
	private engine: CompletionEngine | undefined;
	private scheduler: CompletionScheduler | undefined;
	private appliedSettings: HearthSettings | undefined;
	private loading: Promise<void> = Promise.resolve();
	private status: ServerStatus = { state: 'loading' };
	private activeRequests = 0;
	/**
	 * Why the model the settings name could not be loaded, while the previous one keeps working. It
	 * stays in every status until a load succeeds or the settings change, so pausing and resuming
	 * does not hide that the chosen model is broken.
	 */
	private loadFailure: string | undefined;

	constructor(
		private readonly defaultModelPath: string,
		private readonly publish: (status: ServerStatus) => void,
		private readonly logger: Logger,
		private readonly onRunFinished?: (report: RunReport) => void,
	) {}

	get currentEngine(): CompletionEngine | undefined {
		return this.engine;
	}

	/** Debounce, joining, prefetch and cancellation in front of the current engine. */
	get currentScheduler(): CompletionScheduler | undefined {
		return this.scheduler;
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
		if (this.activeRequests++ === 0 && this.status.state === 'ready') {
			this.setStatus({ ...this.status, state: 'busy' });
		}
		let ended = false;
		return () => {
			if (ended) {
				return;
			}
			ended = true;
			if (--this.activeRequests === 0 && this.status.state === 'busy') {
				this.setStatus({ ...this.status, state: 'ready' });
			}
		};
	}

	async dispose(): Promise<void> {
		await this.loading;
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
		const modelPath = settings.model.path ? path.resolve(settings.model.path) : this.defaultModelPath;
		this.setStatus({ state: 'loading', model: this.modelSummary, message: `Loading ${path.basename(modelPath)}…` });
		this.logger.info(`Loading model ${modelPath}`);
		const startedAt = performance.now();
		try {
			const loaded = await loadModel({
				modelPath,
				threads: settings.performance.threads,
				contextSize: settings.performance.contextSize,
				gpu: settings.performance.gpu,
				logger: this.logger,
			});
			const previous = this.engine;
			this.scheduler?.dispose();
			this.engine = new CompletionEngine(loaded, this.logger);
			this.scheduler = new CompletionScheduler(this.engine, { onRunFinished: this.onRunFinished });
			await previous?.dispose();
			const info = loaded.info;
			this.logger.info(
				`Model ready in ${Math.round(performance.now() - startedAt)} ms: ${info.displayName} (${info.quantization}, ${info.backend}, ` +
				`${info.threads} threads, context ${info.contextSize}, FIM: ${info.fimFamily})`,
			);
			this.publishIdleState();
		} catch (error) {
			const message = error instanceof ModelLoadError ? error.userMessage : `Could not load ${modelPath}: ${messageOf(error)}`;
			this.logger.error(message);
			if (this.engine) {
				this.loadFailure = `Kept ${this.engine.info.displayName}: ${message}`;
				this.publishIdleState();
			} else {
				this.setStatus({ state: 'error', message });
			}
		}
	}

	private publishIdleState(): void {
		if (!this.engine) {
			return;
		}
		const enabled = this.appliedSettings?.inlineCompletion.enabled ?? true;
		this.setStatus({ state: enabled ? 'ready' : 'disabled', model: this.modelSummary, message: this.loadFailure });
	}

	private setStatus(status: ServerStatus): void {
		this.status = status;
		this.publish(status);
	}
}

function summarize(engine: CompletionEngine): ModelSummary {
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
