import * as vscode from 'vscode';
import type { VirtualDocuments } from '../actions/virtualDocuments.js';
import { formatAuditLog, type AuditLog } from './frontier/auditLog.js';

/**
 * "Show Escalation Log": every escalation this machine made (or declined), newest first, from the
 * local audit file, in the Markdown preview. It holds no code and no keys, only what was sent where.
 */
export async function showEscalationLog(audit: AuditLog, filePath: string, documents: VirtualDocuments): Promise<void> {
	const { entries, unreadableLines } = await audit.read();
	const unreadable =
		unreadableLines > 0
			? ` ${unreadableLines} line${unreadableLines === 1 ? '' : 's'} of it could not be read and ${unreadableLines === 1 ? 'is' : 'are'} left out.`
			: '';
	const uri = vscode.Uri.from({ scheme: documents.scheme, path: '/Hearth escalation log.md', query: String(Date.now()) });
	documents.set(uri, `${formatAuditLog(entries)}\n---\n*Kept on this machine only, in \`${filePath}\`.${unreadable}*\n`);
	await vscode.workspace.openTextDocument(uri);
	await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
}
