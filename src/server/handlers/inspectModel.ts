import type { Connection } from 'vscode-languageserver/node';
import { InspectModelRequest } from '../../shared/protocol.js';
import { modelLibraryOf, type ServerState } from '../serverState.js';

/** `hearth/inspectModel`: what a GGUF file the user picked is, and whether it fits in memory. */
export function registerInspectModel(connection: Connection, state: ServerState): void {
	connection.onRequest(InspectModelRequest.method, (params: InspectModelRequest.Params): Promise<InspectModelRequest.Result> =>
		modelLibraryOf(state).inspect(String(params?.path ?? '')),
	);
}
