import * as vscode from 'vscode';
import type { CompletionReport, ServerStatus } from '../shared/protocol.js';
import { CompletionReadout } from './completionReadout.js';
import { isCompletableDocument, languageOn, onDidChangeCompletionSwitches } from './languageSwitch.js';
import { modelDetailLines, shortModelName, tooltipLines, type StatusState } from './statusText.js';

/**
 * The client's view of the server process, as opposed to the model state the server reports.
 * `waiting`: not started yet; it starts when an editor it can complete appears (main.ts).
 */
export type ServerProcessState = 'waiting' | 'starting' | 'running' | 'restarting' | 'stopped';

/** A click opens the model switcher, which also holds the current language's switch, the details, pause, logs and restart. */
const CHOOSE_MODEL_COMMAND = 'hearth.chooseModel';

/**
 * One compact status bar item: an icon, the model's short name and its state in words
 * (`Starter gpu-base · ready`), so the state is readable in screenshots and by screen readers. The
 * tooltip is short (state, model, file, the latest completion, the current language); the full
 * figures are in the click menu's details.
 */
export class HearthStatusBar implements vscode.Disposable {
	private readonly item = vscode.window.createStatusBarItem('hearth.status', vscode.StatusBarAlignment.Right, 100);
	private processState: ServerProcessState = 'waiting';
	private processMessage: string | undefined;
	private serverStatus: ServerStatus | undefined;
	private readonly readout = new CompletionReadout();
	/** The model the readout's figures describe. */
	private readoutModelPath: string | undefined;
	private readonly subscriptions: vscode.Disposable[] = [];

	constructor() {
		this.item.name = 'Hearth';
		this.item.command = CHOOSE_MODEL_COMMAND;
		this.subscriptions.push(
			vscode.window.onDidChangeActiveTextEditor(() => this.render()),
			onDidChangeCompletionSwitches(() => this.render()),
		);
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

	/** The language of the active editor, when it is one Hearth completes. */
	activeLanguage(): string | undefined {
		const document = vscode.window.activeTextEditor?.document;
		return document && isCompletableDocument(document) ? document.languageId : undefined;
	}

	/** The latest status the server reported (the switcher names the chat model from it). */
	status(): ServerStatus | undefined {
		return this.serverStatus;
	}

	/**
	 * Everything the tooltip leaves out, for the menu's details: both models in full (evidence, speed,
	 * where the actions go) and the completion figures.
	 */
	details(): string[] {
		return [...modelDetailLines(this.serverStatus), ...this.readout.lines()];
	}

	dispose(): void {
		for (const subscription of this.subscriptions) {
			subscription.dispose();
		}
		this.item.dispose();
	}

	private render(): void {
		const name = this.serverStatus?.model?.displayName;
		const [icon, state, words] = this.iconAndState();
		this.item.text = `${icon} ${name ? shortModelName(name) : 'Hearth'} · ${words}`;
		this.item.tooltip = this.tooltip(state, words);
		this.item.backgroundColor =
			state === 'error' || state === 'stopped' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
	}

	/** The icon, the state, and the words the item shows for it. */
	private iconAndState(): [string, StatusState, string] {
		switch (this.processState) {
			case 'waiting':
				return ['$(sparkle)', 'unloaded', 'unloaded'];
			case 'starting':
				return ['$(loading~spin)', 'starting', 'starting'];
			case 'restarting':
				return ['$(debug-restart)', 'restarting', 'restarting'];
			case 'stopped':
				return ['$(error)', 'stopped', 'stopped'];
		}
		switch (this.serverStatus?.state) {
			case undefined:
			case 'loading': {
				// The server reports load progress in its message ("Loading x… 40 %").
				const percent = /(\d+) %$/.exec(this.serverStatus?.message ?? '')?.[1];
				return ['$(loading~spin)', 'loading', percent === undefined ? 'loading' : `loading ${percent} %`];
			}
			case 'error':
				return ['$(error)', 'error', 'error'];
			case 'disabled':
				return ['$(debug-pause)', 'paused', 'paused'];
			case 'unloaded':
				return ['$(sparkle)', 'unloaded', 'unloaded (idle)'];
			case 'busy':
				return ['$(loading~spin)', 'busy', 'busy'];
			case 'ready':
				// The words keep naming the model's state; the icon says this editor's language is switched off.
				return [this.activeLanguageOff() ? '$(circle-slash)' : '$(sparkle)', 'ready', 'ready'];
		}
	}

	/** Whether the active editor is one Hearth completes, in a language switched off. */
	private activeLanguageOff(): boolean {
		const language = this.activeLanguage();
		return language !== undefined && !languageOn(language, vscode.window.activeTextEditor?.document);
	}

	private tooltip(state: StatusState, words: string): vscode.MarkdownString {
		const language = this.activeLanguage();
		const lines = tooltipLines({
			words,
			working: state === 'ready' || state === 'busy' || state === 'paused',
			message:
				this.processState === 'waiting'
					? 'The model loads when you open a file it completes.'
					: this.processState === 'running'
						? this.serverStatus?.message
						: this.processMessage,
			model: this.serverStatus?.model,
			// Only while the model works: after an error the figures describe a model that is gone.
			readoutHeadline: this.readout.headline(),
			heldBack: this.serverStatus?.heldBack ?? 0,
			language:
				language === undefined ? undefined : { id: language, on: languageOn(language, vscode.window.activeTextEditor?.document) },
			hasStatus: this.processState === 'running' && this.serverStatus !== undefined,
			chatModel: this.serverStatus?.chatModel,
			actionRoute: this.serverStatus?.actionRoute,
		});
		return new vscode.MarkdownString(lines.join('  \n'));
	}
}
