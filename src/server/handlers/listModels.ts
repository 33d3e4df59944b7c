import type { Connection } from 'vscode-languageserver/node';
import { ListModelsRequest } from '../../shared/protocol.js';
import { modelLibraryOf, type ServerState } from '../serverState.js';

/** `hearth/listModels`: the models folder's files and the catalog's entries, each with its memory fit for the role asked about. */
export function registerListModels(connection: Connection, state: ServerState): void {
	connection.onRequest(ListModelsRequest.method, (params: ListModelsRequest.Params): Promise<ListModelsRequest.Result> =>
		modelLibraryOf(state).inventory(
			Array.isArray(params?.catalog) ? params.catalog : [],
			params?.role === 'chat' ? 'chat' : 'completion',
		),
	);
}
