import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MODEL_CATALOG, type CatalogModel, type ModelRole } from '../../shared/modelCatalog.js';
import { InspectModelRequest, ListModelsRequest, type FitVerdict, type ModelInventory } from '../../shared/protocol.js';
import { latestServerStatus, statusMenuItems } from '../statusMenu.js';
import { chatModelSummary } from '../statusText.js';
import { CHAT_SERVER_DETAIL, chatModelRows, describeChatChoice, gigabytes, type ChatModelChoice, type ChatModelRow } from './chatModelRows.js';
import { downloadWithProgress } from './downloadWithProgress.js';
import { applyChatModelChoice, applyModelChoice, currentChatModelChoice, currentModelChoice, type ModelChoice } from './modelChoice.js';
import type { ServerCredentials } from './serverCredentials.js';
import { messageOf } from '../../shared/errorMessage.js';

type SwitcherItem = vscode.QuickPickItem & { run?: () => Promise<void> };

export interface SwitcherDeps {
	client: LanguageClient;
	credentials: ServerCredentials;
	log: vscode.LogOutputChannel;
	/** Extra actions shown under the models (pause, logs, restart, settings). */
	actions: () => SwitcherItem[];
}

/**
 * The status bar's switcher, for one of the two model roles. Completion (the default): the bundled
 * model, the models already downloaded, the chat model's row (which opens the chat role's list), the
 * curated catalog (each marked whether it fits this machine), a GGUF file of the user's, or an
 * OpenAI-compatible server. Picking one switches without reloading the window; any failure keeps the
 * current model.
 */
export async function showModelSwitcher(deps: SwitcherDeps, role: ModelRole = 'completion'): Promise<void> {
	if (role === 'chat') {
		return showChatModelSwitcher(deps);
	}
	const quickPick = vscode.window.createQuickPick<SwitcherItem>();
	quickPick.title = 'Hearth: Choose the completion model (or the chat model, below)';
	quickPick.placeholder = 'Pick a model for inline completions';
	quickPick.matchOnDescription = true;
	quickPick.matchOnDetail = true;
	quickPick.busy = true;
	quickPick.items = [...baseItems(deps, undefined), ...statusMenuItems(), ...deps.actions()];
	quickPick.show();
	const picked = new Promise<SwitcherItem | undefined>((resolve) => {
		quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
		quickPick.onDidHide(() => resolve(undefined));
	});
	void inventory(deps.client, deps.log, 'completion').then((found) => {
		quickPick.items = [...baseItems(deps, found), ...statusMenuItems(), ...deps.actions()];
		quickPick.busy = false;
	});
	const item = await picked;
	quickPick.dispose();
	await item?.run?.();
}

/**
 * The chat role's list: None, the catalog's chat models, the downloaded GGUFs and the bundled model
 * (each with its size, the fit verdict counting the completion model as staying in memory, and the
 * roles it suits), a GGUF file, or a server. Writes `hearth.chatModel.*`; the completion model stays.
 */
async function showChatModelSwitcher(deps: SwitcherDeps): Promise<void> {
	const quickPick = vscode.window.createQuickPick<SwitcherItem>();
	quickPick.title = 'Hearth: Choose the chat model (Explain, Refactor, Clean Up Docs)';
	quickPick.placeholder = 'A second model beside the completion model, which stays as it is';
	quickPick.matchOnDescription = true;
	quickPick.matchOnDetail = true;
	quickPick.busy = true;
	const current = currentChatModelChoice();
	quickPick.items = chatItems(deps, chatModelRows(current, undefined));
	quickPick.show();
	const picked = new Promise<SwitcherItem | undefined>((resolve) => {
		quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
		quickPick.onDidHide(() => resolve(undefined));
	});
	void inventory(deps.client, deps.log, 'chat').then((found) => {
		quickPick.items = chatItems(deps, chatModelRows(current, found));
		quickPick.busy = false;
	});
	const item = await picked;
	quickPick.dispose();
	await item?.run?.();
}

