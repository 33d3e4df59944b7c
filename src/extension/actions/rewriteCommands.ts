import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { answerFooter, runActionWithProgress } from './runActionWithProgress.js';
import { selectionTarget, type SelectionTarget } from './selectionTarget.js';
import type { EscalationTask } from '../escalation/frontier/escalationTask.js';
import type { VirtualDocuments } from './virtualDocuments.js';

const HISTORY_KEY = 'hearth.refactor.recentInstructions';
const HISTORY_LENGTH = 10;
/** Set while a proposed rewrite is open in the diff view, for the Accept/Reject buttons. */
const PROPOSAL_CONTEXT_KEY = 'hearth.proposalOpen';
/** Set while the open proposal came from the local model, for the diff's "Escalate" button. */
const LOCAL_PROPOSAL_CONTEXT_KEY = 'hearth.localProposalOpen';

/** How local results reach the frontier model (the escalation commands). */
export interface LocalResultEscalation {
	/** Sends the task now (after its preview). */
	escalate(task: EscalationTask, target: SelectionTarget): Promise<void>;
	/** Keeps the task as the "last local answer", for the palette and the diff's title-bar button. */
	remember(task: EscalationTask, target: SelectionTarget): void;
}

interface Proposal {
	target: SelectionTarget;
	replacement: string;
	proposedUri: vscode.Uri;
	originalUri: vscode.Uri;
}

/**
 * Refactor… and Clean Up Docs: the model's rewrite is shown as a diff against the selection; Accept
 * applies it as one edit (one Undo reverts it), Reject leaves the file untouched. If the document
 * changed while the model was writing, nothing is applied and the user is told. A clean-up that
 * touches code outside comments is refused before any diff is shown.
 */
export class RewriteCommands implements vscode.Disposable {
	private proposal: Proposal | undefined;
	/** Set once the escalation commands exist; without it no "Escalate…" is offered. */
	escalation: LocalResultEscalation | undefined;

	constructor(
		private readonly client: LanguageClient,
		private readonly documents: VirtualDocuments,
		private readonly state: vscode.Memento,
		private readonly log: vscode.LogOutputChannel,
	) {}

