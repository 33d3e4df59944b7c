import type { AnswerView } from '../answerView/answerView.js';
import { formatAuditLog, type AuditLog } from './frontier/auditLog.js';

/**
 * "Show Escalation Log": every escalation this machine made (or declined), newest first, from the
 * local audit file, in the Hearth answer view. It holds no code and no keys, only what was sent where.
 */
export async function showEscalationLog(audit: AuditLog, filePath: string, answers: AnswerView): Promise<void> {
	const { entries, unreadableLines } = await audit.read();
	const unreadable =
		unreadableLines > 0
			? ` ${unreadableLines} line${unreadableLines === 1 ? '' : 's'} of it could not be read and ${unreadableLines === 1 ? 'is' : 'are'} left out.`
			: '';
	answers.open({
		title: 'Escalation log',
		format: 'markdown',
		content: `${formatAuditLog(entries)}\n---\n*Kept on this machine only, in \`${filePath}\`.${unreadable}*\n`,
	});
}
