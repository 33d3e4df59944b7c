import { CancellationTokenSource } from 'vscode-languageserver-protocol/node';
import { faultCase, type FaultChecks } from './faultMatrix.js';
import { checkServerAfterFault, CURSOR, faultSettings, SOURCE, tinyModel, withLimit } from './lspProbe.js';
import { SupervisedServer } from './supervisedServer.js';
import { itemsOf } from '../server/lspTestClient.js';

/**
 * Fault matrix, documents: what the editor may hand the server. Every request must settle (with a
 * suggestion or none), nothing may be edited, a suggestion may only insert at the cursor, and the
 * server must answer the next ordinary request.
 */
describe('fault matrix: documents', function () {
	let server: SupervisedServer;
	let modelPath: string;
	let counter = 0;

	before(async function () {
		modelPath = await tinyModel();
		server = await SupervisedServer.start({ settings: faultSettings(modelPath), defaultModelPath: '/nonexistent/default.gguf' });
		await server.client.waitForStatus((status) => status.state === 'ready');
	});

	after(async function () {
		await server?.stop();
	});

	afterEach(async function () {
		await server.restoreSettings();
	});

	/** Opens `text`, asks for a completion at `position`, checks the answer, closes the document. */
	async function completeIn(
		checks: FaultChecks,
		text: string,
		position: { line: number; character: number },
		languageId = 'typescript',
	): Promise<void> {
		const uri = `file:///workspace/document-fault-${++counter}.ts`;
		await server.open(uri, languageId, text);
		const response = await withLimit(server.client.inlineCompletion(uri, position), 90_000, 'the completion request');
		for (const item of itemsOf(response)) {
			const range = item.range;
			checks.dataKept(
				!range ||
					(range.start.line === position.line &&
						range.start.character === position.character &&
						range.end.line === position.line &&
						range.end.character === position.character),
				`a suggestion would replace document text: ${JSON.stringify(range)}`,
			);
		}
		checks.dataKept(server.documents.get(uri)?.text === text, 'the document text is unchanged');
		await server.client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
		server.documents.delete(uri);
		await checkServerAfterFault(checks, server, modelPath);
	}

	faultCase('documents', 'binary content (a PNG header and random bytes as text)', async (checks) => {
		let bytes = '\x89PNG\r\n\x1a\n';
		for (let index = 0; index < 4000; index++) bytes += String.fromCharCode((index * 7919) % 256);
		await completeIn(checks, bytes, { line: 1, character: 0 }, 'plaintext');
	});

	faultCase('documents', '10 MB document, cursor in the middle', async (checks) => {
		const line = 'export const value = computeSomething(1, 2, 3); // padding padding padding\n';
		const text = line.repeat(Math.ceil((10 * 1024 ** 2) / line.length));
		await completeIn(checks, text, { line: Math.floor(text.length / line.length / 2), character: 10 });
	});

	faultCase('documents', 'NUL bytes inside the code', async (checks) => {
		const text = SOURCE.replace('return a + b;', 'return a\0 + b;\0\0');
		await completeIn(checks, text, CURSOR);
	});

	faultCase('documents', 'invalid UTF-16 (lone surrogates) around the cursor', async (checks) => {
		const text = SOURCE.replace('\t\n}', '\t\ud800x\udc00\udbff\n}');
		await completeIn(checks, text, { line: CURSOR.line, character: 3 });
	});

	faultCase('documents', 'one 1 MB line (minified file), cursor mid-line', async (checks) => {
		let text = '';
		for (let index = 0; text.length < 1024 ** 2; index++) text += `var a${index}=function(b){return b*${index}};`;
		await completeIn(checks, text, { line: 0, character: Math.floor(text.length / 2) }, 'javascript');
	});

	faultCase('documents', 'CRLF line endings', async (checks) => {
		await completeIn(checks, SOURCE.replace(/\n/g, '\r\n'), CURSOR);
	});

	faultCase('documents', 'document closed while its request runs', async (checks) => {
		await server.client.changeSettings(faultSettings(modelPath, {}, { inlineCompletion: { maxTokens: 512, mode: 'multi-line' } }));
		const uri = `file:///workspace/closed-mid-request-${++counter}.ts`;
		await server.open(uri, 'typescript', SOURCE);
		const from = server.client.statuses.length;
		const pending = server.client.inlineCompletion(uri, { line: 3, character: 0 });
		await server.client.waitForStatus((status) => server.client.statuses.indexOf(status) >= from && status.state === 'busy');
		await server.client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
		server.documents.delete(uri);
		await withLimit(pending, 90_000, 'the request on the closed document').catch((error) =>
			checks.survived(false, `the request failed: ${error}`),
		);
		await server.client.changeSettings(faultSettings(modelPath));
		await checkServerAfterFault(checks, server, modelPath);
	});

	faultCase('documents', 'document edited while its request runs (the pending edit is kept)', async (checks) => {
		await server.client.changeSettings(faultSettings(modelPath, {}, { inlineCompletion: { maxTokens: 512, mode: 'multi-line' } }));
		const uri = `file:///workspace/edited-mid-request-${++counter}.ts`;
		await server.open(uri, 'typescript', SOURCE);
		const cancel = new CancellationTokenSource();
		const from = server.client.statuses.length;
		const pending = server.client.inlineCompletion(uri, { line: 3, character: 0 }, cancel);
		await server.client.waitForStatus((status) => server.client.statuses.indexOf(status) >= from && status.state === 'busy');
		// The user types while the model runs: the edit arrives, then the editor cancels the stale request.
		const edited = SOURCE.replace('\t\n}', '\treturn a * b;\n}');
		await server.replace(uri, edited);
		cancel.cancel();
		await withLimit(pending, 90_000, 'the cancelled request').catch(() => undefined);
		const next = itemsOf(
			await withLimit(server.client.inlineCompletion(uri, { line: 7, character: 0 }), 90_000, 'the request after the edit'),
		);
		checks.dataKept(server.documents.get(uri)?.text === edited, 'the edit is kept');
		for (const item of next) {
			checks.dataKept(
				item.range?.start.line === 7 &&
					item.range.end.line === 7 &&
					item.range.start.character === 0 &&
					item.range.end.character === 0,
				`the suggestion after the edit would replace text: ${JSON.stringify(item.range)}`,
			);
		}
		await server.client.changeSettings(faultSettings(modelPath));
		await checkServerAfterFault(checks, server, modelPath);
	});
});
