import * as vscode from 'vscode';

const SECRET_PREFIX = 'hearth.frontier.apiKey:';

/**
 * Frontier API keys, in VS Code's secret storage (the OS keychain), one per endpoint origin: a key
 * set for https://api.openai.com is never sent to another server because the base URL changed.
 * Keys never go to settings, logs or files.
 */
export class FrontierKeys {
	constructor(private readonly secrets: vscode.SecretStorage) {}

	get(origin: string): Thenable<string | undefined> {
		return this.secrets.get(SECRET_PREFIX + origin);
	}

	/** Asks for the key in a password box; returns whether one was stored. */
	async askAndStore(origin: string): Promise<boolean> {
		const key = await vscode.window.showInputBox({
			title: `Hearth: API key for ${origin}`,
			prompt: `Kept in VS Code's secret storage and sent only to ${origin}, only when you escalate.`,
			password: true,
			ignoreFocusOut: true,
			validateInput: (value) =>
				/\s/.test(value.trim()) ? 'An API key has no spaces.' : value.trim() === '' ? 'Enter the key, or press Escape.' : undefined,
		});
		if (!key?.trim()) {
			return false;
		}
		await this.secrets.store(SECRET_PREFIX + origin, key.trim());
		return true;
	}

	async clear(origin: string): Promise<boolean> {
		const had = (await this.get(origin)) !== undefined;
		await this.secrets.delete(SECRET_PREFIX + origin);
		return had;
	}
}
