import assert from 'node:assert/strict';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { MATH_CURSOR, MATH_SOURCE } from '../helpers/mathDocument.js';
import { testSettings } from '../helpers/testSettings.js';
import type { HearthSettings } from '../../src/shared/settings.js';
import { LspTestClient } from './lspTestClient.js';

/**
 * hearth.inlineCompletion.enable on the server's side, for editors whose client asks regardless
 * (VS Code's client does not even send the request, see serverClient.ts): a language switched off
 * gets no completion and costs no model run; switched on, the same document is completed by the
 * model (its completion report arrives; the random tiny model's text may well be cut to nothing).
 */
const settings = (inlineCompletion: Partial<HearthSettings['inlineCompletion']> = {}) =>
	testSettings({ model: { path: modelPath }, inlineCompletion: { maxTokens: 4, ...inlineCompletion } });
let modelPath: string;

describe('language server: completions per language (real server process, real model)', function () {
	let client: LspTestClient;
	const MARKDOWN = 'file:///workspace/notes.md';
	const TYPESCRIPT = 'file:///workspace/math.ts';

	before(async function () {
		modelPath = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
		client = (await LspTestClient.start({ settings: settings(), defaultModelPath: '/nonexistent.gguf' })).client;
		await client.ready(120_000);
		await client.openDocument(MARKDOWN, 'markdown', MATH_SOURCE);
		await client.openDocument(TYPESCRIPT, 'typescript', MATH_SOURCE);
	});

	after(async function () {
		await client?.stop();
	});

	it('answers nothing in Markdown by default, without a model run, and answers TypeScript', async function () {
		assert.equal(await client.inlineCompletion(MARKDOWN, MATH_CURSOR), null);
		assert.equal(client.reports.length, 0, 'no report: the model was not asked');
		await client.inlineCompletion(TYPESCRIPT, MATH_CURSOR);
		const report = await client.waitForReport(0);
		assert.equal(report.uri, TYPESCRIPT);
		assert.equal(report.source, 'model');
	});

	it('answers Markdown once it is switched on, and nothing anywhere with "*": false', async function () {
		let reads = client.settingsReads;
		await client.changeSettings(settings({ enable: { '*': true, markdown: true } }));
		await client.waitForStatus(() => client.settingsReads > reads);
		await client.inlineCompletion(MARKDOWN, MATH_CURSOR);
		assert.equal(client.reports.at(-1)?.uri, MARKDOWN, 'the model completed the Markdown document');

		reads = client.settingsReads;
		await client.changeSettings(settings({ enable: { '*': false } }));
		await client.waitForStatus(() => client.settingsReads > reads);
		const reports = client.reports.length;
		assert.equal(await client.inlineCompletion(TYPESCRIPT, MATH_CURSOR), null);
		assert.equal(client.reports.length, reports, 'no report: the model was not asked');
	});
});
