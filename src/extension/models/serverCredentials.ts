import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { ServerCredentialsNotification } from '../../shared/protocol.js';

const API_KEY_SECRET = 'hearth.modelServer.apiKey';

/**
 * The completion server's API key lives in VS Code's secret storage (the OS keychain), never in
 * settings or logs. It is pushed to the language server whenever the server (re)starts and whenever
 * the secret changes.
 */
export class ServerCredentials implements vscode.Disposable {
	private readonly subscriptions: vscode.Disposable[] = [];

	constructor(
		private readonly secrets: vscode.SecretStorage,
		private readonly client: LanguageClient,
	) {
		this.subscriptions.push(
			secrets.onDidChange((event) => event.key === API_KEY_SECRET && void this.push()),
			client.onDidChangeState(({ newState }) => newState === State.Running && void this.push()),
		);
	}

	async store(apiKey: string): Promise<void> {
		if (apiKey) {
			await this.secrets.store(API_KEY_SECRET, apiKey);
		} else {
			await this.secrets.delete(API_KEY_SECRET);
		}
	}

	async hasKey(): Promise<boolean> {
		return Boolean(await this.secrets.get(API_KEY_SECRET));
	}

	async push(): Promise<void> {
		if (!this.client.isRunning()) {
			return;
		}
		const apiKey = (await this.secrets.get(API_KEY_SECRET)) ?? '';
		await this.client.sendNotification(ServerCredentialsNotification.method, { apiKey } satisfies ServerCredentialsNotification.Params);
	}

	dispose(): void {
		for (const subscription of this.subscriptions) {
			subscription.dispose();
		}
	}
}
