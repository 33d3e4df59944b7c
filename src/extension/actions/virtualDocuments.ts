import * as vscode from 'vscode';

/**
 * Read-only documents that live only in the editor: the two sides of a proposed rewrite (shown in the
 * diff view). Nothing is written to disk, and closing them asks no "save changes?" question.
 */
export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
	private readonly texts = new Map<string, string>();
	private readonly changes = new vscode.EventEmitter<vscode.Uri>();
	readonly onDidChange = this.changes.event;
	private readonly registration: vscode.Disposable;

	constructor(readonly scheme: string) {
		this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
	}

	provideTextDocumentContent(uri: vscode.Uri): string {
		return this.texts.get(uri.toString()) ?? '';
	}

	/** Sets a document's text; an open editor or preview of it updates. */
	set(uri: vscode.Uri, text: string): void {
		this.texts.set(uri.toString(), text);
		this.changes.fire(uri);
	}

	delete(uri: vscode.Uri): void {
		this.texts.delete(uri.toString());
	}

	dispose(): void {
		this.registration.dispose();
		this.changes.dispose();
		this.texts.clear();
	}
}
