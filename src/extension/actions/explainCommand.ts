import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { AnswerAction, AnswerView } from '../answerView/answerView.js';
import type { Notifier } from '../notifications/notifier.js';
import { answerFooter, runActionWithProgress } from './runActionWithProgress.js';
import { selectionTarget } from './selectionTarget.js';
import type { LocalResultEscalation } from './localResultEscalation.js';
import { ASK_FRONTIER, chooseLocalChatModel, localChatModelLabel } from './localChatOffer.js';

/**
 * Explain: the answer streams into the Hearth answer view beside the editor (Markdown, code blocks
 * highlighted), replacing what it showed (Back brings that back). The view's Stop button, or the
 * status bar item while it runs, stops the model at once; what was written stays. A finished answer
 * offers "Escalate…" under it, to hand it to the frontier model, except in Restricted Mode.
 */
export class ExplainCommand {
	constructor(
		private readonly client: LanguageClient,
		private readonly answers: AnswerView,
		private readonly notifier: Notifier,
		private readonly log: vscode.LogOutputChannel,
		private readonly escalation: LocalResultEscalation,
	) {}

	async run(): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		if (!editor) {
			void this.notifier.show('info', 'Open a file and select the code to explain.');
			return;
		}
		const target = await selectionTarget(editor);
		if (typeof target === 'string') {
			void this.notifier.show('warning', target);
			return;
		}
		const name = editor.document.uri.path.split('/').pop() ?? 'code';
		const heading = `# Explanation of ${target.description} in \`${name}\` (lines ${target.range.start.line + 1}–${target.range.end.line + 1})\n\n`;
		const stop = new vscode.CancellationTokenSource();
		const answer = this.answers.open({
			title: `Explain ${name}:${target.range.start.line + 1}`,
			format: 'markdown',
			content: `${heading}*Thinking…*\n`,
			stop: () => stop.cancel(),
		});
		let latest = '';
		const request = {
			kind: 'explain',
			code: target.text,
			languageId: editor.document.languageId,
			filePath: vscode.workspace.asRelativePath(editor.document.uri),
		} as const;
		const run = await runActionWithProgress(
			this.client,
			request,
			{ title: `Hearth is explaining ${target.description}…`, notifier: this.notifier, stop: stop.token },
			(text) => {
				latest = text;
				answer.update(`${heading}${text}\n`);
			},
		);
		stop.dispose();
		switch (run.outcome) {
			case 'done': {
				if (run.result.route?.via === 'unavailable') {
					const offers: AnswerAction[] = [{ label: localChatModelLabel(), run: () => chooseLocalChatModel() }];
					if (vscode.workspace.isTrusted) {
						offers.push({ label: ASK_FRONTIER, run: () => this.escalation.escalate(request, target) });
					}
					answer.finish(`${heading}*No local model can explain code: ${run.result.route.reason}.*\n`, offers);
					return;
				}
				const actions: AnswerAction[] = [];
				if (vscode.workspace.isTrusted) {
					// Not good enough? The frontier's answer replaces this one in the view; Back compares them.
					const task = { ...request, localAnswer: { model: run.result.model, text: run.result.text } };
					this.escalation.remember(task, target);
					actions.push({ label: 'Escalate…', run: () => this.escalation.escalate(task, target) });
				}
				const unsure = run.result.confidence?.unsure
					? `*The local model was unsure of this answer${actions.length > 0 ? ': Escalate… asks the frontier model' : ''}.*\n\n`
					: '';
				if (run.result.docComment) {
					// A base completion model documents code rather than explaining it; say so, not "explanation".
					const docHeading = `# Generated doc comment for ${target.description} in \`${name}\` (lines ${target.range.start.line + 1}–${target.range.end.line + 1})\n\n`;
					const body =
						run.result.docComment.comment === ''
							? '*The model wrote no doc comment for this code.*\n'
							: `*${run.result.model} is a base completion model: this is the doc comment it would write above the code, not an explanation. Choose a chat model with “Hearth: Choose Model” for explanations.*\n\n${run.result.text}\n`;
					answer.finish(`${docHeading}${unsure}${body}\n---\n*${answerFooter(run.result)}*\n`, actions);
					this.log.info(`Explain (doc comment): ${answerFooter(run.result)}`);
					return;
				}
				answer.finish(`${heading}${unsure}${run.result.text}\n\n---\n*${answerFooter(run.result)}*\n`, actions);
				this.log.info(`Explain: ${answerFooter(run.result)}`);
				return;
			}
			case 'stopped':
				// Say it ended early: what shows is the start of an answer, not a whole one.
				answer.finish(`${heading}${latest}\n\n---\n*${stoppedFooter(latest)}*\n`);
				this.log.info(`Explain: ${stoppedFooter(latest)}`);
				return;
			case 'failed':
				answer.finish(`${heading}${latest}\n\n---\n*The model could not answer: ${run.message}*\n`);
				this.log.error(`Explain failed: ${run.message}`);
				this.notifier.say(`The explanation failed: ${run.message}`);
				return;
		}
	}
}

/** "Stopped: the answer ended early, after 1,234 characters." (blank lines and spaces around it not counted) */
export function stoppedFooter(textSoFar: string): string {
	const shown = textSoFar.trim();
	return shown === ''
		? 'Stopped before the model wrote anything.'
		: `Stopped: the answer ended early, after ${shown.length.toLocaleString('en-US')} characters.`;
}
