import * as vscode from 'vscode';
import type { SelectionTarget } from './selectionTarget.js';
import type { VirtualDocuments } from './virtualDocuments.js';

/** Set while a proposed rewrite is open in the diff view, for the Accept/Reject buttons. */
const PROPOSAL_CONTEXT_KEY = 'hearth.proposalOpen';
/** Set while the open proposal came from the local model, for the diff's "Escalate" button. */
const LOCAL_PROPOSAL_CONTEXT_KEY = 'hearth.localProposalOpen';

interface Proposal {
	target: SelectionTarget;
	replacement: string;
	proposedUri: vscode.Uri;
	originalUri: vscode.Uri;
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
 * against the selection; Accept applies it as one edit (one Undo reverts it), Reject leaves the file
 * untouched. If the document changed while the model was writing, nothing is applied and the user is
 * told.
 */
export class RewriteProposals implements vscode.Disposable {
	private proposal: Proposal | undefined;

	constructor(
		private readonly documents: VirtualDocuments,
		private readonly log: vscode.LogOutputChannel,
	) {}

	/**
	 * Shows a proposed rewrite of `target` as a diff beside the editor and asks Accept or Reject (in a
	 * notification and in the diff's title bar), replacing any proposal still open. A proposal from
	 * the local model also offers "Escalate…"; the local diff stays open until the frontier's
	 * proposal replaces it.
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
		this.proposal = { target, replacement, originalUri, proposedUri };
		await vscode.commands.executeCommand('setContext', PROPOSAL_CONTEXT_KEY, true);
		await vscode.commands.executeCommand('setContext', LOCAL_PROPOSAL_CONTEXT_KEY, Boolean(how.escalate));
		await vscode.commands.executeCommand(
			'vscode.diff',
			originalUri,
			proposedUri,
			`${name}: ${what} proposed by ${how.by} (Accept or Reject)`,
			{ preview: true, viewColumn: vscode.ViewColumn.Beside },
		);
		const buttons = how.escalate ? ['Accept', 'Reject', 'Escalate…'] : ['Accept', 'Reject'];
		const choice = await vscode.window.showInformationMessage(
			`Hearth: apply the ${what} of ${target.description}? (${how.footer})`,
			...buttons,
		);
		if (this.proposal?.proposedUri !== proposedUri) {
			return; // answered from the editor title buttons, or replaced by a newer proposal
		}
		if (choice === 'Escalate…' && how.escalate) {
			await how.escalate();
			return;
		}
		await (choice === 'Accept' ? this.accept() : this.reject());
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

	/** Closes the open proposal's diff, if any, without applying it. */
	async close(): Promise<void> {
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

	dispose(): void {
		void this.close();
	}
}
