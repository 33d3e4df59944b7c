import * as vscode from 'vscode';
import type { VirtualDocuments } from '../actions/virtualDocuments.js';
import type { SelectionTarget } from '../actions/selectionTarget.js';
import type { EscalationTask } from './frontier/escalationTask.js';
import { RenderThrottle } from './frontier/renderThrottle.js';

/**
 * The frontier model's answer, streamed into a read-only Markdown document shown in VS Code's
 * Markdown preview — the same kind of panel as local answers. It opens beside the active editor, so
 * after a local explanation the two answers stand side by side. While the answer streams, the
 * document is re-rendered a few times a second (RenderThrottle), not once per chunk.
 */
export class FrontierAnswerPanel {
	private readonly uri: vscode.Uri;
	private readonly heading: string;
	private readonly throttle = new RenderThrottle<string>((text) => this.documents.set(this.uri, `${this.heading}${text}\n`));

	constructor(
		private readonly documents: VirtualDocuments,
		task: EscalationTask,
		target: SelectionTarget,
		model: string,
	) {
		const name = target.document.uri.path.split('/').pop() ?? 'code';
		const lines = `lines ${target.range.start.line + 1}–${target.range.end.line + 1}`;
		this.uri = vscode.Uri.from({
			scheme: documents.scheme,
			path: `/Frontier ${name}:${target.range.start.line + 1}.md`,
			query: String(Date.now()),
		});
		const question = task.question ? `\n\n> ${task.question.replace(/\n/g, '\n> ')}` : '';
		const comparing = task.localAnswer ? `\n\n*Asked with the local answer of ${task.localAnswer.model} for comparison.*` : '';
		this.heading = `# ${model} on ${target.description} in \`${name}\` (${lines})${question}${comparing}\n\n`;
	}

	async open(): Promise<void> {
		this.documents.set(this.uri, `${this.heading}*Waiting for the first words…*\n`);
		// Loaded before the preview opens: a change fired while VS Code is still loading the document
		// is lost, and a fast answer could otherwise leave the preview on "Waiting…" for good.
		await vscode.workspace.openTextDocument(this.uri);
		await vscode.commands.executeCommand('markdown.showPreviewToSide', this.uri);
	}

	/** The answer so far: shown now, or with the next render if one was just made. */
	show(text: string): void {
		this.throttle.update(text);
	}

	finish(text: string, footer: string): void {
		this.throttle.cancel();
		this.documents.set(this.uri, `${this.heading}${text}\n\n---\n*${footer}*\n`);
	}
}
