import type { Connection } from 'vscode-languageserver/node';
import { ServerCredentialsNotification } from '../../shared/protocol.js';
import type { ServerState } from '../serverState.js';

/** The completion server's API key from the client's secret storage: a new key reconnects. */
export function registerServerCredentials(connection: Connection, state: ServerState): void {
	connection.onNotification(ServerCredentialsNotification.method, (params: ServerCredentialsNotification.Params) => {
		void state.models.setServerApiKey(typeof params?.apiKey === 'string' ? params.apiKey : '');
	});
}
