import * as vscode from 'vscode';
import type { SelectionTarget } from './selectionTarget.js';
import type { VirtualDocuments } from './virtualDocuments.js';
import type { Notifier } from '../notifications/notifier.js';

/** Set while a proposed rewrite is open in the diff view, for the Accept/Reject buttons. */
const PROPOSAL_CONTEXT_KEY = 'hearth.proposalOpen';
/** Set while the open proposal came from the local model, for the diff's "Escalate" button. */
const LOCAL_PROPOSAL_CONTEXT_KEY = 'hearth.localProposalOpen';

interface Proposal {
	target: SelectionTarget;
	replacement: string;
	proposedUri: vscode.Uri;
	originalUri: vscode.Uri;
	/** The status bar message that says what is under review. */
	status: vscode.Disposable;
}

/** Where a proposal came from, for its messages, and what "Escalate…" does for it (local ones only). */
export interface ProposalSource {
	kind: 'refactor' | 'cleanup';
	by: string;
	footer: string;
	/** Offered as "Escalate…" beside Accept and Reject; absent for a frontier proposal or in Restricted Mode. */
	escalate?: () => Promise<void>;
}

/**
 * The one open proposed rewrite, from the local model or the frontier model alike: shown as a diff
 * against the selection in the editor group of the file it changes (no new group), with Accept and
 * Reject (and, for a local proposal, Escalate) in the editor title and as keys (Ctrl/Cmd+Enter,
 * Escape, while the diff has the focus). Nothing covers the diff: what the proposal is and how it was
 * made stays in the status bar while it is open. Accept applies it as one edit (one Undo reverts
 * it), Reject leaves the file untouched. If the document changed while the model was writing,
 * nothing is applied and the user is told.
 */
export class RewriteProposals implements vscode.Disposable {
	private proposal: Proposal | undefined;

	constructor(
		private readonly documents: VirtualDocuments,
		private readonly notifier: Notifier,
		private readonly log: vscode.LogOutputChannel,
	) {}

	/**
	 * Shows a proposed rewrite of `target` as a diff in the group of the file it changes, replacing any
	 * proposal still open. Accept or Reject come from the editor title or the keys; a proposal from the
	 * local model also offers "Escalate…" there, and its diff stays open until the frontier's proposal
	 * replaces it.
	 */
	async offer(target: SelectionTarget, replacement: string, how: ProposalSource): Promise<void> {
		await this.close();
		const what = how.kind === 'refactor' ? 'refactor' : 'clean-up';
		const id = `${Date.now()}`;
		const name = target.document.uri.path.split('/').pop() ?? 'selection';
		const originalUri = vscode.Uri.from({ scheme: this.documents.scheme, path: `/${name}`, query: `original-${id}` });
		const proposedUri = vscode.Uri.from({ scheme: this.documents.scheme, path: `/${name}`, query: `proposed-${id}` });
		this.documents.set(originalUri, target.text);
		this.documents.set(proposedUri, replacement);
		const keys = process.platform === 'darwin' ? { accept: '⌘Enter', reject: 'Esc' } : { accept: 'Ctrl+Enter', reject: 'Esc' };
		const status = vscode.window.setStatusBarMessage(
			`$(diff) Review the ${what}: Accept (${keys.accept}) or Reject (${keys.reject}) · ${how.footer}`,
		);
		this.proposal = { target, replacement, originalUri, proposedUri, status };
		await vscode.commands.executeCommand('setContext', PROPOSAL_CONTEXT_KEY, true);
		await vscode.commands.executeCommand('setContext', LOCAL_PROPOSAL_CONTEXT_KEY, Boolean(how.escalate));
		// Not a preview tab: it would replace the file's own tab if that is a preview (opened with one click).
		await vscode.commands.executeCommand('vscode.diff', originalUri, proposedUri, `${name}: ${what} proposed by ${how.by}`, {
			preview: false,
			viewColumn: groupOf(target.document),
		});
	}

	async accept(): Promise<void> {
		const proposal = this.proposal;
		if (!proposal) {
			return;
		}
		// Taken at once, so that a second Ctrl+Enter while the edit is applied finds nothing to accept.
		this.proposal = undefined;
		const { target } = proposal;
		const current = target.document.isClosed ? undefined : target.document.getText(target.range);
		if (target.document.version !== target.version && current !== target.text) {
			await this.closeDiff(proposal);
			void this.notifier.show('warning', `The code changed while the model was writing, so nothing was applied.`);
			return;
		}
		const edit = new vscode.WorkspaceEdit();
		edit.replace(target.document.uri, target.range, proposal.replacement);
		const applied = await vscode.workspace.applyEdit(edit);
		// The diff closes once the edit is in the file: the editor it gives way to shows the accepted
		// text, and a key pressed at once (Ctrl+Home) acts on it, not on the text before the edit.
		await this.closeDiff(proposal);
		if (!applied) {
			void this.notifier.show('error', 'VS Code refused the edit; the file is unchanged.');
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

	/** Closes the open proposal's diff, if any, without applying it. */
	async close(): Promise<void> {
		const proposal = this.proposal;
		this.proposal = undefined;
		await this.closeDiff(proposal);
	}

	private async closeDiff(proposal: Proposal | undefined): Promise<void> {
		await vscode.commands.executeCommand('setContext', PROPOSAL_CONTEXT_KEY, false);
		await vscode.commands.executeCommand('setContext', LOCAL_PROPOSAL_CONTEXT_KEY, false);
		if (!proposal) {
			return;
		}
		proposal.status.dispose();
		for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
			if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.proposedUri.toString()) {
				await vscode.window.tabGroups.close(tab);
			}
		}
		this.documents.delete(proposal.originalUri);
		this.documents.delete(proposal.proposedUri);
	}

	dispose(): void {
		void this.close();
	}
}

/** The editor group that shows `document` (the active one first), or the active group. */
function groupOf(document: vscode.TextDocument): vscode.ViewColumn {
	const editors = vscode.window.visibleTextEditors.filter((editor) => editor.document === document);
	const active = vscode.window.activeTextEditor;
	const editor = active?.document === document ? active : editors[0];
	return editor?.viewColumn ?? vscode.ViewColumn.Active;
}
