import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import {
	CancellationTokenSource,
	ConfigurationRequest,
	createProtocolConnection,
	DidChangeConfigurationNotification,
	DidChangeTextDocumentNotification,
	DidCloseTextDocumentNotification,
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
import { projectRoot } from '../../tooling/projectRoot.js';
import {
	CompletionStatsNotification,
	ModelInfoRequest,
	ServerStatusNotification,
	type CompletionReport,
	type HearthInitializationOptions,
	type ServerStatus,
} from '../../shared/protocol.js';
import type { HearthSettings } from '../../shared/settings.js';

/**
 * The bundled language server (dist/server.mjs, exactly as the extension ships it) forked with Node IPC,
 * the transport vscode-languageclient uses, and spoken to over LSP as an editor does. The soak types into
 * it; the server and fault test suites drive it. It records everything the server reports, and waits on
 * those reports as they arrive.
 */
export interface BundledServerOptions {
	/** What the server gets for `workspace/configuration` of the `hearth` section. */
	settings: HearthSettings;
	defaultModelPath: string;
	/** Where downloads go (the extension passes its global storage). */
	modelsDirectory?: string;
	/** The server bundle to start; the working tree's dist/server.mjs when not given (an unpacked VSIX's for the VSIX smoke test). */
	serverModule?: string;
}

/** How much of the server's stderr is kept for error messages. */
const STDERR_TAIL_CHARS = 8_000;

export class BundledServer {
	readonly logs: { type: number; message: string }[] = [];
	readonly statuses: ServerStatus[] = [];
	readonly reports: CompletionReport[] = [];
	/** How many times the server has read the settings (`workspace/configuration`). */
	settingsReads = 0;
	private readonly versions = new Map<string, number>();
	/** Fires on each status, report and the exit: what the waits look again at (any number of them). */
	private readonly updates = new EventEmitter().setMaxListeners(0);
	private stderr = '';

	private constructor(
		readonly child: ChildProcess,
		readonly connection: ProtocolConnection,
		private settings: HearthSettings,
	) {}

	static async start(options: BundledServerOptions): Promise<{ client: BundledServer; initializeResult: InitializeResult }> {
		const bundle = options.serverModule ?? path.join(projectRoot(), 'dist', 'server.mjs');
		if (!fs.existsSync(bundle)) {
			throw new Error(`${bundle} is missing: run npm run build`);
		}
		const child = fork(bundle, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
		const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
		const client = new BundledServer(child, connection, options.settings);
		child.stderr!.on('data', (chunk: Buffer) => (client.stderr = (client.stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS)));
		child.once('exit', () => client.updates.emit('update'));
		connection.onRequest(ConfigurationRequest.type, (params) => {
			client.settingsReads++;
			return params.items.map(() => client.settings);
		});
		connection.onRequest(RegistrationRequest.type, () => undefined);
		connection.onNotification(LogMessageNotification.type, (params) => void client.logs.push(params));
		connection.onNotification(ServerStatusNotification.method, (status: ServerStatus) => {
			client.statuses.push(status);
			client.updates.emit('update');
		});
		connection.onNotification(CompletionStatsNotification.method, (report: CompletionReport) => {
			client.reports.push(report);
			client.updates.emit('update');
		});
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

	get pid(): number {
		return this.child.pid!;
	}

	/** The settings the server gets when it reads them now (the last ones given). */
	get currentSettings(): HearthSettings {
		return this.settings;
	}

	get exited(): boolean {
		return this.child.exitCode !== null || this.child.signalCode !== null;
	}

	/** The first status report matching `predicate`, among those received or the next ones. */
	waitForStatus(predicate: (status: ServerStatus) => boolean, timeoutMs = 60_000): Promise<ServerStatus> {
		return this.waitUntil(
			() => `a server status matching ${predicate}; got ${JSON.stringify(this.statuses.map((s) => s.state))}`,
			() => this.statuses.find(predicate),
			timeoutMs,
		);
	}

	/** Completion report number `index` (from 0), once it has arrived. */
	waitForReport(index: number, timeoutMs = 60_000): Promise<CompletionReport> {
		return this.waitUntil(
			() => `completion report #${index}`,
			() => this.reports[index],
			timeoutMs,
		);
	}

	/** The model, once the server reports ready; fails on an error status or an exit. */
	ready(timeoutMs: number): Promise<ServerStatus> {
		return this.waitUntil(
			() => 'the language server to get ready',
			() => {
				const status = this.statuses.at(-1);
				if (status?.state === 'error' || this.exited) {
					throw new Error(`the language server did not get ready (status ${JSON.stringify(status)})${this.stderrTail()}`);
				}
				return status?.state === 'ready' || (status?.state === 'busy' && status.model) ? status : undefined;
			},
			timeoutMs,
		);
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

	/** Replaces the whole text (one full-text change), as the soak's editor and the tests do. */
	async replaceDocument(uri: string, text: string): Promise<void> {
		const version = (this.versions.get(uri) ?? 1) + 1;
		this.versions.set(uri, version);
		await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
			textDocument: { uri, version },
			contentChanges: [{ text }],
		});
	}

	async closeDocument(uri: string): Promise<void> {
		this.versions.delete(uri);
		await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
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

	/**
	 * Resolves with what `find` returns once it returns something, looking again at each status, report
	 * and the exit; `timeoutMs` is only a safety limit. An exception out of `find` fails the wait.
	 */
	private waitUntil<T>(what: () => string, find: () => T | undefined, timeoutMs: number): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const look = () => {
				try {
					const found = find();
					if (found !== undefined) {
						finish();
						resolve(found);
					}
				} catch (error) {
					finish();
					reject(error);
				}
			};
			const timer = setTimeout(() => {
				finish();
				reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}${this.stderrTail()}`));
			}, timeoutMs);
			const finish = () => {
				clearTimeout(timer);
				this.updates.off('update', look);
			};
			this.updates.on('update', look);
			look();
		});
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
