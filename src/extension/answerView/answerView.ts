import * as vscode from 'vscode';
import { answerPage, escapeHtml } from './answerPage.js';

/** An answer's content: Markdown (rendered as VS Code renders Markdown) or text shown exactly as it is. */
export type AnswerFormat = 'markdown' | 'text';

export interface AnswerInit {
	/** The view's tab title while this answer is shown, e.g. "Explain inventory.ts:12". */
	title: string;
	format: AnswerFormat;
	content: string;
	/** While set, the view shows a Stop button that calls it. */
	stop?: () => void;
}

/** A button under the answer, e.g. "Escalate…". */
export interface AnswerAction {
	label: string;
	run: () => unknown;
}

interface Entry extends AnswerInit {
	actions: AnswerAction[];
}

/** What the view's script sends back. */
type FromPage = { type: 'ready' } | { type: 'back' } | { type: 'forward' } | { type: 'stop' } | { type: 'action'; index: number };

/** The most answers kept for Back and Forward. */
const HISTORY_LENGTH = 30;
/** Renders while an answer streams: at most one per this many ms. */
const RENDER_INTERVAL_MS = 120;

/**
 * The one place for Hearth's answers: explanations, frontier answers, the escalation preview and
 * the escalation log all show in a single webview panel beside the editor, reused (revealed, never
 * opened again) for every answer, so the editor stays as the user arranged it. A new answer replaces
 * what is shown and joins a history the view's Back and Forward buttons (Alt+Left, Alt+Right) walk.
 * Markdown is rendered by VS Code's own Markdown engine (`markdown.api.render`), so code blocks look
 * as in the Markdown preview.
 */
export class AnswerView implements vscode.Disposable {
	private panel: vscode.WebviewPanel | undefined;
	private readonly history: Entry[] = [];
	private index = -1;
	private renderRunning = false;
	private renderAgain = false;
	private renderTimer: NodeJS.Timeout | undefined;

	constructor(private readonly extensionUri: vscode.Uri) {}

	/** Shows a new answer (dropping any answers ahead of the current one) and returns its handle. */
	open(init: AnswerInit): AnswerHandle {
		const entry: Entry = { ...init, actions: [] };
		this.history.splice(this.index + 1);
		this.history.push(entry);
		if (this.history.length > HISTORY_LENGTH) {
			this.history.splice(0, this.history.length - HISTORY_LENGTH);
		}
		this.index = this.history.length - 1;
		this.reveal();
		this.render(true);
		return new AnswerHandle(entry, () => this.changed(entry));
	}

	dispose(): void {
		clearTimeout(this.renderTimer);
		this.panel?.dispose();
	}

	private reveal(): void {
		if (this.panel) {
			// Where it is, without taking the focus from the editor the user works in.
			this.panel.reveal(this.panel.viewColumn, true);
			return;
		}
		const media = vscode.Uri.joinPath(this.extensionUri, 'media');
		const panel = vscode.window.createWebviewPanel(
			'hearth.answers',
			'Hearth',
			{ viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
			{ enableScripts: true, enableFindWidget: true, retainContextWhenHidden: true, localResourceRoots: [media] },
		);
		panel.iconPath = vscode.Uri.joinPath(media, 'hearth.svg');
		panel.webview.html = answerPage(panel.webview, media);
		panel.webview.onDidReceiveMessage((message: FromPage) => this.received(message));
		panel.onDidDispose(() => {
			if (this.panel === panel) {
				this.panel = undefined;
			}
		});
		this.panel = panel;
	}

	private received(message: FromPage): void {
		const entry = this.history[this.index];
		switch (message.type) {
			case 'ready':
				this.render(true);
				return;
			case 'back':
			case 'forward': {
				const next = this.index + (message.type === 'back' ? -1 : 1);
				if (next >= 0 && next < this.history.length) {
					this.index = next;
					this.render(true);
				}
				return;
			}
			case 'stop':
				entry?.stop?.();
				return;
			case 'action':
				void entry?.actions[message.index]?.run();
				return;
		}
	}

	/** An answer changed: rendered if it is the one shown (soon, if renders come fast). */
	private changed(entry: Entry): void {
		if (this.history[this.index] !== entry) {
			return;
		}
		this.render(false);
	}

	private render(now: boolean): void {
		if (now) {
			clearTimeout(this.renderTimer);
			this.renderTimer = undefined;
			void this.renderShown();
			return;
		}
		this.renderTimer ??= setTimeout(() => {
			this.renderTimer = undefined;
			void this.renderShown();
		}, RENDER_INTERVAL_MS);
	}

	/** Renders the shown answer; renders asked for meanwhile are folded into one more, with the latest text. */
	private async renderShown(): Promise<void> {
		if (this.renderRunning) {
			this.renderAgain = true;
			return;
		}
		this.renderRunning = true;
		try {
			do {
				this.renderAgain = false;
				const entry = this.history[this.index];
				const panel = this.panel;
				if (!entry || !panel) {
					return;
				}
				const html = await toHtml(entry);
				panel.title = entry.title;
				await panel.webview.postMessage({
					type: 'show',
					html,
					back: this.index > 0,
					forward: this.index < this.history.length - 1,
					position: `${this.index + 1} of ${this.history.length}`,
					stop: Boolean(entry.stop),
					actions: entry.actions.map((action) => action.label),
				});
			} while (this.renderAgain);
		} finally {
			this.renderRunning = false;
		}
	}
}

/** One answer in the view: what its producer changes while it streams and when it ends. */
export class AnswerHandle {
	constructor(
		private readonly entry: Entry,
		private readonly changed: () => void,
	) {}

	update(content: string): void {
		this.entry.content = content;
		this.changed();
	}

	/** The answer is over: no Stop button; `actions` are offered under it instead. */
	finish(content: string, actions: AnswerAction[] = []): void {
		this.entry.content = content;
		this.entry.stop = undefined;
		this.entry.actions = actions;
		this.changed();
	}
}

async function toHtml(entry: Entry): Promise<string> {
	if (entry.format === 'text') {
		return `<pre class="exact">${escapeHtml(entry.content)}</pre>`;
	}
	try {
		const html = await vscode.commands.executeCommand<string>('markdown.api.render', entry.content);
		if (typeof html === 'string') {
			return html;
		}
	} catch {
		// VS Code's Markdown extension is disabled: the text as it is still says everything.
	}
	return `<pre class="plain">${escapeHtml(entry.content)}</pre>`;
}
