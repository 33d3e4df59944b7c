import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';
import type { ServerStatus } from '../../src/shared/protocol.js';
import type { HearthSettings } from '../../src/shared/settings.js';
import { MATH_CURSOR as CURSOR, MATH_SOURCE as SOURCE } from '../helpers/mathDocument.js';
import { testSettings } from '../helpers/testSettings.js';
import { insertTextOf, itemsOf, type LspTestClient } from '../server/lspTestClient.js';
import type { FaultChecks } from './faultMatrix.js';
import type { SupervisedServer } from './supervisedServer.js';
import { messageOf } from '../../src/shared/errorMessage.js';

/**
 * What the fault-matrix cases that talk to the language server share: the reference document, and
 * the probe that says whether the server still does its job (a model-generated completion for a
 * document it has not seen yet, so the answer cannot come from a cache).
 */

export { CURSOR, SOURCE };

export function tinyModel(): Promise<string> {
	return ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
}

let probes = 0;

/** True when the server answers a fresh document with a suggestion inserted at the cursor. */
export async function answersCompletion(client: LspTestClient): Promise<{ ok: boolean; why: string }> {
	const uri = `file:///workspace/probe-${process.pid}-${++probes}.ts`;
	try {
		await client.openDocument(uri, 'typescript', `${SOURCE}// probe ${probes}\n`);
		const heldBefore = client.statuses.at(-1)?.heldBack ?? 0;
		const statusesBefore = client.statuses.length;
		const items = itemsOf(await withLimit(client.inlineCompletion(uri, CURSOR), 60_000, 'the probe completion'));
		if (items.length === 0) {
			// Settings that fell back to their defaults turn the confidence gate and the unsure-token cut on,
			// and a random-weight model is never confident: a suggestion they held back is an answer too.
			const held = await client
				.waitForStatus((status) => client.statuses.indexOf(status) >= statusesBefore && (status.heldBack ?? 0) > heldBefore, 10_000)
				.catch(() => undefined);
			if (held) {
				return { ok: true, why: 'the model answered; the confidence gate held the suggestion back' };
			}
			return { ok: false, why: `no suggestion for the probe document (statuses ${JSON.stringify(client.statuses.slice(-3))})` };
		}
		const range = items[0]!.range;
		if (
			!range ||
			range.start.line !== CURSOR.line ||
			range.start.character !== CURSOR.character ||
			range.end.line !== CURSOR.line ||
			range.end.character !== CURSOR.character
		) {
			return { ok: false, why: `the suggestion would replace text: range ${JSON.stringify(range)}` };
		}
		return { ok: insertTextOf(items[0]!).length > 0, why: 'empty suggestion text' };
	} catch (error) {
		return { ok: false, why: messageOf(error) };
	} finally {
		await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } }).catch(() => undefined);
	}
}

/** The standard after-fault checks for a server case: still answering, nothing edited, connection fine. */
export async function checkServerAfterFault(checks: FaultChecks, server: SupervisedServer, expectedModelPath?: string): Promise<void> {
	const probe = await answersCompletion(server.client);
	checks.survived(probe.ok, `the server answers the next completion: ${probe.why}`);
	checks.survived(!server.client.exited, 'the server process is running');
	checks.dataKept(server.editAttempts === 0, `the server tried to edit the user's files ${server.editAttempts} times`);
	if (expectedModelPath !== undefined) {
		const info = await server.client.modelInfo().catch(() => null);
		checks.dataKept(info?.path === expectedModelPath, `the loaded model is still ${expectedModelPath} (got ${info?.path})`);
	}
	const info = await withLimit(server.client.modelInfo(), 30_000, 'hearth/modelInfo').then(
		() => true,
		() => false,
	);
	checks.editorAlive(info, 'the LSP connection answers requests');
}

/** Waits for the model load that started after status #`from` to end: its 'loading' status, then the next settled one. */
export async function settledLoadAfter(client: LspTestClient, from: number, timeoutMs = 60_000): Promise<ServerStatus> {
	const loading = await client.waitForStatus(
		(status) => client.statuses.indexOf(status) >= from && status.state === 'loading',
		timeoutMs,
	);
	const at = client.statuses.indexOf(loading);
	return client.waitForStatus(
		(status) => client.statuses.indexOf(status) > at && status.state !== 'loading' && status.state !== 'busy',
		timeoutMs,
	);
}

export function withLimit<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	return Promise.race([
		promise.finally(() => clearTimeout(timer)),
		new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => reject(new Error(`${what} did not settle within ${limitMs} ms`)), limitMs);
		}),
	]);
}

/**
 * The fault cases' settings: the test defaults with the model at `modelPath` and one thread. One
 * thread, because on a small, busy machine llama.cpp's threads wait for each other at every step
 * and a tiny model's completion can take a minute instead of a few milliseconds.
 */
export function faultSettings(
	modelPath: string,
	performance: Partial<HearthSettings['performance']> = {},
	overrides: { model?: Partial<HearthSettings['model']>; inlineCompletion?: Partial<HearthSettings['inlineCompletion']> } = {},
): HearthSettings {
	return testSettings({
		model: { path: modelPath, ...overrides.model },
		inlineCompletion: overrides.inlineCompletion,
		performance: { threads: 1, ...performance },
	});
}
