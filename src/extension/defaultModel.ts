import * as vscode from 'vscode';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';

/** The model shipped inside the extension, used until the user picks another. */
export function bundledModelPath(context: vscode.ExtensionContext): string {
	return vscode.Uri.joinPath(context.extensionUri, ...BUNDLED_MODEL_RELATIVE_PATH.split('/')).fsPath;
}