function chatItems(deps: SwitcherDeps, rows: ChatModelRow[]): SwitcherItem[] {
	const items: SwitcherItem[] = [];
	let section: string | undefined;
	for (const row of rows) {
		if (row.section !== section) {
			section = row.section;
			items.push({ label: section, kind: vscode.QuickPickItemKind.Separator });
		}
		items.push({
			label: `${row.current ? '$(check) ' : ''}$(${row.icon}) ${row.label}`,
			description: row.description,
			detail: row.detail,
			run: () => runChatRow(deps, row),
		});
	}
	return items;
}

async function runChatRow(deps: SwitcherDeps, row: ChatModelRow): Promise<void> {
	switch (row.action.kind) {
		case 'choose':
			return chooseChat(deps, row.action.choice);
		case 'download':
			return downloadAndSwitch(deps, row.action.entry, row.action.fit, 'chat');
		case 'openFile':
			return openGgufFile(deps, 'chat');
		case 'server':
			return useChatServer(deps);
	}
}

async function chooseChat(deps: SwitcherDeps, choice: ChatModelChoice): Promise<void> {
	await applyChatModelChoice(choice);
	deps.log.info(`Chat model chosen: ${describeChatChoice(choice)}`);
}

/** The chat server: its URL, its model name and the API key, which is the completion server's too. */
async function useChatServer(deps: SwitcherDeps): Promise<void> {
	const current = currentChatModelChoice();
	const completion = currentModelChoice();
	const baseUrl = await vscode.window.showInputBox({
		title: 'Chat model on an OpenAI-compatible server (1/3): base URL',
		prompt: `${CHAT_SERVER_DETAIL} llama-server: http://127.0.0.1:8080/v1 · Ollama: http://127.0.0.1:11434/v1`,
		value: current.kind === 'server' ? current.baseUrl : completion.kind === 'server' ? completion.baseUrl : 'http://127.0.0.1:8080/v1',
		ignoreFocusOut: true,
		validateInput: (value) => (isHttpUrl(value) ? undefined : 'An http:// or https:// URL'),
	});
	if (baseUrl === undefined) {
		return;
	}
	const model = await vscode.window.showInputBox({
		title: 'Chat model on an OpenAI-compatible server (2/3): model name',
		prompt: 'The instruction-tuned model the server expects; leave empty to use the first one it lists.',
		value: current.kind === 'server' ? current.model : '',
		ignoreFocusOut: true,
	});
	if (model === undefined) {
		return;
	}
	const shared = 'One key for both servers: the completion server’s key is sent here too. ';
	if (!(await askApiKey(deps, 'Chat model on an OpenAI-compatible server (3/3): API key', shared))) {
		return;
	}
	await chooseChat(deps, { kind: 'server', baseUrl: baseUrl.trim(), model: model.trim() });
}

async function inventory(client: LanguageClient, log: vscode.LogOutputChannel, role: ModelRole): Promise<ModelInventory | undefined> {
	try {
		const params: ListModelsRequest.Params = {
			catalog: MODEL_CATALOG.map((entry) => ({ id: entry.id, sizeBytes: entry.sizeBytes, kvBytesPerToken: entry.kvBytesPerToken })),
			role,
		};
		return (await client.sendRequest(ListModelsRequest.method, params)) as ModelInventory;
	} catch (error) {
		log.warn(`Could not list the downloaded models: ${messageOf(error)}`);
		return undefined;
	}
}

