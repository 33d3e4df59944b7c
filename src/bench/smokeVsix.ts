#!/usr/bin/env node
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';
import { messageOf } from '../shared/errorMessage.js';
import { DEFAULT_SETTINGS } from '../shared/settings.js';
import { BundledServer, insertTextOf, itemsOf } from './soak/bundledServer.js';
import { unzipFile } from './zipArchive.js';

/**
 * The smoke test of a packaged VSIX, run by the release workflow on each platform's runner and by
 * hand: unpacks the VSIX into a temporary folder outside the project (so Node cannot find a package
 * in the project's node_modules that the VSIX lacks), starts the language server the VSIX ships
 * (extension/dist/server.mjs) over Node IPC as VS Code does, with the model the VSIX bundles, and
 * completes one prompt. Exits non-zero when the server does not load, or the completion is empty.
 *
 * Usage: node out/src/bench/smokeVsix.js FILE.vsix   (npm run smoke:vsix -- FILE.vsix)
 */
const DOCUMENT_URI = 'file:///hearth-smoke/add.py';
const DOCUMENT_TEXT = 'def add(a, b):\n    return';
/** Safety limits only: loading the model on a slow runner, and one completion. */
const READY_TIMEOUT_MS = 5 * 60_000;

async function main(argv: string[]): Promise<void> {
	const vsix = argv[0];
	if (!vsix || !fs.existsSync(vsix)) {
		throw new Error(`Usage: smokeVsix FILE.vsix (${vsix ? `${vsix} does not exist` : 'no VSIX given'})`);
	}
	const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-vsix-smoke-'));
	try {
		unzipFile(vsix, unpacked);
		await completeOnce(path.join(unpacked, 'extension'), path.resolve(vsix));
	} finally {
		fs.rmSync(unpacked, { recursive: true, force: true });
	}
}

async function completeOnce(extension: string, vsix: string): Promise<void> {
	const started = Date.now();
	const { client } = await BundledServer.start({
		settings: DEFAULT_SETTINGS,
		defaultModelPath: path.join(extension, BUNDLED_MODEL_RELATIVE_PATH),
		modelsDirectory: path.join(path.dirname(extension), 'models'),
		serverModule: path.join(extension, 'dist', 'server.mjs'),
	});
	try {
		const status = await client.ready(READY_TIMEOUT_MS);
		await client.openDocument(DOCUMENT_URI, 'python', DOCUMENT_TEXT);
		const lines = DOCUMENT_TEXT.split('\n');
		const items = itemsOf(await client.inlineCompletion(DOCUMENT_URI, { line: lines.length - 1, character: lines.at(-1)!.length }));
		const text = items[0] ? insertTextOf(items[0]) : '';
		if (!text.trim()) {
			throw new Error(`the packaged server answered no completion (${items.length} items)`);
		}
		const model = status.model ? `${status.model.displayName}, ${status.model.backend}` : 'no model reported';
		console.log(
			`${path.basename(vsix)}: the packaged server (${model}) completed ${JSON.stringify(DOCUMENT_TEXT)} with ${JSON.stringify(text)} in ${Date.now() - started} ms`,
		);
	} finally {
		await client.stop();
	}
}

main(process.argv.slice(2)).catch((error: unknown) => {
	console.error(`VSIX smoke test failed: ${messageOf(error)}`);
	process.exit(1);
});
