import { fork, type ChildProcess } from 'node:child_process';
import {
	CancellationTokenSource,
	ConfigurationRequest,
	createProtocolConnection,
	DidChangeConfigurationNotification,
	DidChangeTextDocumentNotification,
	DidOpenTextDocumentNotification,
	ExitNotification,
	InitializedNotification,
	InitializeRequest,
	InlineCompletionRequest,
	InlineCompletionTriggerKind,
	IPCMessageReader,
	IPCMessageWriter,
	LogMessageNotification,
	RegistrationRequest,
	ShutdownRequest,
	type InitializeResult,
	type InlineCompletionItem,
	type InlineCompletionList,
	type Position,
	type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import {
	CompletionStatsNotification,
	ModelInfoRequest,
	ServerStatusNotification,
	type CompletionReport,
	type HearthInitializationOptions,
	type ServerStatus,
} from '../../src/shared/protocol.js';
import type { HearthSettings } from '../../src/shared/settings.js';
import { serverBundlePath } from '../helpers/paths.js';
import { waitFor } from '../helpers/waitFor.js';

export interface StartOptions {
	/** What the server gets for `workspace/configuration` of the `hearth` section. */
	settings: HearthSettings;
	defaultModelPath: string;
	/** Where downloads go (the extension passes its global storage). */
	modelsDirectory?: string;
}

/**
 * A real LSP client speaking to the real bundled server process over Node IPC, the transport
 * vscode-languageclient uses in the editor. Records everything the server reports.
 */
export class LspTestClient {
	readonly logs: { type: number; message: string }[] = [];
	readonly statuses: ServerStatus[] = [];
	readonly reports: CompletionReport[] = [];
	/** How many times the server has read the settings (`workspace/configuration`). */
	settingsReads = 0;
	private versions = new Map<string, number>();
	private stderr = '';

	private constructor(
		readonly child: ChildProcess,
		readonly connection: ProtocolConnection,
		private settings: HearthSettings,
	) {}

	static async start(options: StartOptions): Promise<{ client: LspTestClient; initializeResult: InitializeResult }> {
		const child = fork(serverBundlePath, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
		const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
		const client = new LspTestClient(child, connection, options.settings);
		child.stderr!.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
		connection.onRequest(ConfigurationRequest.type, (params) => {
			client.settingsReads++;
			return params.items.map(() => client.settings);
		});
		connection.onRequest(RegistrationRequest.type, () => undefined);
		connection.onNotification(LogMessageNotification.type, (params) => void client.logs.push(params));
		connection.onNotification(ServerStatusNotification.method, (status: ServerStatus) => void client.statuses.push(status));
		connection.onNotification(CompletionStatsNotification.method, (report: CompletionReport) => void client.reports.push(report));
		connection.listen();
		const initializationOptions: HearthInitializationOptions = {
			defaultModelPath: options.defaultModelPath,
			modelsDirectory: options.modelsDirectory,
		};
		const initializeResult = await connection.sendRequest(InitializeRequest.type, {
			processId: process.pid,
			rootUri: null,
			capabilities: {
				workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
				textDocument: { inlineCompletion: { dynamicRegistration: false } },
			},
			initializationOptions,
		});
		await connection.sendNotification(InitializedNotification.type, {});
		return { client, initializeResult };
	}

	/** Waits for a status report matching `predicate` (looking at ones already received too). */
	waitForStatus(predicate: (status: ServerStatus) => boolean, timeoutMs = 60_000): Promise<ServerStatus> {
		return waitFor(
			`a server status matching ${predicate}; got ${JSON.stringify(this.statuses.map((s) => s.state))}${this.stderrTail()}`,
			() => this.statuses.find(predicate),
			timeoutMs,
		);
	}

	waitForReport(index: number, timeoutMs = 60_000): Promise<CompletionReport> {
		return waitFor(`completion report #${index}`, () => this.reports[index], timeoutMs);
	}

	async changeSettings(settings: HearthSettings): Promise<void> {
		this.settings = settings;
		await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
	}

	async openDocument(uri: string, languageId: string, text: string): Promise<void> {
		this.versions.set(uri, 1);
		await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
			textDocument: { uri, languageId, version: 1, text },
		});
	}

	async replaceDocument(uri: string, text: string): Promise<void> {
		const version = (this.versions.get(uri) ?? 1) + 1;
		this.versions.set(uri, version);
		await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
			textDocument: { uri, version },
			contentChanges: [{ text }],
		});
	}

	inlineCompletion(
		uri: string,
		position: Position,
		cancellation?: CancellationTokenSource,
	): Promise<InlineCompletionList | InlineCompletionItem[] | null> {
		return this.connection.sendRequest(
			InlineCompletionRequest.type,
			{ textDocument: { uri }, position, context: { triggerKind: InlineCompletionTriggerKind.Automatic } },
			cancellation?.token,
		);
	}

	modelInfo(): Promise<ModelInfoRequest.Result> {
		return this.connection.sendRequest(ModelInfoRequest.method);
	}

	get exited(): boolean {
		return this.child.exitCode !== null || this.child.signalCode !== null;
	}

	async stop(): Promise<void> {
		if (!this.exited) {
			const exited = new Promise((resolve) => this.child.once('exit', resolve));
			try {
				await this.connection.sendRequest(ShutdownRequest.type);
				await this.connection.sendNotification(ExitNotification.type);
			} catch {
				// already gone
			}
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
			if (!this.exited) {
				this.child.kill('SIGKILL');
			}
		}
		this.connection.dispose();
	}

	private stderrTail(): string {
		return this.stderr ? `\nserver stderr: ${this.stderr.slice(-2000)}` : '';
	}
}

/** The items of an inline completion response, whichever of the two shapes the server used. */
export function itemsOf(response: InlineCompletionList | InlineCompletionItem[] | null): InlineCompletionItem[] {
	if (!response) {
		return [];
	}
	return Array.isArray(response) ? response : response.items;
}

export function insertTextOf(item: InlineCompletionItem): string {
	return typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
}
