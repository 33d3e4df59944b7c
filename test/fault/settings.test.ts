import { parseSettings } from '../../src/shared/parseSettings.js';
import { modelReloadNeeded, type HearthSettings } from '../../src/shared/settings.js';
import { waitFor } from '../helpers/waitFor.js';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { checkServerAfterFault, faultSettings, settledLoadAfter, tinyModel } from './lspProbe.js';
import { SupervisedServer } from './supervisedServer.js';

/**
 * Fault matrix, settings: `workspace/configuration` answering values of the wrong kind, out of range,
 * or nonsense. The server must name the bad setting in its log, fall back to the default for it,
 * keep the loaded model and keep completing.
 */
describe('fault matrix: settings', function () {
	let server: SupervisedServer;
	let modelPath: string;

	before(async function () {
		modelPath = await tinyModel();
		server = await SupervisedServer.start({ settings: faultSettings(modelPath), defaultModelPath: '/nonexistent/default.gguf' });
		await server.client.waitForStatus((status) => status.state === 'ready');
		current = faultSettings(modelPath);
	});

	after(async function () {
		await server?.stop();
	});

	let current: unknown;

	/**
	 * Gives the server new raw settings; when they (as the server parses them) need the model loaded
	 * again, waits for that load to end, so that a probe never meets a model swap half way.
	 */
	async function change(next: unknown): Promise<void> {
		const reload = current === undefined || modelReloadNeeded(parseSettings(current).settings, parseSettings(next).settings);
		current = next;
		const from = server.client.statuses.length;
		await server.client.changeSettings(next as HearthSettings);
		if (reload) {
			await settledLoadAfter(server.client, from);
		}
	}

	/** Sends settings with `edit` applied to the good ones (as raw JSON, any shape), then checks. */
	async function badSettings(
		checks: FaultChecks,
		edit: (raw: Record<string, Record<string, unknown>>) => void,
		warned: RegExp[],
	): Promise<void> {
		const raw = structuredClone(faultSettings(modelPath)) as unknown as Record<string, Record<string, unknown>>;
		edit(raw);
		const logsBefore = server.client.logs.length;
		await change(raw);
		for (const pattern of warned) {
			await waitFor(
				`a log line matching ${pattern}`,
				() => server.client.logs.slice(logsBefore).find((log) => pattern.test(log.message)),
				30_000,
			).catch(() =>
				checks.survived(
					false,
					`the log names the bad setting (${pattern}); got ${JSON.stringify(server.client.logs.slice(logsBefore).map((log) => log.message))}`,
				),
			);
		}
		await checkServerAfterFault(checks, server, modelPath);
		await change(faultSettings(modelPath));
	}

	faultCase('settings', 'wrong kinds: a string for a number, a number for a boolean, an object for a string', async (checks) => {
		await badSettings(
			checks,
			(raw) => {
				raw.inlineCompletion!.maxTokens = 'sixty-four';
				raw.inlineCompletion!.enabled = 1;
				raw.model!.serverModel = { name: 'x' };
			},
			[/hearth\.inlineCompletion\.maxTokens/, /hearth\.inlineCompletion\.enabled/, /hearth\.model\.serverModel/],
		);
	});

	faultCase('settings', 'out-of-range numbers (maxTokens 0, contextSize 10^9, threads -1, timeBudgetMs NaN)', async (checks) => {
		await badSettings(
			checks,
			(raw) => {
				raw.inlineCompletion!.maxTokens = 0;
				raw.performance!.contextSize = 1e9;
				raw.performance!.threads = -1;
				raw.inlineCompletion!.timeBudgetMs = Number.NaN;
			},
			[/hearth\.inlineCompletion\.maxTokens/, /hearth\.performance\.contextSize/, /hearth\.performance\.threads/],
		);
	});

	faultCase('settings', 'unknown backend ("cloud") and unknown enum values (mode, gpu)', async (checks) => {
		await badSettings(
			checks,
			(raw) => {
				raw.model!.backend = 'cloud';
				raw.inlineCompletion!.mode = 'sideways';
				raw.performance!.gpu = 'quantum';
			},
			[/hearth\.model\.backend/, /hearth\.inlineCompletion\.mode/, /hearth\.performance\.gpu/],
		);
	});

	faultCase('settings', 'server URL garbage (backend "server", URL "ht!tp://::not a url")', async (checks) => {
		// The URL is refused as a setting, so "server" with no URL: the server must keep the local model.
		await badSettings(
			checks,
			(raw) => {
				raw.model!.backend = 'server';
				raw.model!.serverUrl = 'ht!tp://::not a url';
			},
			[/hearth\.model\.serverUrl/],
		);
	});

	faultCase('settings', 'server URL with another scheme (file:///etc/passwd)', async (checks) => {
		await badSettings(
			checks,
			(raw) => {
				raw.model!.backend = 'server';
				raw.model!.serverUrl = 'file:///etc/passwd';
			},
			[/hearth\.model\.serverUrl/],
		);
	});

	faultCase('settings', 'the whole section is not an object (a string), then null', async (checks) => {
		const logsBefore = server.client.logs.length;
		await change('hearth');
		await change(null);
		// Defaults apply, and the default model (/nonexistent) cannot load: the loaded one must stay.
		await checkServerAfterFault(checks, server, modelPath);
		checks.survived(server.client.logs.length > logsBefore, 'the log says what happened');
		await change(faultSettings(modelPath));
	});

	faultCase('settings', 'a model path full of junk (NUL, newlines, 4 KB long)', async (checks) => {
		await badSettings(checks, (raw) => void (raw.model!.path = `/tmp/\0bad\n${'x'.repeat(4096)}.gguf`), []);
	});
});
