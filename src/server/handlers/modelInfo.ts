import type { Connection } from 'vscode-languageserver/node';
import { ModelInfoRequest } from '../../shared/protocol.js';
import type { ServerState } from '../serverState.js';

/** `hearth/modelInfo`: the model in use, or null while none is loaded. */
export function registerModelInfo(connection: Connection, state: ServerState): void {
	connection.onRequest(ModelInfoRequest.method, (): ModelInfoRequest.Result => state.models.modelSummary ?? null);
}
