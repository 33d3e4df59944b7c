import * as vscode from 'vscode';
import { HEARTH_IGNORE_FILE, isExcludedFromEscalation } from './exclusion/index.js';
import { endpointOrigin, type EscalationSettings } from './escalationSettings.js';

export type GateVerdict =
	{ open: true; origin: string; chatCompletionsUrl: string } | { open: false; message: string; openSettings?: boolean };

/**
 * The checks that come before anything is built or shown, let alone sent: the workspace is trusted,
 * the endpoint is a usable URL, and the file is not excluded by the user's globs, the workspace's
 * `.hearthignore` or the built-in list of secret files.
 */
export async function checkEscalationAllowed(document: vscode.TextDocument, settings: EscalationSettings): Promise<GateVerdict> {
	if (!vscode.workspace.isTrusted) {
		return {
			open: false,
			message:
				'Escalation is disabled in Restricted Mode. Trust this workspace to send code to a frontier model; local actions keep working.',
		};
	}
	const endpoint = endpointOrigin(settings.baseUrl);
	if ('problem' in endpoint) {
		return { open: false, message: endpoint.problem, openSettings: true };
	}
	if (!settings.model) {
		return {
			open: false,
			message: 'Set hearth.escalation.model to the frontier model to ask (for example gpt-4.1).',
			openSettings: true,
		};
	}
	const folder = vscode.workspace.getWorkspaceFolder(document.uri);
	const relativePath = folder
		? vscode.workspace.asRelativePath(document.uri, false)
		: document.uri.scheme === 'file'
			? document.uri.fsPath
			: document.uri.path;
	const exclusion = isExcludedFromEscalation(relativePath, {
		userGlobs: settings.exclude,
		ignoreFileText: folder && (await readIgnoreFile(folder)),
		ignoreCase: process.platform === 'win32' || process.platform === 'darwin',
		fileText: document.getText(),
	});
	if (exclusion.excluded) {
		return {
			open: false,
			message: `${relativePath} may not leave this machine (${exclusion.reason ?? 'excluded'}). Nothing was sent.`,
		};
	}
	return { open: true, origin: endpoint.origin, chatCompletionsUrl: `${settings.baseUrl.replace(/\/+$/, '')}/chat/completions` };
}

/** The workspace folder's `.hearthignore`, when it has one. */
async function readIgnoreFile(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
	try {
		return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, HEARTH_IGNORE_FILE)));
	} catch {
		return undefined;
	}
}
