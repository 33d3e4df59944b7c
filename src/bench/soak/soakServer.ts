import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
	CancellationTokenSource,
	ConfigurationRequest,
	createProtocolConnection,
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
	RegistrationRequest,
	ShutdownRequest,
	type InlineCompletionItem,
	type InlineCompletionList,
	type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { projectRoot } from '../../cli/projectRoot.js';
import { ServerStatusNotification, type HearthInitializationOptions, type ServerStatus } from '../../shared/protocol.js';
import type { HearthSettings } from '../../shared/settings.js';
import type { TracePosition } from '../traces/traceTypes.js';

/**
 * The soak's editor side: the bundled language server (dist/server.mjs, as the extension ships it)
 * forked with Node IPC, the transport vscode-languageclient uses, and spoken to over LSP. Only what
 * typing needs: open, change (whole text), close, inline completion with a cancellation token.
 */
export class SoakServer {
	private readonly versions = new Map<string, number>();
	private status: ServerStatus | undefined;
	private stderrTail = '';

	private constructor(
		readonly child: ChildProcess,
		private readonly connection: ProtocolConnection,
	) {}

	static async start(settings: HearthSettings, defaultModelPath: string): Promise<SoakServer> {
		const bundle = path.join(projectRoot(), 'dist', 'server.mjs');
		if (!fs.existsSync(bundle)) {
			throw new Error(`${bundle} is missing: run npm run build`);
		}
		const child = fork(bundle, ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
		const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
		const server = new SoakServer(child, connection);
		child.stderr!.on('data', (chunk: Buffer) => (server.stderrTail = (server.stderrTail + chunk.toString()).slice(-4000)));
		connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
		connection.onRequest(RegistrationRequest.type, () => undefined);
		connection.onNotification(ServerStatusNotification.method, (status: ServerStatus) => void (server.status = status));
		connection.listen();
		const initializationOptions: HearthInitializationOptions = { defaultModelPath };
		await connection.sendRequest(InitializeRequest.type, {
			processId: process.pid,
			rootUri: null,
			capabilities: { workspace: { configuration: true }, textDocument: { inlineCompletion: { dynamicRegistration: false } } },
			initializationOptions,
		});
		await connection.sendNotification(InitializedNotification.type, {});
		return server;
	}

	get pid(): number {
		return this.child.pid!;
	}

	get exited(): boolean {
		return this.child.exitCode !== null || this.child.signalCode !== null;
	}

	/** Resolves with the model once the server reports ready; fails on an error status or an exit. */
	async ready(limitMs: number): Promise<ServerStatus> {
		const deadline = Date.now() + limitMs;
		for (;;) {
			if (this.status?.state === 'ready' || (this.status?.state === 'busy' && this.status.model)) {
				return this.status;
			}
			if (this.status?.state === 'error' || this.exited || Date.now() > deadline) {
				throw new Error(`the language server did not get ready (status ${JSON.stringify(this.status)})\n${this.stderrTail}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}

	async open(uri: string, languageId: string, text: string): Promise<void> {
		this.versions.set(uri, 1);
		await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
			textDocument: { uri, languageId, version: 1, text },
		});
	}

	async change(uri: string, text: string): Promise<void> {
		const version = (this.versions.get(uri) ?? 1) + 1;
		this.versions.set(uri, version);
		await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
			textDocument: { uri, version },
			contentChanges: [{ text }],
		});
	}

	async close(uri: string): Promise<void> {
		this.versions.delete(uri);
		await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
	}

	/** The first suggestion's text, or undefined for none. */
	async inlineCompletion(uri: string, position: TracePosition, cancellation: CancellationTokenSource): Promise<string | undefined> {
		const response: InlineCompletionList | InlineCompletionItem[] | null = await this.connection.sendRequest(
			InlineCompletionRequest.type,
			{ textDocument: { uri }, position, context: { triggerKind: InlineCompletionTriggerKind.Automatic } },
			cancellation.token,
		);
		const item = response ? (Array.isArray(response) ? response[0] : response.items[0]) : undefined;
		if (!item) {
			return undefined;
		}
		return typeof item.insertText === 'string' ? item.insertText : item.insertText.value;
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
}