function baseItems(deps: SwitcherDeps, found: ModelInventory | undefined): SwitcherItem[] {
	const current = currentModelChoice();
	const isCurrent = (choice: ModelChoice) => JSON.stringify(choice) === JSON.stringify(current);
	const mark = (choice: ModelChoice) => (isCurrent(choice) ? '$(check) ' : '');
	const switchTo = (choice: ModelChoice) => async () => {
		await applyModelChoice(choice);
		deps.log.info(`Completion model chosen: ${describe(choice)}`);
	};
	const items: SwitcherItem[] = [
		{ label: 'On this machine', kind: vscode.QuickPickItemKind.Separator },
		{ label: `${mark({ kind: 'bundled' })}$(package) Bundled starter model`, description: 'ships with Hearth, works offline', run: switchTo({ kind: 'bundled' }) },
	];
	const downloadedNames = new Set<string>();
	for (const file of found?.downloaded ?? []) {
		downloadedNames.add(file.fileName);
		const choice: ModelChoice = { kind: 'file', path: file.path };
		items.push({
			label: `${mark(choice)}$(file-binary) ${file.fileName}`,
			description: `${gigabytes(file.sizeBytes)} GB · ${fitText(file.fit)}`,
			run: switchTo(choice),
		});
	}
	if (current.kind === 'file' && !(found?.downloaded ?? []).some((file) => file.path === current.path)) {
		items.push({ label: `$(check) $(file-binary) ${path.basename(current.path)}`, description: current.path, run: switchTo(current) });
	}
	if (current.kind === 'server') {
		items.push({ label: `$(check) $(server) ${current.model || 'server default'} @ ${current.baseUrl}`, description: 'OpenAI-compatible server', run: switchTo(current) });
	}
	// The other role, one row: it opens the chat role's list, and says what the actions run on now.
	const chat = chatModelSummary(describeChatChoice(currentChatModelChoice()), latestServerStatus());
	items.push(
		{ label: 'Chat model: Explain, Refactor, Clean Up Docs', kind: vscode.QuickPickItemKind.Separator },
		{
			label: `$(comment-discussion) Chat model: ${chat.name}`,
			description: chat.state,
			detail: 'A second model beside the completion model. Pick to choose it.',
			run: () => showChatModelSwitcher(deps),
		},
	);
	items.push({ label: 'Download', kind: vscode.QuickPickItemKind.Separator });
	for (const entry of MODEL_CATALOG) {
		if (downloadedNames.has(entry.fileName)) {
			continue;
		}
		const fit = found?.catalogFit[entry.id];
		items.push({
			label: `${fit && !fit.fits ? '$(warning)' : '$(cloud-download)'} ${entry.label}`,
			description: `${gigabytes(entry.sizeBytes)} GB${fit ? ` · ${fitText(fit)}` : ''}`,
			detail: `${entry.detail} · suits: ${entry.roles.join(', ')}`,
			run: () => downloadAndSwitch(deps, entry, fit, 'completion'),
		});
	}
	items.push(
		{ label: 'Other', kind: vscode.QuickPickItemKind.Separator },
		{ label: '$(folder-opened) Open a GGUF file…', run: () => openGgufFile(deps, 'completion') },
		{ label: '$(server) Use an OpenAI-compatible server…', description: 'llama-server, Ollama, LM Studio, vLLM', run: () => useServer(deps) },
	);
	return items;
}

async function downloadAndSwitch(deps: SwitcherDeps, entry: CatalogModel, fit: FitVerdict | undefined, role: ModelRole): Promise<void> {
	if (fit && !fit.fits) {
		const answer = await vscode.window.showWarningMessage(
			`${entry.label} probably does not fit this machine (${fit.summary}). Download it anyway?`,
			{ modal: true },
			'Download',
		);
		if (answer !== 'Download') {
			return;
		}
	}
	const file = await downloadWithProgress(deps.client, entry, deps.log);
	if (file && role === 'chat') {
		await chooseChat(deps, { kind: 'file', path: file });
	} else if (file) {
		await applyModelChoice({ kind: 'file', path: file });
		deps.log.info(`Completion model chosen: ${entry.label} (${file})`);
	}
}

