import assert from 'node:assert/strict';
import {
	chatChoiceFromSettings,
	chatChoiceSettings,
	chatModelRows,
	NO_CHAT_MODEL_DETAIL,
	type ChatModelChoice,
} from '../../src/extension/models/chatModelRows.js';
import { MODEL_CATALOG } from '../../src/shared/modelCatalog.js';
import type { FitVerdict, ModelInventory } from '../../src/shared/protocol.js';

const fits = (summary: string): FitVerdict => ({ fits: !summary.startsWith('too big'), needBytes: 1, summary });

/** What the server answers for the chat role: two files in the models folder, a verdict per catalog entry. */
const INVENTORY: ModelInventory = {
	downloaded: [
		{
			path: '/models/qwen2.5-coder-0.5b-instruct-q8_0.gguf',
			fileName: 'qwen2.5-coder-0.5b-instruct-q8_0.gguf',
			sizeBytes: 531e6,
			modifiedMs: 2,
			fit: fits('fits: needs 0.9 GB of 3.1 GB free RAM'),
		},
		{
			path: '/models/mine.gguf',
			fileName: 'mine.gguf',
			sizeBytes: 2.4e9,
			modifiedMs: 1,
			fit: fits('too big: needs 3.6 GB of 3.1 GB free RAM'),
		},
	],
	memory: { where: 'RAM', freeBytes: 3.1e9, totalBytes: 8e9, backend: 'cpu' },
	catalogFit: Object.fromEntries(
		MODEL_CATALOG.map((entry) => [entry.id, fits(entry.sizeBytes > 3e9 ? 'too big: needs 5.4 GB' : 'fits: needs 2 GB')]),
	),
};

/** The switcher's chat role: what it lists, what it marks, and what each choice writes. */
describe('model switcher: the chat role', function () {
	it('lists None first (the default, saying what happens then), the local models, the chat catalog, a file and a server', function () {
		const rows = chatModelRows({ kind: 'none' }, INVENTORY);
		assert.equal(rows[0]!.label, 'None');
		assert.equal(rows[0]!.detail, NO_CHAT_MODEL_DETAIL);
		assert.match(NO_CHAT_MODEL_DETAIL, /doc comments/);
		assert.deepEqual(
			rows.filter((row) => row.current).map((row) => row.label),
			['None'],
		);
		assert.deepEqual([...new Set(rows.map((row) => row.section))], ['Chat model', 'On this machine', 'Download', 'Other']);
		assert.deepEqual(
			rows.filter((row) => row.section === 'Other').map((row) => row.label),
			['Open a GGUF file…', 'Use an OpenAI-compatible server…'],
		);
		const server = rows.find((row) => row.action.kind === 'server')!;
		assert.match(server.detail ?? '', /selection of each action.*sent there/);
		assert.match(server.detail ?? '', /completion server’s API key/);
	});

	it('offers only the catalog’s chat models for download, less those already downloaded, each with size, fit and roles', function () {
		const rows = chatModelRows({ kind: 'none' }, INVENTORY);
		const downloads = rows.filter((row) => row.action.kind === 'download');
		const expected = MODEL_CATALOG.filter(
			(entry) => entry.roles.includes('chat') && entry.fileName !== 'qwen2.5-coder-0.5b-instruct-q8_0.gguf',
		);
		assert.deepEqual(
			downloads.map((row) => row.label),
			expected.map((entry) => entry.label),
		);
		for (const row of downloads) {
			assert.match(row.description ?? '', /^[\d.]+ GB · (fits|too big): needs/);
			assert.match(row.detail ?? '', /suits: completion, chat$/);
		}
		// The verdict for the chat role decides the icon.
		assert.equal(downloads.find((row) => /7B/.test(row.label))!.icon, 'warning');
	});

	it('shows each downloaded file with its size, the chat-role verdict and the roles the catalog knows', function () {
		const rows = chatModelRows({ kind: 'file', path: '/models/mine.gguf' }, INVENTORY).filter(
			(row) => row.section === 'On this machine',
		);
		assert.deepEqual(
			rows.map((row) => [row.label, row.description, row.current]),
			[
				['qwen2.5-coder-0.5b-instruct-q8_0.gguf', '0.53 GB · fits: needs 0.9 GB of 3.1 GB free RAM', false],
				['mine.gguf', '2.4 GB · too big: needs 3.6 GB of 3.1 GB free RAM', true],
				['Bundled starter model', rows[2]!.description, false],
			],
		);
		assert.equal(rows[0]!.detail, 'suits: completion, chat');
		assert.match(rows[1]!.detail ?? '', /not in the catalog/);
	});

	it('lists a chosen file or server that the inventory does not, marked current; before the inventory, no verdicts', function () {
		const file = chatModelRows({ kind: 'file', path: '/elsewhere/x.gguf' }, undefined);
		assert.ok(file.some((row) => row.label === 'x.gguf' && row.current && row.description === '/elsewhere/x.gguf'));
		assert.ok(file.filter((row) => row.action.kind === 'download').every((row) => /^[\d.]+ GB$/.test(row.description ?? '')));
		const server = chatModelRows({ kind: 'server', baseUrl: 'http://127.0.0.1:8080/v1', model: 'qwen' }, undefined);
		assert.ok(server.some((row) => row.label === 'qwen @ http://127.0.0.1:8080/v1' && row.current));
	});

	it('writes the hearth.chatModel settings each choice stands for, and reads them back', function () {
		const choices: ChatModelChoice[] = [
			{ kind: 'none' },
			{ kind: 'bundled' },
			{ kind: 'file', path: '/models/a.gguf' },
			{ kind: 'server', baseUrl: 'http://127.0.0.1:1/v1', model: 'm' },
		];
		const defaults = { backend: 'none', path: '', serverUrl: '', serverModel: '' };
		for (const choice of choices) {
			const written = chatChoiceSettings(choice);
			assert.ok(
				Object.keys(written).every((key) => key.startsWith('chatModel.')),
				JSON.stringify(written),
			);
			const values = { ...defaults };
			for (const [key, value] of Object.entries(written)) {
				(values as Record<string, string>)[key.slice('chatModel.'.length)] =
					value ?? (defaults as Record<string, string>)[key.slice('chatModel.'.length)]!;
			}
			assert.deepEqual(chatChoiceFromSettings(values), choice);
		}
		// A local backend with an empty path is the bundled model.
		assert.deepEqual(chatChoiceFromSettings({ ...defaults, backend: 'local', path: '  ' }), { kind: 'bundled' });
	});
});
