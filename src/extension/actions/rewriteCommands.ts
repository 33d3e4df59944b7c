import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { EscalationTask } from '../escalation/frontier/escalationTask.js';
import type { Notifier } from '../notifications/notifier.js';
import type { LocalResultEscalation } from './localResultEscalation.js';
import type { RewriteProposals } from './rewriteProposals.js';
import { ASK_FRONTIER, chooseLocalChatModel, unavailableOffers } from './localChatOffer.js';
import { answerFooter, runActionWithProgress } from './runActionWithProgress.js';
import { selectionTarget, type SelectionTarget } from './selectionTarget.js';

const HISTORY_KEY = 'hearth.refactor.recentInstructions';
const HISTORY_LENGTH = 10;

/**
 * Refactor… and Clean Up Docs with the local model: the model's rewrite goes to the proposals (a
 * diff in the editor's own group, to accept or reject). While the model writes, the status bar says
 * so (a click stops it). A clean-up that touches code outside comments is refused before any
 * diff is shown. Every local result can be handed to the frontier model ("Escalate…"), except in
 * Restricted Mode, where nothing may leave the machine and so nothing offers to send it.
 */
export class RewriteCommands {
	constructor(
		private readonly client: LanguageClient,
		private readonly proposals: RewriteProposals,
		private readonly state: vscode.Memento,
		private readonly notifier: Notifier,
		private readonly log: vscode.LogOutputChannel,
		private readonly escalation: LocalResultEscalation,
	) {}

	async refactor(): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		const target = editor && (await selectionTarget(editor));
		if (!editor || typeof target !== 'object') {
			void this.notifier.show('warning', typeof target === 'string' ? target : 'Open a file and select the code to refactor.');
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
			void this.notifier.show(
				'warning',
				typeof target === 'string' ? target : 'Open a file and select the code whose comments to clean up.',
			);
			return;
		}
		await this.rewrite(editor, target, 'cleanup');
	}

	private async rewrite(
		editor: vscode.TextEditor,
		target: SelectionTarget,
		kind: 'refactor' | 'cleanup',
		instruction?: string,
	): Promise<void> {
		await this.proposals.close();
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
			{ title: `Hearth: ${what}…`, notifier: this.notifier },
			() => undefined,
		);
		if (run.outcome === 'stopped') {
			return;
		}
		if (run.outcome === 'failed') {
			this.log.error(`${kind} failed: ${run.message}`);
			void this.notifier.show('error', `The ${kind === 'refactor' ? 'refactor' : 'clean-up'} failed: ${run.message}`);
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
		if (result.route?.via === 'unavailable') {
			// Nothing local could do it: a local chat model could, and the frontier model may (after its preview).
			const frontierTask = { ...task, localAnswer: undefined };
			this.escalation.remember(frontierTask, target);
			void this.notifier
				.show('info', `No local model can do this: ${result.route.reason}.`, ...unavailableOffers())
				.then((picked) => {
					if (picked === ASK_FRONTIER) {
						void this.escalation.escalate(frontierTask, target);
					} else if (picked !== undefined) {
						void chooseLocalChatModel();
					}
				});
			return;
		}
		if (result.refused) {
			this.offerEscalation(
				this.notifier.show(
					'warning',
					`The ${kind === 'refactor' ? 'refactor' : 'clean-up'} was not offered because ${result.refused}. Nothing was changed.`,
					...this.escalateButton(),
				),
				task,
				target,
			);
			return;
		}
		if (result.proposal === undefined || result.proposal === target.text) {
			this.offerEscalation(
				this.notifier.show('info', `${result.model} proposed no change to ${target.description}.`, ...this.escalateButton()),
				task,
				target,
			);
			return;
		}
		if (result.commentOnly && !result.commentOnly.ok) {
			this.offerEscalation(
				this.notifier.show(
					'warning',
					`The clean-up was not offered because ${result.commentOnly.reason}. Nothing was changed.`,
					...this.escalateButton(),
				),
				task,
				target,
			);
			return;
		}
		await this.proposals.offer(target, result.proposal, {
			kind,
			by: result.model,
			footer: answerFooter(result),
			escalate: this.localProposalEscalation(task, target),
		});
	}

	/**
	 * "Escalate…" for a local proposal, which hands the same task, with the local proposal for
	 * comparison, to the frontier model; remembered for the palette and the diff's title-bar button.
	 */
	private localProposalEscalation(task: EscalationTask, target: SelectionTarget): (() => Promise<void>) | undefined {
		if (!vscode.workspace.isTrusted) {
			return undefined;
		}
		this.escalation.remember(task, target);
		return () => this.escalation.escalate(task, target);
	}

	private escalateButton(): 'Escalate…'[] {
		// Restricted Mode: nothing may leave the machine, so nothing offers to send it.
		return vscode.workspace.isTrusted ? ['Escalate…'] : [];
	}

	/** A local result that offers nothing to apply can still be handed to the frontier model. */
	private offerEscalation(choice: Thenable<string | undefined>, task: EscalationTask, target: SelectionTarget): void {
		this.escalation.remember(task, target);
		void choice.then((picked) => {
			if (picked === 'Escalate…') {
				void this.escalation.escalate(task, target);
			}
		});
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
