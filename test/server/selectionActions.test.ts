import assert from 'node:assert/strict';
import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import { ActionProgressNotification, RunActionRequest } from '../../src/shared/protocol.js';
import { testSettings } from '../helpers/testSettings.js';
import { waitFor } from '../helpers/waitFor.js';
import path from 'node:path';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { projectRoot } from '../../src/tooling/projectRoot.js';
import { itemsOf, LspTestClient } from './lspTestClient.js';

const URI = 'file:///workspace/actions.ts';
const CODE = [
	'export function total(items: { price: number; quantity: number }[]): number {',
	'\tlet sum = 0;',
	'\tfor (const item of items) {',
	'\t\tsum += item.price * item.quantity;',
	'\t}',
	'\treturn sum;',
	'}',
	'',
].join('\n');

describe('language server: explain, refactor and clean up on a selection with an instruct model (real model, real server process)', function () {
	let client: LspTestClient;
	let modelPath: string;
	const progress = new Map<string, string[]>();

	before(async function () {
		// An instruct preset (a chat template in the GGUF): the actions run as chat prompts on it.
		modelPath = await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' });
		// One thread: a busy 2-core machine slows a tiny model down by two orders of magnitude with two.
		const started = await LspTestClient.start({
			settings: testSettings({ model: { path: modelPath }, performance: { threads: 1 } }),
			defaultModelPath: '/nonexistent/default.gguf',
		});
		client = started.client;
		client.connection.onNotification(ActionProgressNotification.method, (params: ActionProgressNotification.Params) => {
			progress.set(params.progressToken, [...(progress.get(params.progressToken) ?? []), params.text]);
		});
		await client.waitForStatus((status) => status.state === 'ready');
		await client.openDocument(URI, 'typescript', `${CODE}\nconst x = 1;\n`);
	});

	after(async function () {
		await client?.stop();
	});

	const run = (params: RunActionRequest.Params, token?: CancellationTokenSource) =>
		(token
			? client.connection.sendRequest(RunActionRequest.method, params, token.token)
			: client.connection.sendRequest(RunActionRequest.method, params)) as Promise<RunActionRequest.Result>;

	it('explains: the answer streams, each update extending the last, and names the model and the time', async function () {
		const result = await run({
			progressToken: 'explain-1',
			kind: 'explain',
			code: CODE,
			languageId: 'typescript',
			filePath: 'src/total.ts',
		});
		assert.ok(result.text.length > 0);
		assert.ok(result.generatedTokens > 0 && result.tokensPerSecond > 0);
		assert.match(result.model, /tiny-qwen2-Instruct/);
		assert.equal(result.route?.via, 'chat', result.route?.reason);
		assert.ok(result.totalMs > 0);
		const updates = progress.get('explain-1') ?? [];
		assert.ok(updates.length >= 2, `streamed in several updates (${updates.length})`);
		for (let i = 1; i < updates.length; i++) {
			assert.ok(updates[i]!.startsWith(updates[i - 1]!), 'no update takes text back');
		}
		assert.equal(updates.at(-1), result.text, 'the last update is the answer');
	});

	it('keeps an answer within the hearth.actions.maxTokens setting: the same answer, cut short', async function () {
		const settings = (maxTokens: number) =>
			testSettings({ model: { path: modelPath }, performance: { threads: 1 }, actions: { maxTokens } });
		const changeSettings = async (maxTokens: number) => {
			const reads = client.settingsReads;
			await client.changeSettings(settings(maxTokens));
			// The server has the new settings once it has read them, before it takes the next request.
			await waitFor('the server to read the new settings', () => (client.settingsReads > reads ? true : undefined));
		};
		const request = { kind: 'explain', code: CODE, languageId: 'typescript', filePath: 'src/total.ts' } as const;
		const full = await run({ progressToken: 'explain-full', ...request });
		assert.ok(full.generatedTokens > 8, `the action's own limit allows a longer answer (${full.generatedTokens} tokens)`);
		await changeSettings(8);
		try {
			const bounded = await run({ progressToken: 'explain-bounded', ...request });
			assert.equal(bounded.generatedTokens, 8);
			assert.equal(bounded.stopReason, 'max-tokens');
			assert.ok(
				bounded.text.length > 0 && full.text.startsWith(bounded.text),
				`the start of the same answer: ${JSON.stringify(bounded.text)}`,
			);
		} finally {
			await changeSettings(0);
		}
	});

	it('stops at once when cancelled, and the model is free for the next request', async function () {
		const token = new CancellationTokenSource();
		const pending = run({ progressToken: 'explain-cancel', kind: 'explain', code: CODE, languageId: 'typescript' }, token);
		await waitFor('the first streamed text', () => progress.get('explain-cancel')?.[0], 60_000);
		token.cancel();
		await assert.rejects(pending, /cancel/i);
		const next = await run({ progressToken: 'explain-after', kind: 'explain', code: 'const a = 1;\n', languageId: 'typescript' });
		assert.ok(next.generatedTokens > 0);
	});

	it('gives way to inline completions: typing pauses a running refactor, which then resumes and finishes', async function () {
		const pending = run({
			progressToken: 'refactor-1',
			kind: 'refactor',
			code: CODE.repeat(2),
			languageId: 'typescript',
			instruction: 'use reduce',
		});
		let settled = false;
		void pending.finally(() => (settled = true));
		await waitFor('the refactor streaming', () => progress.get('refactor-1')?.[0], 60_000);
		const completion = itemsOf(await client.inlineCompletion(URI, { line: 8, character: 0 }));
		assert.ok(completion.length <= 1);
		assert.equal(client.reports.at(-1)!.cancelled, false, 'the completion ran');
		assert.equal(settled, false, 'the completion was answered while the refactor was still under way');
		const result = await pending;
		assert.ok(result.pauses >= 1, `the refactor paused for typing (${result.pauses})`);
		assert.notEqual(result.stopReason, 'cancelled');
		const updates = progress.get('refactor-1')!;
		for (let i = 1; i < updates.length; i++) {
			assert.ok(updates[i]!.startsWith(updates[i - 1]!), 'resuming kept the text generated before the pause');
		}
	});

	it('returns a rewrite as a proposal, and refuses a clean-up that touched code before it can be offered', async function () {
		const refactor = await run({
			progressToken: 'refactor-2',
			kind: 'refactor',
			code: CODE,
			languageId: 'typescript',
			instruction: 'use reduce',
		});
		assert.equal(typeof refactor.proposal, 'string');
		assert.equal(refactor.commentOnly, undefined, 'a refactor may change code');
		// A random-weight model rewrites everything: the check must catch it.
		const cleanup = await run({
			progressToken: 'cleanup-1',
			kind: 'cleanup',
			code: `/** adds up teh totals */
${CODE}`,
			languageId: 'typescript',
		});
		assert.equal(typeof cleanup.proposal, 'string');
		assert.ok(
			cleanup.commentOnly && !cleanup.commentOnly.ok,
			`the gibberish rewrite was refused: ${JSON.stringify(cleanup.commentOnly)}`,
		);
		assert.match(cleanup.commentOnly.reason, /code|line/i);
		// Prose has no code to protect.
		const prose = await run({ progressToken: 'cleanup-2', kind: 'cleanup', code: 'this are a readme.\n', languageId: 'markdown' });
		assert.deepEqual(prose.commentOnly, { ok: true });
	});

	it('says clearly when the selection is too long for the model', async function () {
		await assert.rejects(
			run({ progressToken: 'huge', kind: 'cleanup', code: 'let a = 1; // note\n'.repeat(4000), languageId: 'typescript' }),
			/tokens long; the chat context holds \d+ tokens/,
		);
	});
});

