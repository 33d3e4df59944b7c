import { ApplyWorkspaceEditRequest } from 'vscode-languageserver-protocol/node';
import { RestartPolicy } from '../../src/extension/restartPolicy.js';
import { LspTestClient, type StartOptions } from '../server/lspTestClient.js';

/**
 * The editor's side of the language server, as the extension runs it: the real bundled server
 * (through LspTestClient), restarted after an unexpected exit as long as the extension's real
 * RestartPolicy allows, with the open documents sent again to the new process, as
 * vscode-languageclient does. It also counts any attempt of the server to edit the user's files
 * (workspace/applyEdit): Hearth's server never may.
 */
export class SupervisedServer {
	client!: LspTestClient;
	/** Unexpected exits: [code, signal] of each. */
	readonly crashes: { code: number | null; signal: NodeJS.Signals | null; stderr: string }[] = [];
	restarts = 0;
	/** The policy said no more restarts (as the extension shows "will not be restarted automatically"). */
	gaveUp = false;
	/** workspace/applyEdit requests the server sent (must stay 0). */
	editAttempts = 0;
	readonly documents = new Map<string, { languageId: string; text: string }>();
	private stopping = false;
	private restarting: Promise<void> | undefined;
	private exitWaiters: (() => void)[] = [];

	private constructor(
		private readonly options: StartOptions,
		readonly policy: RestartPolicy,
		/** Extra environment for the server process (e.g. NODE_OPTIONS), applied at every start. */
		private readonly env: Record<string, string>,
	) {}

	static async start(
		options: StartOptions,
		extra: { policy?: RestartPolicy; env?: Record<string, string> } = {},
	): Promise<SupervisedServer> {
		const server = new SupervisedServer(options, extra.policy ?? new RestartPolicy(), extra.env ?? {});
		await server.launch();
		return server;
	}

	get pid(): number {
		return this.client.child.pid!;
	}

	/** Resolves at the next unexpected exit of the current process (and after its restart, if any). */
	nextExit(): Promise<void> {
		return new Promise((resolve) => this.exitWaiters.push(resolve));
	}

	/** Resolves once a restart that is under way has finished (the new process initialised). */
	async restarted(): Promise<void> {
		await this.restarting;
	}

	async open(uri: string, languageId: string, text: string): Promise<void> {
		this.documents.set(uri, { languageId, text });
		await this.client.openDocument(uri, languageId, text);
	}

	async replace(uri: string, text: string): Promise<void> {
		const document = this.documents.get(uri)!;
		document.text = text;
		await this.client.replaceDocument(uri, text);
	}

	/**
	 * Back to the settings it started with, if a case changed them: for afterEach, so that a case that
	 * fails half-way does not leave its settings to the next. True when the settings changed.
	 */
	async restoreSettings(): Promise<boolean> {
		if (this.client.exited || JSON.stringify(this.client.currentSettings) === JSON.stringify(this.options.settings)) {
			return false;
		}
		await this.client.changeSettings(this.options.settings);
		return true;
	}

	/** "Hearth: Restart Language Server": a fresh count, a fresh process. */
	async manualRestart(): Promise<void> {
		this.policy.reset();
		this.gaveUp = false;
		if (!this.client.exited) {
			this.stopping = true;
			await this.client.stop();
			this.stopping = false;
		}
		await this.launch();
	}

	async stop(): Promise<void> {
		this.stopping = true;
		await this.restarting?.catch(() => undefined);
		try {
			await this.client?.stop();
		} catch {
			// its connection was already disposed with the process
		}
	}

	private async launch(): Promise<void> {
		const saved: Record<string, string | undefined> = {};
		for (const [name, value] of Object.entries(this.env)) {
			saved[name] = process.env[name];
			process.env[name] = value;
		}
		let started;
		try {
			// fork copies process.env at the moment it starts the child. A restarted server reads the
			// settings the editor has now (the last ones given to the previous client), as in VS Code.
			const settings = this.client ? this.client.currentSettings : this.options.settings;
			started = LspTestClient.start({ ...this.options, settings });
		} finally {
			for (const [name, value] of Object.entries(saved)) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
		}
		const { client } = await started;
		this.client = client;
		client.connection.onRequest(ApplyWorkspaceEditRequest.type, () => {
			this.editAttempts++;
			return { applied: false, failureReason: 'the fault matrix refuses every edit' };
		});
		let stderr = '';
		client.child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
		client.child.once('exit', (code, signal) => {
			if (this.stopping || this.client !== client) {
				return;
			}
			this.crashes.push({ code, signal, stderr });
			client.connection.dispose();
			if (this.policy.recordCrashAndDecide()) {
				this.restarts++;
				this.restarting = this.relaunch().finally(() => this.notifyExit());
			} else {
				this.gaveUp = true;
				this.notifyExit();
			}
		});
		for (const [uri, document] of this.documents) {
			await client.openDocument(uri, document.languageId, document.text);
		}
	}

	private async relaunch(): Promise<void> {
		await this.launch();
	}

	private notifyExit(): void {
		const waiters = this.exitWaiters;
		this.exitWaiters = [];
		for (const resolve of waiters) resolve();
	}
}
