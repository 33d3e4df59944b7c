import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditLog, formatAuditLog, type AuditEntry } from '../../src/extension/escalation/frontier/auditLog.js';

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
	return {
		time: '2025-08-01T10:00:00.000Z',
		endpoint: 'https://api.openai.com/v1',
		model: 'gpt-4o',
		task: 'explain',
		file: 'src/app.ts',
		outcome: 'answered',
		charactersSent: 1200,
		estimatedTokensSent: 400,
		promptTokens: 310,
		charactersReceived: 900,
		completionTokens: 220,
		redactions: [{ kind: 'github-personal-access-token', count: 1 }],
		attempts: 1,
		durationMs: 2345,
		...overrides,
	};
}

describe('escalation: the audit log', function () {
	let directory: string;

	beforeEach(async function () {
		directory = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-audit-'));
	});

	afterEach(async function () {
		await fs.rm(directory, { recursive: true, force: true });
	});

	it('appends JSON Lines (creating the folder) and reads them back; a missing file is an empty log', async function () {
		const file = path.join(directory, 'nested', 'escalations.jsonl');
		const log = new AuditLog(file);
		assert.deepEqual(await log.read(), { entries: [], unreadableLines: 0 });
		await log.append(entry());
		await log.append(
			entry({
				outcome: 'failed',
				error: 'api.openai.com rejected the API key (401).',
				promptTokens: undefined,
				completionTokens: undefined,
			}),
		);
		const text = await fs.readFile(file, 'utf8');
		assert.equal(text.split('\n').length, 3, 'two lines, each ending in a line break');
		const { entries, unreadableLines } = await log.read();
		assert.equal(unreadableLines, 0);
		assert.deepEqual(
			entries,
			[
				entry(),
				entry({
					outcome: 'failed',
					error: 'api.openai.com rejected the API key (401).',
					promptTokens: undefined,
					completionTokens: undefined,
				}),
			].map((e) => JSON.parse(JSON.stringify(e))),
		);
	});

	it('writes only the entry’s own fields: no code or key that a caller passed along', async function () {
		const file = path.join(directory, 'log.jsonl');
		const careless = {
			...entry(),
			code: 'const secret = 1;',
			apiKey: 'sk-should-never-be-written',
			messages: [{ role: 'user', content: 'code' }],
		} as AuditEntry;
		await new AuditLog(file).append(careless);
		const text = await fs.readFile(file, 'utf8');
		assert.doesNotMatch(text, /const secret|sk-should-never|"messages"|"code"/);
		assert.deepEqual(
			Object.keys(JSON.parse(text)),
			Object.keys(entry()).filter((key) => key !== 'error'),
		);
	});

	it('does not interleave concurrent appends, from one log or two', async function () {
		const file = path.join(directory, 'log.jsonl');
		const first = new AuditLog(file);
		const second = new AuditLog(file);
		const long = 'x'.repeat(20_000); // long lines, so that interleaving would show
		await Promise.all(
			Array.from({ length: 60 }, (_, index) =>
				(index % 2 === 0 ? first : second).append(entry({ file: `${long}/${index}.ts`, attempts: index })),
			),
		);
		const { entries, unreadableLines } = await first.read();
		assert.equal(unreadableLines, 0);
		assert.deepEqual(
			entries.map((e) => e.attempts).sort((a, b) => a - b),
			Array.from({ length: 60 }, (_, index) => index),
		);
	});

	it('skips and counts lines that are not entries, and starts a new line after one cut short', async function () {
		const file = path.join(directory, 'log.jsonl');
		await fs.writeFile(
			file,
			`${JSON.stringify(entry())}\nnot json\n{"time": "2025-08-01T10:00:00Z"}\n\n${JSON.stringify(entry({ attempts: 2 })).slice(0, 40)}`,
		);
		const log = new AuditLog(file);
		await log.append(entry({ attempts: 3 }));
		const { entries, unreadableLines } = await log.read();
		assert.deepEqual(
			entries.map((e) => e.attempts),
			[1, 3],
		);
		assert.equal(unreadableLines, 3);
	});

	it('formats as Markdown: totals, then a table newest first', function () {
		const markdown = formatAuditLog([
			entry({ time: '2025-08-01T09:00:00.000Z', task: 'refactor', file: 'src/a|b.ts' }),
			entry({
				time: '2025-08-02T09:00:00.000Z',
				outcome: 'failed',
				error: 'Could not connect\nto http://x',
				promptTokens: undefined,
				completionTokens: undefined,
				charactersReceived: 0,
				redactions: [],
			}),
			entry({
				time: '2025-08-03T09:00:00.000Z',
				outcome: 'declined',
				charactersSent: 5000,
				estimatedTokensSent: 1500,
				promptTokens: undefined,
				completionTokens: undefined,
				charactersReceived: 0,
				attempts: 0,
				durationMs: 0,
			}),
		]);
		assert.match(markdown, /^# Hearth: frontier escalations\n/);
		assert.match(markdown, /- Escalations: 3 \(1 answered, 1 failed, 0 cancelled, 1 declined at the preview\)/);
		assert.match(
			markdown,
			/- Sent: 2,400 characters, about 800 tokens \(estimated\); 310 tokens as reported by the servers \(for 1 of 2\)/,
			'declined requests were not sent',
		);
		assert.match(markdown, /- Received: 900 characters; 220 tokens/);
		assert.match(markdown, /- Secrets redacted before sending: github-personal-access-token ×1\n/);
		const rows = markdown.split('\n').filter((line) => line.startsWith('| 2025'));
		assert.deepEqual(
			rows.map((row) => row.slice(2, 12)),
			['2025-08-03', '2025-08-02', '2025-08-01'],
		);
		assert.match(rows[1]!, /\| failed: Could not connect to http:\/\/x \|/, 'a line break does not break the table');
		assert.match(rows[2]!, /\| src\/a\\\|b\.ts \|/, 'a pipe is escaped');
		assert.match(
			rows[2]!,
			/\| 1,200 chars, ~400 tok \(310 billed\) \| 900 chars, 220 tok \| github-personal-access-token ×1 \| 1 \| 2\.3 s \|/,
		);
		assert.equal(formatAuditLog([]), '# Hearth: frontier escalations\n\nNo code has been sent to a frontier model.\n');
	});
});