describe('language server: the actions on the bundled base FIM model (real trained model, real server process)', function () {
	let client: LspTestClient;

	before(async function () {
		const started = await LspTestClient.start({
			settings: testSettings({ performance: { threads: 1 } }),
			defaultModelPath: path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH),
		});
		client = started.client;
		await client.waitForStatus((status) => status.state === 'ready');
	});

	after(async function () {
		await client?.stop();
	});

	const run = (params: Omit<RunActionRequest.Params, 'progressToken'>) =>
		client.connection.sendRequest(RunActionRequest.method, { progressToken: 'bundled', ...params }) as Promise<RunActionRequest.Result>;

	it('answers Explain with a generated doc comment in the language style, labelled as one, with its confidence', async function () {
		const result = await run({ kind: 'explain', code: PYTHON, languageId: 'python' });
		assert.equal(result.route?.via, 'document-this', result.route?.reason);
		assert.match(result.route!.reason, /base fill-in-the-middle model/);
		assert.ok(result.docComment, 'labelled as a generated doc comment');
		assert.match(result.docComment.comment, /^""".+/s, `a docstring: ${result.docComment.comment}`);
		assert.ok(result.text.includes(result.docComment.comment));
		assert.equal(result.proposal, undefined);
		assert.ok(result.confidence && result.confidence.minLogProb <= result.confidence.meanLogProb && result.confidence.meanLogProb <= 0);
	});

	it('offers the documented code for Clean Up Docs, checked to change comments only', async function () {
		const result = await run({ kind: 'cleanup', code: CODE, languageId: 'typescript' });
		assert.equal(result.route?.via, 'document-this');
		assert.ok(result.proposal?.endsWith(CODE), `the code is unchanged under the new comment: ${result.proposal}`);
		assert.match(result.proposal ?? '', /^\/\*\*\n/);
		assert.deepEqual(result.commentOnly, { ok: true });
	});

	it('runs nothing for Refactor and says why, so the editor can offer a chat model or the frontier model', async function () {
		const result = await run({ kind: 'refactor', code: CODE, languageId: 'typescript', instruction: 'use reduce' });
		assert.equal(result.route?.via, 'unavailable');
		assert.match(result.route!.reason, /Refactor needs a model that follows instructions/);
		assert.equal(result.text, '');
		assert.equal(result.proposal, undefined);
		assert.equal(result.generatedTokens, 0);
	});
});

const PYTHON = ['def read_lines(path):', '    with open(path) as handle:', '        return [line.rstrip() for line in handle]', ''].join(
	'\n',
);
