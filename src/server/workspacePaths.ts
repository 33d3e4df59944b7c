import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What naming a document takes; the server's instance is only known after `initialize`. */
export type DocumentPaths = Pick<WorkspacePaths, 'displayPath'>;

/**
 * Names documents as the prompt shows them: relative to the workspace folder that holds them (the
 * form code models were trained with, `src/app.ts`), the bare file name otherwise, nothing for
 * documents without a file (untitled ones).
 */
export class WorkspacePaths {
	private readonly folders: string[];

	constructor(folderUris: readonly string[]) {
		this.folders = folderUris.flatMap((uri) => {
			const folder = filePathOf(uri);
			return folder === undefined ? [] : [folder];
		});
	}

	displayPath(uri: string): string | undefined {
		const file = filePathOf(uri);
		if (file === undefined) {
			return undefined;
		}
		for (const folder of this.folders) {
			const relative = path.relative(folder, file);
			if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) {
				return relative.split(path.sep).join('/');
			}
		}
		return path.basename(file);
	}
}

function filePathOf(uri: string): string | undefined {
	if (!uri.startsWith('file:')) {
		return undefined;
	}
	try {
		return fileURLToPath(uri);
	} catch {
		return undefined;
	}
}
