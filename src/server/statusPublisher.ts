import type { ChatModelStatus, ModelSpeed, ModelSummary, ServerStatus } from '../shared/protocol.js';

/** What every status carries beside its state: the chat model slot, where the actions go, the completion model's speed. */
export interface StatusDetails {
	chatModel?: ChatModelStatus;
	actionRoute?: string;
	/** The completion model's speed on this machine, put into the status's model summary. */
	speed?: ModelSpeed;
}

/**
 * The server's status as the client's status bar shows it, and the notification that carries it:
 * loading → ready (busy while completions run) or disabled, or error. It keeps why the chosen model
 * is not the one in use, and why the completion server is failing, so that every status says so
 * until a load succeeds or the settings change.
 */
export class StatusPublisher {
	private status: ServerStatus = { state: 'loading' };
	/**
	 * Why the model the settings name could not be loaded, while the previous one keeps working. It
	 * stays in every status until the next load, so pausing and resuming does not hide that the
	 * chosen model is broken.
	 */
	private loadFailure: string | undefined;
	/** Why the completion server is failing right now, while it is. */
	private serverProblem: string | undefined;
	/** Suggestions the confidence gate held back since the server started. */
	private heldBack = 0;
	private details: StatusDetails = {};

	constructor(private readonly send: (status: ServerStatus) => void) {}

	/** A load starts: what the previous one found wrong no longer applies. */
	loadStarted(message: string, model: ModelSummary | undefined): void {
		this.loadFailure = undefined;
		this.serverProblem = undefined;
		this.loadProgress(message, model);
	}

	loadProgress(message: string, model: ModelSummary | undefined): void {
		this.set({ state: 'loading', model, message });
	}

	/** The load failed and no model is left to use. */
	loadFailed(message: string): void {
		this.set({ state: 'error', message });
	}

	/** The load failed and the previous model stays in use: shown with every status until the next load. */
	keptPreviousModel(reason: string): void {
		this.loadFailure = reason;
	}

	/** The completion server's health: a problem, or undefined once it answers again. */
	serverHealthChanged(problem: string | undefined): void {
		this.serverProblem = problem;
	}

	/** The state once nothing is loading: ready or disabled with `model`, or the server's problem. Nothing without a model. */
	settled(model: ModelSummary | undefined, completionsEnabled: boolean): void {
		if (!model) {
			return;
		}
		if (this.serverProblem !== undefined && completionsEnabled) {
			// The server is still the choice and may come back: an error state, not a switch.
			this.set({ state: 'error', model, message: this.serverProblem });
			return;
		}
		this.set({ state: completionsEnabled ? 'ready' : 'disabled', model, message: this.loadFailure });
	}

	/** The local model was unloaded for idleness; `model` is the one the next use loads again. */
	unloaded(model: ModelSummary | undefined, message: string): void {
		this.set({ state: 'unloaded', model, message });
	}

	/** A suggestion was held back by the confidence gate: counted in every status from now on. */
	suggestionHeldBack(): void {
		this.heldBack++;
		this.set(this.status);
	}

	/** Completions started (busy) or all ended: ready ⇄ busy, any other state stays. */
	completionsBusy(busy: boolean): void {
		if (busy && this.status.state === 'ready') {
			this.set({ ...this.status, state: 'busy' });
		} else if (!busy && this.status.state === 'busy') {
			this.set({ ...this.status, state: 'ready' });
		}
	}

	/** New details: sent with the current state, when they differ from those last sent. */
	setDetails(details: StatusDetails): void {
		if (JSON.stringify(details) === JSON.stringify(this.details)) {
			return;
		}
		this.details = details;
		this.set(this.status);
	}

	private set(status: ServerStatus): void {
		const { chatModel, actionRoute, speed } = this.details;
		const { chatModel: _chat, actionRoute: _route, heldBack: _held, ...base } = status;
		this.status = {
			...base,
			...(base.model ? { model: speed ? { ...base.model, speed } : withoutSpeed(base.model) } : {}),
			...(this.heldBack > 0 ? { heldBack: this.heldBack } : {}),
			...(chatModel ? { chatModel } : {}),
			...(actionRoute ? { actionRoute } : {}),
		};
		this.send(this.status);
	}
}

function withoutSpeed(model: ModelSummary): ModelSummary {
	const { speed: _speed, ...rest } = model;
	return rest;
}
