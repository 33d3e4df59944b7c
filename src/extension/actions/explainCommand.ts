import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { answerFooter, runActionWithProgress } from './runActionWithProgress.js';
import { selectionTarget } from './selectionTarget.js';
import type { LocalResultEscalation } from './localResultEscalation.js';
import type { VirtualDocuments } from './virtualDocuments.js';

/**
 * Explain: the answer streams into VS Code's Markdown preview beside the editor (code blocks
 * highlighted as in any Markdown file), from a read-only document that is never saved. The
 * notification's Stop button (or closing it) stops the model at once; what was written stays. A
 * finished answer can be handed to the frontier model ("Escalate…"), except in Restricted Mode.
 */
export class ExplainCommand {
	constructor(
		private readonly client: LanguageClient,
		private readonly answers: VirtualDocuments,
		private readonly log: vscode.LogOutputChannel,
		private readonly escalation: LocalResultEscalation,
	) {}

	async run(): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		if (!editor) {
			void vscode.window.showInformationMessage('Hearth: open a file and select code to explain.');
			return;
		}
		const target = await selectionTarget(editor);
		if (typeof target === 'string') {
			void vscode.window.showWarningMessage(`Hearth: ${target}`);
			return;
		}
		const name = editor.document.uri.path.split('/').pop() ?? 'code';
		const uri = vscode.Uri.from({
			scheme: this.answers.scheme,
			path: `/Explain ${name}:${target.range.start.line + 1}.md`,
			query: String(Date.now()),
		});
		const heading = `# Explanation of ${target.description} in \`${name}\` (lines ${target.range.start.line + 1}–${target.range.end.line + 1})\n\n`;
		this.answers.set(uri, `${heading}*Thinking…*\n`);
		// Loaded before the preview opens, so that no streamed change can arrive while it is still loading.
		await vscode.workspace.openTextDocument(uri);
		await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
		let latest = '';
		const request = {
			kind: 'explain',
			code: target.text,
			languageId: editor.document.languageId,
			filePath: vscode.workspace.asRelativePath(editor.document.uri),
		} as const;
		const run = await runActionWithProgress(this.client, request, `Hearth is explaining ${target.description}…`, (text) => {
			latest = text;
			this.answers.set(uri, `${heading}${text}\n`);
		});
		switch (run.outcome) {
			case 'done':
				this.answers.set(uri, `${heading}${run.result.text}\n\n---\n*${answerFooter(run.result)}*\n`);
				this.log.info(`Explain: ${answerFooter(run.result)}`);
				if (vscode.workspace.isTrusted) {
					// The local answer stays open; the frontier's opens beside it, for comparison.
					const task = { ...request, localAnswer: { model: run.result.model, text: run.result.text } };
					this.escalation.remember(task, target);
					void vscode.window
						.showInformationMessage(
							`Hearth: ${run.result.model} explained ${target.description}. Not good enough? Escalate sends it, with this answer, to the frontier model (after a preview).`,
							'Escalate…',
						)
						.then((choice) => {
							if (choice === 'Escalate…') {
								void this.escalation.escalate(task, target);
							}
						});
				}
				return;
			case 'stopped':
				this.answers.set(uri, `${heading}${latest}\n\n---\n*Stopped.*\n`);
				return;
			case 'failed':
				this.answers.set(uri, `${heading}${latest}\n\n---\n*The model could not answer: ${run.message}*\n`);
				void vscode.window.showErrorMessage(`Hearth: explain failed. ${run.message}`);
				return;
		}
	}
}
