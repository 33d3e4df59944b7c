import * as vscode from 'vscode';

export type NoticeSeverity = 'info' | 'warning' | 'error';

/** Internal commands behind the status bar items (not in package.json, so not in the palette). */
const STOP_WORK_COMMAND = 'hearth.internal.stopWork';
const OPEN_NOTICE_COMMAND = 'hearth.internal.openNotice';
/** How long a passing message stays in the status bar. */
const SAY_MS = 8000;

interface Notice {
	key: string;
	severity: NoticeSeverity;
	text: string;
	actions: readonly string[];
	choose: (action: string | undefined) => void;
}

/**
 * Hearth's one voice, so that messages never pile up over the editor:
 * - `say`: passing information, in the status bar for a few seconds (the next one replaces it);
 * - `working`: long work, a spinning status bar item that stops the work when clicked;
 * - `show`: something to read or decide now, as a notification; at most one Hearth notification is
 *   on screen: while one is open, the next goes to the status bar notice instead (click to act);
 * - `problem`: a state that lasts until it is fixed (a rejected key, an unreachable endpoint), as a
 *   status bar notice that `withdraw` removes once it is resolved. VS Code cannot close a
 *   notification from code, so nothing that may become untrue is shown as one.
 * Messages are sentences; VS Code names the source (Hearth) beside each notification.
 */
export class Notifier implements vscode.Disposable {
	private toastOpen = false;
	private passing: vscode.Disposable | undefined;
	private notice: Notice | undefined;
	private readonly noticeItem: vscode.StatusBarItem;
	private readonly workItem: vscode.StatusBarItem;
	private work: { id: number; stop: () => void } | undefined;
	private workIds = 0;
	private readonly registrations: vscode.Disposable[];

	constructor() {
		this.noticeItem = vscode.window.createStatusBarItem('hearth.notice', vscode.StatusBarAlignment.Right, 99);
		this.noticeItem.name = 'Hearth Notice';
		this.noticeItem.command = OPEN_NOTICE_COMMAND;
		this.workItem = vscode.window.createStatusBarItem('hearth.work', vscode.StatusBarAlignment.Right, 98);
		this.workItem.name = 'Hearth Work';
		this.workItem.command = STOP_WORK_COMMAND;
		this.registrations = [
			vscode.commands.registerCommand(STOP_WORK_COMMAND, () => this.work?.stop()),
			vscode.commands.registerCommand(OPEN_NOTICE_COMMAND, () => this.openNotice()),
		];
	}

	/** A passing message in the status bar; the next one replaces it. */
	say(text: string): void {
		this.passing?.dispose();
		this.passing = vscode.window.setStatusBarMessage(`$(info) ${text}`, SAY_MS);
	}

	/**
	 * Long work: "$(loading~spin) title" in the status bar until the returned disposable is disposed;
	 * a click on it calls `stop`. A newer piece of work takes the item over.
	 */
	working(title: string, stop: () => void): vscode.Disposable {
		const id = ++this.workIds;
		this.work = { id, stop };
		this.workItem.text = `$(loading~spin) ${title}`;
		this.workItem.tooltip = 'Click to stop.';
		this.workItem.show();
		return new vscode.Disposable(() => {
			if (this.work?.id === id) {
				this.work = undefined;
				this.workItem.hide();
			}
		});
	}

	/**
	 * A message to read or a decision to make now: a notification with `actions` as buttons, unless a
	 * Hearth notification is still open, in which case it waits in the status bar notice. Resolves to
	 * the action chosen, or undefined when dismissed or replaced.
	 */
	show<T extends string>(severity: NoticeSeverity, text: string, ...actions: T[]): Promise<T | undefined> {
		if (this.toastOpen) {
			return this.problem(`message:${text}`, severity, text, ...actions);
		}
		this.toastOpen = true;
		const shown = showToast(severity, text, actions);
		return Promise.resolve(shown).then(
			(choice) => {
				this.toastOpen = false;
				return choice;
			},
			() => {
				this.toastOpen = false;
				return undefined;
			},
		);
	}

	/**
	 * A state that lasts until it is fixed: a status bar notice (replacing any other) that offers
	 * `actions` when clicked, until `withdraw(key)`. Resolves to the action chosen, or undefined when
	 * withdrawn or replaced.
	 */
	problem<T extends string>(key: string, severity: NoticeSeverity, text: string, ...actions: T[]): Promise<T | undefined> {
		this.notice?.choose(undefined);
		return new Promise<T | undefined>((resolve) => {
			this.notice = { key, severity, text, actions, choose: (action) => resolve(action as T | undefined) };
			const icon = severity === 'error' ? '$(error)' : severity === 'warning' ? '$(warning)' : '$(info)';
			this.noticeItem.text = `${icon} ${shorten(text)}`;
			this.noticeItem.tooltip = `${text}${actions.length > 0 ? ' (Click for what to do.)' : ' (Click to dismiss.)'}`;
			this.noticeItem.accessibilityInformation = { label: text };
			this.noticeItem.backgroundColor =
				severity === 'error'
					? new vscode.ThemeColor('statusBarItem.errorBackground')
					: severity === 'warning'
						? new vscode.ThemeColor('statusBarItem.warningBackground')
						: undefined;
			this.noticeItem.show();
		});
	}

	/** Removes the notice made under `key` (or any key starting with `key:`), if it is still shown. */
	withdraw(key: string): void {
		if (this.notice && (this.notice.key === key || this.notice.key.startsWith(`${key}:`))) {
			this.clearNotice(undefined);
		}
	}

	dispose(): void {
		this.clearNotice(undefined);
		this.passing?.dispose();
		this.noticeItem.dispose();
		this.workItem.dispose();
		for (const registration of this.registrations) {
			registration.dispose();
		}
	}

	private async openNotice(): Promise<void> {
		const notice = this.notice;
		if (!notice) {
			return;
		}
		if (notice.actions.length === 0) {
			this.clearNotice(undefined);
			return;
		}
		const picked = await vscode.window.showQuickPick([...notice.actions, 'Dismiss'], { title: notice.text });
		if (picked !== undefined && this.notice === notice) {
			this.clearNotice(picked === 'Dismiss' ? undefined : picked);
		}
	}

	private clearNotice(action: string | undefined): void {
		const notice = this.notice;
		this.notice = undefined;
		this.noticeItem.hide();
		notice?.choose(action);
	}
}

function showToast<T extends string>(severity: NoticeSeverity, text: string, actions: T[]): Thenable<T | undefined> {
	switch (severity) {
		case 'error':
			return vscode.window.showErrorMessage(text, ...actions);
		case 'warning':
			return vscode.window.showWarningMessage(text, ...actions);
		default:
			return vscode.window.showInformationMessage(text, ...actions);
	}
}

/** The status bar has little room: the first sentence, at most 60 characters. */
function shorten(text: string): string {
	// A sentence ends at a stop followed by a space (not inside "127.0.0.1" or "settings.json").
	const first = /^.*?[.?!](?=\s|$)/.exec(text)?.[0] ?? text;
	return first.length <= 60 ? first : `${first.slice(0, 59)}…`;
}
