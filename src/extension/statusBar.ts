import * as vscode from 'vscode';
import type { CompletionReport, ServerStatus } from '../shared/protocol.js';
import { CompletionReadout } from './completionReadout.js';

/** The client's view of the server process, as opposed to the model state the server reports. */
export type ServerProcessState = 'starting' | 'running' | 'restarting' | 'stopped';

/** A click opens the model switcher (which also holds pause, logs and restart). */
const CHOOSE_MODEL_COMMAND = 'hearth.chooseModel';

/**
 * One status bar item: the active model and its state. Its text always names the state in words
 * (not only an icon), so the state is readable in screenshots and by screen readers.
 */
export class HearthStatusBar implements vscode.Disposable {
	private readonly item = vscode.window.createStatusBarItem('hearth.status', vscode.StatusBarAlignment.Right, 100);
	private processState: ServerProcessState = 'starting';
	private processMessage: string | undefined;
	private serverStatus: ServerStatus | undefined;
	private readonly readout = new CompletionReadout();
	/** The model the readout's figures describe. */
	private readoutModelPath: string | undefined;

	constructor() {
		this.item.name = 'Hearth';
		this.item.command = CHOOSE_MODEL_COMMAND;
		this.render();
		this.item.show();
	}

	setProcessState(state: ServerProcessState, message?: string): void {
		this.processState = state;
		this.processMessage = message;
		if (state !== 'running') {
			this.serverStatus = this.serverStatus && { ...this.serverStatus, state: 'loading' };
		}
		this.render();
	}

	setServerStatus(status: ServerStatus): void {
		this.serverStatus = status;
		// Only a different model starts the figures afresh: a status without a model (while loading,
		// say) is no switch, and a restart with the same model keeps describing it.
		const modelPath = status.model?.path;
		if (modelPath !== undefined && modelPath !== this.readoutModelPath) {
			if (this.readoutModelPath !== undefined) {
				this.readout.reset();
			}
			this.readoutModelPath = modelPath;
		}
		this.render();
	}

	/** Every report counts, cancelled ones included: how many requests never reach the model is part of the readout. */
	recordCompletion(report: CompletionReport): void {
		this.readout.record(report);
		this.render();
	}

	dispose(): void {
		this.item.dispose();
	}

	private render(): void {
		const name = this.serverStatus?.model?.displayName ?? 'Hearth';
		const [icon, state] = this.iconAndState();
		this.item.text = `${icon} ${shorten(name)} · ${state}`;
		this.item.tooltip = this.tooltip(state);
		this.item.backgroundColor =
			state === 'error' || state === 'stopped' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
	}

	private iconAndState(): [string, string] {
		switch (this.processState) {
			case 'starting':
				return ['$(loading~spin)', 'starting'];
			case 'restarting':
				return ['$(debug-restart)', 'restarting'];
			case 'stopped':
				return ['$(error)', 'stopped'];
		}
		switch (this.serverStatus?.state) {
			case undefined:
			case 'loading': {
				// The server reports load progress in its message ("Loading x… 40 %").
				const percent = /(\d+) %$/.exec(this.serverStatus?.message ?? '')?.[1];
				return ['$(loading~spin)', percent === undefined ? 'loading' : `loading ${percent} %`];
			}
			case 'busy':
				return ['$(loading~spin)', 'busy'];
			case 'ready':
				return ['$(sparkle)', 'ready'];
			case 'disabled':
				return ['$(circle-slash)', 'paused'];
			case 'error':
				return ['$(error)', 'error'];
		}
	}

	private tooltip(state: string): vscode.MarkdownString {
		const lines = [`**Hearth** — ${state}`];
		const message = this.processState === 'running' ? this.serverStatus?.message : this.processMessage;
		if (message) {
			lines.push('', escape(message));
		}
		const model = this.serverStatus?.model;
		if (model) {
			lines.push(
				'',
				`Model: ${escape(model.displayName)}`,
				`File: ${escape(model.path)} (${(model.sizeBytes / 1024 ** 2).toFixed(1)} MiB, ${model.quantization})`,
				`Context: ${model.contextSize} tokens · ${model.backend}, ${model.threads} threads`,
				`Fill-in-the-middle: ${escape(model.fimFamily)}`,
			);
		}
		// Only while the model works: after an error the figures describe a model that is gone.
		if (state === 'ready' || state === 'busy' || state === 'paused') {
			lines.push('', ...this.readout.lines());
		}
		lines.push('', 'Click to switch models, pause completions, or see the logs.');
		return new vscode.MarkdownString(lines.join('  \n'));
	}
}

function shorten(name: string): string {
	return name.length > 32 ? `${name.slice(0, 31)}…` : name;
}

function escape(text: string): string {
	return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
