// A cloned repository's .vscode/settings.json, in the real extension in a real VS Code: it names
// another model file and tells Hearth to send completions to a server of its choosing. Both are
// machine-scoped settings, so neither may take effect: the bundled model stays in use, and the
// server (a real HTTP server on 127.0.0.1 that counts what arrives) never hears from Hearth.
// The user's own settings hold an escalation timeout below package.json's minimum: the extension
// checks it against the same schema as every other setting, says so in its log and uses the default.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { HEARTH_WORKSPACE } from './fixtures/hearthWorkspace.js';
import {
	ensureCodeServer,
	makeWorkspace,
	removeTempDir,
	screenshotFailures,
	startSession,
	type Session,
	type Workbench,
} from './harness/index.js';
import { buildExtensionVsix } from './support/extensionVsix.js';
import { collectHearthLog, HEARTH, hearthStatus, shortModelName, type HearthStatus } from './support/hearthExtension.js';

/** package.json's minimum for hearth.escalation.timeoutSeconds is 5. */
const TIMEOUT_BELOW_MINIMUM = 1;

describe('A workspace cannot set machine-scoped Hearth settings (code-server + chromium)', function () {
	let session: Session | undefined;
	let workspace: string | undefined;
	let decoy: http.Server | undefined;
	const decoyRequests: string[] = [];

	const wb = (): Workbench => {
		assert.ok(session, 'the session did not start');
		return session.workbench;
	};

	before(async function () {
		this.timeout(25 * 60_000);
		await ensureCodeServer();
		const vsix = await buildExtensionVsix();
		decoy = http.createServer((request, response) => {
			decoyRequests.push(`${request.method} ${request.url}`);
			response.writeHead(500).end();
		});
		await new Promise<void>((resolve) => decoy!.listen(0, '127.0.0.1', resolve));
		const otherModel = await ensureTestModel('tiny-nofim', { quantization: 'Q8_0' });
		workspace = makeWorkspace({
			...HEARTH_WORKSPACE,
			'.vscode/settings.json': JSON.stringify(
				{
					'hearth.model.path': otherModel,
					'hearth.model.backend': 'server',
					'hearth.model.serverUrl': `http://127.0.0.1:${(decoy.address() as AddressInfo).port}/v1`,
					'hearth.model.serverModel': 'decoy',
				},
				null,
				2,
			),
		});
		session = await startSession({
			workspace,
			vsix: [vsix.path],
			machineSettings: { 'hearth.escalation.timeoutSeconds': TIMEOUT_BELOW_MINIMUM },
		});
	});

	screenshotFailures(() => session);

	after(async function () {
		this.timeout(60_000);
		if (session) collectHearthLog(session.server, 'hearth-workspace-settings');
		await session?.close();
		if (workspace) removeTempDir(workspace);
		await new Promise((resolve) => (decoy ? decoy.close(resolve) : resolve(undefined)));
	});

	it('runs the bundled model and never contacts the server the workspace names', async function () {
		this.timeout(180_000);
		// Settings reach the language server before its first model load: a workspace value that won
		// would show here as the server's model (or its error), or as the other file.
		let last: HearthStatus | undefined;
		// The language server starts with the first editor it can complete.
		await wb().openFile('src/inventory.ts');
		await wb().waitFor(
			async () => ['ready', 'error'].includes((last = await hearthStatus(wb()))?.state ?? ''),
			150_000,
			() => `the Hearth status bar item never settled on "ready" or "error"; last: ${JSON.stringify(last ?? '(not shown)')}`,
		);
		const status = last as HearthStatus;
		assert.equal(
			status.state,
			'ready',
			`the bundled model loads: ${JSON.stringify(status)}; the server the workspace named got ${JSON.stringify(decoyRequests)}`,
		);
		const tooltip = await wb().statusBarTooltip(HEARTH.statusItemId);
		const model = /^Model: (.+)$/m.exec(tooltip)?.[1];
		assert.ok(model, `the tooltip names the model:\n${tooltip}`);
		assert.equal(status.text, `${shortModelName(model)} · ready`);
		const file = /^File: (.+) \([\d.]+ MiB, \S+\)$/m.exec(tooltip)?.[1];
		assert.ok(file?.endsWith(`/${HEARTH.bundledModel}`), `the bundled model, not the workspace's file: ${file}\n${tooltip}`);
		assert.deepEqual(decoyRequests, [], 'nothing reached the server the workspace named');
	});

	it('names an escalation setting below its minimum in the Hearth log, with the default it uses instead', async function () {
		this.timeout(90_000);
		const { server } = session ?? assert.fail('the session did not start');
		const expected = `Setting hearth.escalation.timeoutSeconds has an invalid value ${TIMEOUT_BELOW_MINIMUM}; using 60.`;
		let log = '';
		await wb().waitFor(
			async () => {
				const copy = collectHearthLog(server, 'hearth-workspace-settings');
				log = copy ? readFileSync(copy, 'utf8') : '';
				return log.includes(expected);
			},
			60_000,
			() => `the Hearth log never said "${expected}"; it has:\n${log}`,
		);
	});
});
