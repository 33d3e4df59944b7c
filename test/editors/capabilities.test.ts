import assert from 'node:assert/strict';
import path from 'node:path';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { repoRoot } from '../helpers/paths.js';
import { testSettings } from '../helpers/testSettings.js';
import { LspTestClient } from '../server/lspTestClient.js';

/**
 * The server offers its ghost text once per editor: as inline completion to a client that has it
 * (VS Code's, as the extension starts the bundle), as a completion item only to one without it
 * (neovim.test.ts). Offered both, VS Code would show every suggestion twice: as ghost text and in the
 * suggest widget.
 */
describe('other editors: which completion the server advertises', function () {
	let client: LspTestClient | undefined;

	afterEach(async function () {
		await client?.stop();
		client = undefined;
	});

	it("advertises inline completion and no textDocument/completion to VS Code's client, which has inline completion", async function () {
		const started = await LspTestClient.start({
			settings: testSettings(),
			defaultModelPath: path.join(repoRoot, BUNDLED_MODEL_RELATIVE_PATH),
		});
		client = started.client;
		assert.equal(started.initializeResult.capabilities.inlineCompletionProvider, true);
		assert.equal(started.initializeResult.capabilities.completionProvider, undefined);
	});
});
