import { DidChangeConfigurationNotification, type Connection } from 'vscode-languageserver/node';
import { messageOf } from '../../shared/errorMessage.js';
import { parseSettings } from '../../shared/parseSettings.js';
import { SETTINGS_SECTION } from '../../shared/settings.js';
import type { ServerState } from '../serverState.js';

/**
 * The `hearth` settings: read once the client is initialised and again on every change (asking for
 * change notifications where the client registers them dynamically), checked by parseSettings, and
 * applied to the model, which reloads only when a setting it depends on changed.
 */
export function registerConfiguration(connection: Connection, state: ServerState, dynamicRegistration: boolean): void {
	const reload = async (): Promise<void> => {
		let raw: unknown;
		try {
			raw = await connection.workspace.getConfiguration(SETTINGS_SECTION);
		} catch (error) {
			state.logger.warn(`Could not read settings (${messageOf(error)}); using defaults.`);
		}
		const parsed = parseSettings(raw);
		for (const problem of parsed.problems) {
			state.logger.warn(problem);
		}
		state.settings = parsed.settings;
		await state.models.apply(state.settings);
	};

	connection.onInitialized(async () => {
		if (dynamicRegistration) {
			await connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
		}
		await reload();
	});
	connection.onDidChangeConfiguration(() => void reload());
}
