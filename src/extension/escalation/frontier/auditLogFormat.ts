import type { AuditEntry } from './auditEntry.js';

/**
 * The audit log as Markdown for the editor: totals first (what left the machine, in all), then one
 * table row per escalation, newest first.
 */
export function formatAuditLog(entries: readonly AuditEntry[]): string {
	const lines = ['# Hearth: frontier escalations', ''];
	if (entries.length === 0) {
		lines.push('No code has been sent to a frontier model.');
		return `${lines.join('\n')}\n`;
	}
	const sent = entries.filter((entry) => entry.outcome !== 'declined');
	const count = (outcome: AuditEntry['outcome']) => entries.filter((entry) => entry.outcome === outcome).length;
	const sum = (values: readonly (number | undefined)[]) => values.reduce<number>((total, value) => total + (value ?? 0), 0);
	const redacted = new Map<string, number>();
	for (const entry of sent) {
		for (const { kind, count: n } of entry.redactions) {
			redacted.set(kind, (redacted.get(kind) ?? 0) + n);
		}
	}
	lines.push(
		'## Totals',
		'',
		`- Escalations: ${entries.length} (${count('answered')} answered, ${count('failed')} failed, ${count('cancelled')} cancelled, ${count('declined')} declined at the preview)`,
		`- Sent: ${number(sum(sent.map((entry) => entry.charactersSent)))} characters, about ${number(sum(sent.map((entry) => entry.estimatedTokensSent)))} tokens (estimated)${reported(sent, 'promptTokens')}`,
		`- Received: ${number(sum(entries.map((entry) => entry.charactersReceived)))} characters${reported(entries, 'completionTokens')}`,
		`- Secrets redacted before sending: ${redacted.size === 0 ? 'none' : formatRedactions([...redacted].map(([kind, n]) => ({ kind, count: n })))}`,
		'',
		'## Escalations (newest first)',
		'',
		'| Time | Outcome | Task | File | Model | Endpoint | Sent | Received | Redacted | Attempts | Duration |',
		'| --- | --- | --- | --- | --- | --- | ---: | ---: | --- | ---: | ---: |',
	);
	const newestFirst = [...entries].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
	for (const entry of newestFirst) {
		const outcome = entry.error ? `${entry.outcome}: ${entry.error}` : entry.outcome;
		const sentCell = `${number(entry.charactersSent)} chars, ~${number(entry.estimatedTokensSent)} tok${entry.promptTokens === undefined ? '' : ` (${number(entry.promptTokens)} billed)`}`;
		const receivedCell = `${number(entry.charactersReceived)} chars${entry.completionTokens === undefined ? '' : `, ${number(entry.completionTokens)} tok`}`;
		const cells = [
			entry.time,
			outcome,
			entry.task,
			entry.file,
			entry.model,
			entry.endpoint,
			sentCell,
			receivedCell,
			formatRedactions(entry.redactions) || '—',
			String(entry.attempts),
			seconds(entry.durationMs),
		];
		lines.push(`| ${cells.map(cell).join(' | ')} |`);
	}
	return `${lines.join('\n')}\n`;
}

function reported(entries: readonly AuditEntry[], field: 'promptTokens' | 'completionTokens'): string {
	const known = entries.filter((entry) => entry[field] !== undefined);
	if (known.length === 0) {
		return '';
	}
	const total = known.reduce((sum, entry) => sum + entry[field]!, 0);
	return `; ${number(total)} tokens as reported by the servers${known.length < entries.length ? ` (for ${known.length} of ${entries.length})` : ''}`;
}

function formatRedactions(redactions: readonly { kind: string; count: number }[]): string {
	return redactions.map(({ kind, count }) => `${kind} ×${count}`).join(', ');
}

function number(value: number): string {
	return value.toLocaleString('en-US');
}

function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

/** A table cell: pipes escaped, line breaks flattened, so that no value can break the table. */
function cell(text: string): string {
	return text
		.replace(/\r?\n|\r/g, ' ')
		.replace(/\\/g, '\\\\')
		.replace(/\|/g, '\\|');
}
