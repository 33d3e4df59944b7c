// Runs inside VS Code's extension host (through @vscode/test-electron): the extension as VS Code
// itself loads it from this folder, with the real language server and the default model.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'hearth-dev.hearth';

/** Called once mocha has put `suite`/`test` in scope (see index.ts). */
export function defineExtensionTests(): void {
	suite('Hearth inside VS Code', () => {
		suiteSetup(async function () {
			this.timeout(120_000);
			const extension = vscode.extensions.getExtension(EXTENSION_ID);
			assert.ok(extension, `${EXTENSION_ID} is installed`);
			await extension.activate();
		});

		test('registers every command of its manifest', async () => {
			const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
				contributes: { commands: { command: string }[] };
			};
			const registered = new Set(await vscode.commands.getCommands(true));
			const missing = manifest.contributes.commands.map((c) => c.command).filter((id) => !registered.has(id));
			assert.deepEqual(missing, []);
		});

		test('restarts its language server on request without an error', async function () {
			this.timeout(120_000);
			await vscode.commands.executeCommand('hearth.restartServer');
		});

		test('pausing and resuming writes the user setting, never a workspace one', async () => {
			const configuration = () => vscode.workspace.getConfiguration('hearth');
			await vscode.commands.executeCommand('hearth.toggleInlineCompletions');
			assert.equal(configuration().inspect<boolean>('inlineCompletion.enabled')?.globalValue, false);
			assert.equal(configuration().inspect<boolean>('inlineCompletion.enabled')?.workspaceValue, undefined);
			await vscode.commands.executeCommand('hearth.toggleInlineCompletions');
			assert.equal(configuration().get<boolean>('inlineCompletion.enabled'), true);
		});

		test('the model path cannot be set by a workspace (machine scope)', () => {
			const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
				contributes: { configuration: { properties: Record<string, { scope?: string }> }[] };
			};
			const models = manifest.contributes.configuration.find((category) => 'hearth.model.path' in category.properties);
			assert.equal(models?.properties['hearth.model.path']?.scope, 'machine');
		});
	});
}
