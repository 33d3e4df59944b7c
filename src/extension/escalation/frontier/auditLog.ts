import fs from 'node:fs/promises';
import path from 'node:path';
import { auditRecord, isAuditEntry, type AuditEntry } from './auditEntry.js';

export type { AuditEntry } from './auditEntry.js';
export { formatAuditLog } from './auditLogFormat.js';

/**
 * The record of every escalation, as JSON Lines in a file of the extension's global storage: one
 * line per entry, appended, never rewritten. Appends through one AuditLog run one at a time and each
 * writes its line with a single append-mode write, so lines do not interleave (the operating system
 * appends each write whole at the end of the file, also between two editor windows).
 */
export class AuditLog {
	private queue: Promise<void> = Promise.resolve();

	constructor(private readonly filePath: string) {}

	append(entry: AuditEntry): Promise<void> {
		const line = `${JSON.stringify(auditRecord(entry))}\n`;
		const appended = this.queue.then(() => this.write(line));
		// The next append waits for this one, failed or not; this caller sees the failure.
		this.queue = appended.catch(() => undefined);
		return appended;
	}

	/** Every readable entry, oldest first; lines that are not an entry (a write cut short by a crash, a hand edit) are counted and skipped. */
	async read(): Promise<{ entries: AuditEntry[]; unreadableLines: number }> {
		await this.queue;
		let text: string;
		try {
			text = await fs.readFile(this.filePath, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
				return { entries: [], unreadableLines: 0 };
			}
			throw error;
		}
		const entries: AuditEntry[] = [];
		let unreadableLines = 0;
		for (const line of text.split('\n')) {
			if (line.trim() === '') {
				continue;
			}
			try {
				const parsed: unknown = JSON.parse(line);
				if (isAuditEntry(parsed)) {
					entries.push(parsed);
					continue;
				}
			} catch {
				// counted below
			}
			unreadableLines++;
		}
		return { entries, unreadableLines };
	}

	private async write(line: string): Promise<void> {
		await fs.mkdir(path.dirname(this.filePath), { recursive: true });
		const file = await fs.open(this.filePath, 'a+');
		try {
			// A line left unfinished by a crash would swallow this one: start on a line of its own.
			const { size } = await file.stat();
			let prefix = '';
			if (size > 0) {
				const last = Buffer.alloc(1);
				await file.read(last, 0, 1, size - 1);
				prefix = last[0] === 0x0a ? '' : '\n';
			}
			await file.write(prefix + line);
		} finally {
			await file.close();
		}
	}
}
