/**
 * The chat model's half of the switcher as plain data, kept apart from `vscode` so the unit tests
 * build it: the rows the chat role lists (None, the catalog's chat models, the downloaded GGUFs, the
 * bundled model, a GGUF file…, a server…), which one is current, and the settings each choice writes.
 */

import path from 'node:path';
import { catalogForRole, MODEL_CATALOG, type CatalogModel, type ModelRole } from '../../shared/modelCatalog.js';
import type { FitVerdict, ModelInventory } from '../../shared/protocol.js';

/** What the user picked for Explain, Refactor and Clean Up Docs (`hearth.chatModel.*`). */
export type ChatModelChoice =
	| { kind: 'none' }
	| { kind: 'bundled' }
	| { kind: 'file'; path: string }
	| { kind: 'server'; baseUrl: string; model: string };

/** The `hearth.chatModel` values as settings hold them. */
export interface ChatModelSettingValues {
	backend: string;
	path: string;
	serverUrl: string;
	serverModel: string;
}

/** The choice the settings describe; `local` with an empty path is the bundled model. */
export function chatChoiceFromSettings(values: ChatModelSettingValues): ChatModelChoice {
	switch (values.backend) {
		case 'server':
			return { kind: 'server', baseUrl: values.serverUrl, model: values.serverModel };
		case 'local':
			return values.path.trim() ? { kind: 'file', path: values.path.trim() } : { kind: 'bundled' };
		default:
			return { kind: 'none' };
	}
}

/**
 * The `hearth.chatModel.*` keys a choice writes (undefined removes the key, back to its default).
 * A server choice keeps the path and a local one the server fields, so switching back loses nothing.
 */
export function chatChoiceSettings(choice: ChatModelChoice): Record<string, string | undefined> {
	switch (choice.kind) {
		case 'none':
			return { 'chatModel.backend': undefined };
		case 'bundled':
			return { 'chatModel.path': undefined, 'chatModel.backend': 'local' };
		case 'file':
			return { 'chatModel.path': choice.path, 'chatModel.backend': 'local' };
		case 'server':
			return { 'chatModel.serverUrl': choice.baseUrl, 'chatModel.serverModel': choice.model, 'chatModel.backend': 'server' };
	}
}

/** Words for the log and the switcher's summary row. */
export function describeChatChoice(choice: ChatModelChoice): string {
	switch (choice.kind) {
		case 'none':
			return 'none';
		case 'bundled':
			return 'the bundled starter model';
		case 'file':
			return path.basename(choice.path);
		case 'server':
			return `${choice.model || 'the server’s first model'} @ ${choice.baseUrl}`;
	}
}

export type ChatRowAction =
	| { kind: 'choose'; choice: ChatModelChoice }
	| { kind: 'download'; entry: CatalogModel; fit?: FitVerdict }
	| { kind: 'openFile' }
	| { kind: 'server' };

export interface ChatModelRow {
	/** The separator it sits under. */
	section: 'Chat model' | 'On this machine' | 'Download' | 'Other';
	/** A codicon name, without `$( )`. */
	icon: string;
	label: string;
	description?: string;
	detail?: string;
	current: boolean;
	action: ChatRowAction;
}

/** What happens with no chat model: the switcher's None row says it. */
export const NO_CHAT_MODEL_DETAIL =
	'The actions use the completion model: an instruct model answers; a base model writes doc comments (Explain); otherwise Hearth offers a chat model or the frontier model.';

/** What a server choice means: the switcher's server row says it before the user types a URL. */
export const CHAT_SERVER_DETAIL = 'The selection of each action you run is sent there. It uses the completion server’s API key.';

/**
 * The chat role's rows, in order. `inventory` is the server's answer to ListModelsRequest with role
 * `chat` (fit judged with the completion model staying in memory); undefined while it is on its way.
 */
export function chatModelRows(current: ChatModelChoice, inventory: ModelInventory | undefined): ChatModelRow[] {
	const same = (choice: ChatModelChoice) => JSON.stringify(choice) === JSON.stringify(current);
	const rows: ChatModelRow[] = [
		{
			section: 'Chat model',
			icon: 'circle-slash',
			label: 'None',
			description: 'default',
			detail: NO_CHAT_MODEL_DETAIL,
			current: current.kind === 'none',
			action: { kind: 'choose', choice: { kind: 'none' } },
		},
	];
	const downloadedNames = new Set<string>();
	for (const file of inventory?.downloaded ?? []) {
		downloadedNames.add(file.fileName);
		const choice: ChatModelChoice = { kind: 'file', path: file.path };
		rows.push({
			section: 'On this machine',
			icon: 'file-binary',
			label: file.fileName,
			description: `${gigabytes(file.sizeBytes)} GB · ${file.fit.summary}`,
			detail: rolesText(MODEL_CATALOG.find((entry) => entry.fileName === file.fileName)?.roles),
			current: same(choice),
			action: { kind: 'choose', choice },
		});
	}
	if (current.kind === 'file' && !(inventory?.downloaded ?? []).some((file) => file.path === current.path)) {
		rows.push({
			section: 'On this machine',
			icon: 'file-binary',
			label: path.basename(current.path),
			description: current.path,
			current: true,
			action: { kind: 'choose', choice: current },
		});
	}
	rows.push({
		section: 'On this machine',
		icon: 'package',
		label: 'Bundled starter model',
		description: 'ships with Hearth, shared with completions when they use it too',
		detail: 'suits: completion (a base model: Explain writes a doc comment, Refactor and Clean Up Docs are offered elsewhere)',
		current: current.kind === 'bundled',
		action: { kind: 'choose', choice: { kind: 'bundled' } },
	});
	for (const entry of catalogForRole('chat')) {
		if (downloadedNames.has(entry.fileName)) {
			continue;
		}
		const fit = inventory?.catalogFit[entry.id];
		rows.push({
			section: 'Download',
			icon: fit && !fit.fits ? 'warning' : 'cloud-download',
			label: entry.label,
			description: `${gigabytes(entry.sizeBytes)} GB${fit ? ` · ${fit.summary}` : ''}`,
			detail: `${entry.detail} · ${rolesText(entry.roles)}`,
			current: false,
			action: { kind: 'download', entry, fit },
		});
	}
	if (current.kind === 'server') {
		rows.push({
			section: 'Other',
			icon: 'server',
			label: `${current.model || 'server default'} @ ${current.baseUrl}`,
			description: 'OpenAI-compatible server',
			detail: CHAT_SERVER_DETAIL,
			current: true,
			action: { kind: 'choose', choice: current },
		});
	}
	rows.push(
		{ section: 'Other', icon: 'folder-opened', label: 'Open a GGUF file…', current: false, action: { kind: 'openFile' } },
		{
			section: 'Other',
			icon: 'server',
			label: 'Use an OpenAI-compatible server…',
			description: 'llama-server, Ollama, LM Studio, vLLM',
			detail: CHAT_SERVER_DETAIL,
			current: false,
			action: { kind: 'server' },
		},
	);
	return rows;
}

function rolesText(roles: readonly ModelRole[] | undefined): string {
	if (!roles) {
		return 'not in the catalog: Hearth reads its chat template when it loads it';
	}
	return `suits: ${roles.join(', ')}`;
}

/** Gigabytes with two decimals below 1 GB, one above, as the switcher shows sizes. */
export function gigabytes(bytes: number): string {
	return (bytes / 1e9).toFixed(bytes < 1e9 ? 2 : 1);
}
