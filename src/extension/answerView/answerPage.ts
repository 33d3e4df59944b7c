import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The answer view's page: a toolbar (Back, Forward, Stop, the answer's actions) over the answer.
 * Its script (media/answerView.js) is the only one allowed to run (by nonce); the answer's HTML,
 * which comes from a model, is sanitised there before it is shown, and may load nothing from the
 * network.
 */
export function answerPage(webview: vscode.Webview, media: vscode.Uri): string {
	const nonce = randomBytes(16).toString('base64');
	const source = webview.cspSource;
	const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'answerView.css'));
	const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'answerView.js'));
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${source}; font-src ${source}; img-src ${source} data:; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${css.toString()}">
<title>Hearth</title>
</head>
<body>
<nav class="toolbar" aria-label="Hearth answers">
<button id="back" title="Back (Alt+Left)" disabled>&larr; Back</button>
<button id="forward" title="Forward (Alt+Right)" disabled>Forward &rarr;</button>
<span id="position"></span>
<span class="spacer"></span>
<span id="actions"></span>
<button id="stop" class="stop" title="Stop the model" hidden>Stop</button>
</nav>
<main id="answer" tabindex="0"><p class="waiting">Waiting for an answer…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/** Text as HTML that shows exactly that text. */
export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