async function openGgufFile(deps: SwitcherDeps, role: ModelRole): Promise<void> {
	const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this model', filters: { 'GGUF models': ['gguf'] }, title: 'Hearth: Open a GGUF model file' });
	const file = picked?.[0]?.fsPath;
	if (!file) {
		return;
	}
	// Checked before the switch, so a wrong file is a message here and never a broken status bar.
	const checked = (await deps.client.sendRequest(InspectModelRequest.method, { path: file } satisfies InspectModelRequest.Params)) as InspectModelRequest.Result;
	if (!checked.ok) {
		void vscode.window.showErrorMessage(`Hearth: ${checked.message}`);
		return;
	}
	if (!checked.fit.fits) {
		const answer = await vscode.window.showWarningMessage(`${checked.displayName} probably does not fit (${checked.fit.summary}). Use it anyway?`, { modal: true }, 'Use it');
		if (answer !== 'Use it') {
			return;
		}
	}
	if (role === 'chat') {
		await chooseChat(deps, { kind: 'file', path: file });
		return;
	}
	await applyModelChoice({ kind: 'file', path: file });
	deps.log.info(`Completion model chosen: ${file}`);
}

async function useServer(deps: SwitcherDeps): Promise<void> {
	const current = currentModelChoice();
	const baseUrl = await vscode.window.showInputBox({
		title: 'OpenAI-compatible server (1/3): base URL',
		prompt: 'Completions will be sent to this server. llama-server: http://127.0.0.1:8080/v1 · Ollama: http://127.0.0.1:11434/v1',
		value: current.kind === 'server' ? current.baseUrl : 'http://127.0.0.1:8080/v1',
		ignoreFocusOut: true,
		validateInput: (value) => (isHttpUrl(value) ? undefined : 'An http:// or https:// URL'),
	});
	if (baseUrl === undefined) {
		return;
	}
	const model = await vscode.window.showInputBox({
		title: 'OpenAI-compatible server (2/3): model name',
		prompt: 'The model name the server expects; leave empty to use the first one it lists.',
		value: current.kind === 'server' ? current.model : '',
		ignoreFocusOut: true,
	});
	if (model === undefined) {
		return;
	}
	if (!(await askApiKey(deps, 'OpenAI-compatible server (3/3): API key', ''))) {
		return;
	}
	await applyModelChoice({ kind: 'server', baseUrl: baseUrl.trim(), model: model.trim() });
	deps.log.info(`Completion model chosen: OpenAI-compatible server ${baseUrl.trim()} (${model.trim() || 'its first model'})`);
}

/**
 * Asks for the servers' API key (one for the completion and the chat server) and stores it in secret
 * storage; false when the user cancelled.
 */
async function askApiKey(deps: SwitcherDeps, title: string, note: string): Promise<boolean> {
	const hasKey = await deps.credentials.hasKey();
	const apiKey = await vscode.window.showInputBox({
		title,
		prompt: `${note}${hasKey ? 'Kept in VS Code secret storage. Leave empty to keep the stored key; type "-" to remove it.' : 'Leave empty if the server needs none. Kept in VS Code secret storage, never in settings.'}`,
		password: true,
		ignoreFocusOut: true,
	});
	if (apiKey === undefined) {
		return false;
	}
	if (apiKey === '-') {
		await deps.credentials.store('');
	} else if (apiKey !== '') {
		await deps.credentials.store(apiKey);
	}
	await deps.credentials.push();
	return true;
}

function describe(choice: ModelChoice): string {
	switch (choice.kind) {
		case 'bundled':
			return 'the bundled starter model';
		case 'file':
			return choice.path;
		case 'server':
			return `${choice.model || 'default model'} @ ${choice.baseUrl}`;
	}
}

function fitText(fit: FitVerdict): string {
	return fit.summary;
}

function isHttpUrl(value: string): boolean {
	try {
		const url = new URL(value.trim());
		return url.protocol === 'http:' || url.protocol === 'https:';
	} catch {
		return false;
	}
}