	async refactor(): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		const target = editor && (await selectionTarget(editor));
		if (!editor || typeof target !== 'object') {
			void vscode.window.showWarningMessage(
				`Hearth: ${typeof target === 'string' ? target : 'open a file and select code to refactor.'}`,
			);
			return;
		}
		const instruction = await this.askInstruction();
		if (!instruction) {
			return;
		}
		await this.rewrite(editor, target, 'refactor', instruction);
	}

	async cleanUpDocs(): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		const target = editor && (await selectionTarget(editor));
		if (!editor || typeof target !== 'object') {
			void vscode.window.showWarningMessage(
				`Hearth: ${typeof target === 'string' ? target : 'open a file and select code whose comments to clean up.'}`,
			);
			return;
		}
		await this.rewrite(editor, target, 'cleanup');
	}

	async accept(): Promise<void> {
		const proposal = this.proposal;
		if (!proposal) {
			return;
		}
		await this.close();
		const { target } = proposal;
		const current = target.document.isClosed ? undefined : target.document.getText(target.range);
		if (target.document.version !== target.version && current !== target.text) {
			void vscode.window.showWarningMessage(
				`Hearth: ${target.description} changed while the model was writing; nothing was applied.`,
			);
			return;
		}
		const edit = new vscode.WorkspaceEdit();
		edit.replace(target.document.uri, target.range, proposal.replacement);
		if (!(await vscode.workspace.applyEdit(edit))) {
			void vscode.window.showErrorMessage('Hearth: VS Code refused the edit; the file is unchanged.');
			return;
		}
		this.log.info(`Applied the rewrite of ${target.description} in ${target.document.uri.fsPath}.`);
	}

	async reject(): Promise<void> {
		if (this.proposal) {
			this.log.info(`Rejected the rewrite of ${this.proposal.target.description}.`);
		}
		await this.close();
	}

	dispose(): void {
		void this.close();
	}

	private async rewrite(
		editor: vscode.TextEditor,
		target: SelectionTarget,
		kind: 'refactor' | 'cleanup',
		instruction?: string,
	): Promise<void> {
		await this.close();
		const what = kind === 'refactor' ? `Refactoring ${target.description}` : `Cleaning up the comments of ${target.description}`;
		const run = await runActionWithProgress(
			this.client,
			{
				kind,
				code: target.text,
				languageId: editor.document.languageId,
				filePath: vscode.workspace.asRelativePath(editor.document.uri),
				instruction,
			},
			`Hearth: ${what}…`,
			() => undefined,
		);
		if (run.outcome === 'stopped') {
			return;
		}
		if (run.outcome === 'failed') {
			void vscode.window.showErrorMessage(`Hearth: ${kind === 'refactor' ? 'refactor' : 'clean-up'} failed. ${run.message}`);
			return;
		}
		const { result } = run;
		this.log.info(`${kind}: ${answerFooter(result)}`);
		const task: EscalationTask = {
			kind,
			code: target.text,
			languageId: editor.document.languageId,
			filePath: vscode.workspace.asRelativePath(editor.document.uri),
			question: instruction,
			localAnswer: { model: result.model, text: result.proposal ?? result.text },
		};
		if (result.proposal === undefined || result.proposal === target.text) {
			this.offerEscalation(
				vscode.window.showInformationMessage(
					`Hearth: the model proposed no change to ${target.description}.`,
					...this.escalateButton(),
				),
				task,
				target,
			);
			return;
		}
		if (result.commentOnly && !result.commentOnly.ok) {
			this.offerEscalation(
				vscode.window.showWarningMessage(
					`Hearth: the clean-up was not offered because ${result.commentOnly.reason}. Nothing was changed.`,
					...this.escalateButton(),
				),
				task,
				target,
			);
			return;
		}
		await this.offer(target, result.proposal, { kind, by: result.model, footer: answerFooter(result), escalation: task });
	}

	/**
	 * Shows a proposed rewrite of `target` as a diff beside the editor and asks Accept or Reject (in a
	 * notification and in the diff's title bar). A proposal from the local model also offers
	 * "Escalate…", which hands the same task, with the local proposal for comparison, to the frontier
	 * model; the local diff stays open until the frontier's proposal replaces it.
	 */
	async offer(
		target: SelectionTarget,
		replacement: string,
		how: { kind: 'refactor' | 'cleanup'; by: string; footer: string; escalation?: EscalationTask },
	): Promise<void> {
		await this.close();
		const what = how.kind === 'refactor' ? 'refactor' : 'clean-up';
		const id = `${Date.now()}`;
		const name = target.document.uri.path.split('/').pop() ?? 'selection';
		const originalUri = vscode.Uri.from({ scheme: this.documents.scheme, path: `/${name}`, query: `original-${id}` });
		const proposedUri = vscode.Uri.from({ scheme: this.documents.scheme, path: `/${name}`, query: `proposed-${id}` });
		this.documents.set(originalUri, target.text);
		this.documents.set(proposedUri, replacement);
		this.proposal = { target, replacement, originalUri, proposedUri };
		const escalation = how.escalation && vscode.workspace.isTrusted ? this.escalation : undefined;
		await vscode.commands.executeCommand('setContext', PROPOSAL_CONTEXT_KEY, true);
		await vscode.commands.executeCommand('setContext', LOCAL_PROPOSAL_CONTEXT_KEY, Boolean(escalation));
		if (how.escalation && escalation) {
			escalation.remember(how.escalation, target);
		}
		await vscode.commands.executeCommand(
			'vscode.diff',
			originalUri,
			proposedUri,
			`${name}: ${what} proposed by ${how.by} (Accept or Reject)`,
			{ preview: true, viewColumn: vscode.ViewColumn.Beside },
		);
		const buttons = escalation ? ['Accept', 'Reject', 'Escalate…'] : ['Accept', 'Reject'];
		const choice = await vscode.window.showInformationMessage(
			`Hearth: apply the ${what} of ${target.description}? (${how.footer})`,
			...buttons,
		);
		if (this.proposal?.proposedUri !== proposedUri) {
			return; // answered from the editor title buttons, or replaced by a newer proposal
		}
		if (choice === 'Escalate…' && how.escalation && escalation) {
			await escalation.escalate(how.escalation, target);
			return;
		}
		await (choice === 'Accept' ? this.accept() : this.reject());
	}

	private escalateButton(): string[] {
		// Restricted Mode: nothing may leave the machine, so nothing offers to send it.
		return this.escalation && vscode.workspace.isTrusted ? ['Escalate…'] : [];
	}

	/** A local result that offers nothing to apply can still be handed to the frontier model. */
	private offerEscalation(choice: Thenable<string | undefined>, task: EscalationTask, target: SelectionTarget): void {
		this.escalation?.remember(task, target);
		void choice.then((picked) => {
			if (picked === 'Escalate…') {
				void this.escalation?.escalate(task, target);
			}
		});
	}

	private async close(): Promise<void> {
		const proposal = this.proposal;
		this.proposal = undefined;
		await vscode.commands.executeCommand('setContext', PROPOSAL_CONTEXT_KEY, false);
		await vscode.commands.executeCommand('setContext', LOCAL_PROPOSAL_CONTEXT_KEY, false);
		if (!proposal) {
			return;
		}
		for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
			if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.proposedUri.toString()) {
				await vscode.window.tabGroups.close(tab);
			}
		}
		this.documents.delete(proposal.originalUri);
		this.documents.delete(proposal.proposedUri);
	}

	/** An instruction, typed or picked from the recent ones (kept per machine). */
	private async askInstruction(): Promise<string | undefined> {
		const recent = this.state.get<string[]>(HISTORY_KEY, []);
		const quickPick = vscode.window.createQuickPick();
		quickPick.title = 'Hearth: Refactor — what should change?';
		quickPick.placeholder = 'e.g. "use async/await", "extract a helper", "simplify the loop"';
		const recentItems = recent.map((label) => ({ label, description: 'recent' }));
		quickPick.items = recentItems;
		// What is typed is the first item, so Enter takes it rather than a recent one it resembles.
		quickPick.onDidChangeValue((value) => {
			quickPick.items =
				value.trim() && !recent.includes(value.trim())
					? [{ label: value.trim(), description: 'new' }, ...recentItems]
					: recentItems;
		});
		quickPick.show();
		const answer = await new Promise<string | undefined>((resolve) => {
			quickPick.onDidAccept(() => resolve((quickPick.selectedItems[0]?.label ?? quickPick.value).trim() || undefined));
			quickPick.onDidHide(() => resolve(undefined));
		});
		quickPick.dispose();
		if (answer) {
			await this.state.update(HISTORY_KEY, [answer, ...recent.filter((item) => item !== answer)].slice(0, HISTORY_LENGTH));
		}
		return answer;
	}
}
