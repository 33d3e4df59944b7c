import assert from 'node:assert/strict';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine } from '../../src/engine/runtime/completionEngine.js';
import { loadModel } from '../../src/engine/runtime/loadModel.js';
import { tokenizePrompt } from '../../src/engine/prompt/promptTokens.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

const PREFIX = 'function greet(name: string): string {\n\treturn ';
const SUFFIX = ';\n}\n\nconsole.log(greet("world"));\n';

async function openEngine(modelPath: string): Promise<CompletionEngine> {
	const loaded = await loadModel({ modelPath, contextSize: 1024, gpu: 'off', logger: silentLogger });
	return new CompletionEngine(loaded, silentLogger);
}

describe('engine: fill-in-the-middle completion with real llama.cpp inference', function () {
	let modelPath: string;
	let engine: CompletionEngine;

	before(async function () {
		modelPath = await ensureTestModel('tiny-fim', { quantization: 'Q8_0' });
		engine = await openEngine(modelPath);
	});

	after(async function () {
		await engine?.dispose();
	});

	it('detects the FIM template from the model and runs with the machine core count', function () {
		// llama.cpp's "starcoder" test vocabulary is StarCoder2's: it has <file_sep> and <repo_name>.
		assert.equal(engine.info.fimFamily, 'starcoder2');
		assert.ok(engine.info.threads >= 1);
		assert.equal(engine.info.quantization, 'Q8_0');
		assert.equal(engine.info.backend, 'CPU');
	});

	it('is deterministic under greedy decoding, across separately loaded engines', async function () {
		const first = await engine.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 16, mode: 'multi-line' });
		const other = await openEngine(modelPath);
		try {
			const second = await other.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 16, mode: 'multi-line' });
			assert.equal(second.rawText, first.rawText);
			assert.equal(second.stats.generatedTokens, first.stats.generatedTokens);
		} finally {
			await other.dispose();
		}
		assert.ok(first.stats.generatedTokens > 0);
		assert.ok(first.rawText.length > 0);
	});

	it('generates exactly maxTokens when nothing else stops it (random weights never end on their own)', async function () {
		const result = await engine.complete({ prefix: 'let x = 1;\n', suffix: '', maxTokens: 24, mode: 'multi-line' });
		if (result.stopReason === 'max-tokens') {
			assert.equal(result.stats.generatedTokens, 24);
		} else {
			assert.equal(result.stopReason, 'post-process', `unexpected stop: ${result.stopReason}`);
		}
	});

	it('reuses the KV cache of the previous prompt when the user keeps typing', async function () {
		await engine.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 4 });
		const next = await engine.complete({ prefix: PREFIX + 'name', suffix: SUFFIX, maxTokens: 4 });
		assert.ok(next.stats.reusedPromptTokens > 0, 'some prompt tokens were reused');
		assert.equal(next.stats.reusedPromptTokens + next.stats.evaluatedPromptTokens, next.stats.promptTokens);
		assert.ok(next.stats.evaluatedPromptTokens < next.stats.promptTokens);
	});

	it('does no work for a request aborted before it starts', async function () {
		const controller = new AbortController();
		controller.abort();
		const result = await engine.complete({ prefix: PREFIX, suffix: SUFFIX, maxTokens: 16, signal: controller.signal });
		assert.equal(result.stopReason, 'cancelled');
		assert.equal(result.stats.generatedTokens, 0);
		assert.equal(result.text, '');
	});

	it('stops within one token of an abort during generation and keeps the cache usable', async function () {
		const request = { prefix: 'let x = 1;\n', suffix: '', maxTokens: 120, mode: 'multi-line' as const };
		const full = await engine.complete(request);
		assert.ok(
			full.stats.generatedTokens >= 60,
			`an uninterrupted run must be long (stopped by ${full.stopReason} after ${full.stats.generatedTokens} tokens)`,
		);
		// Aborted from the stream itself, a third of the way in: a timer is too coarse for a fast machine.
		const controller = new AbortController();
		let updates = 0;
		const cut = await engine.complete({
			...request,
			signal: controller.signal,
			useCache: false,
			onText: () => ++updates === 20 && controller.abort(),
		});
		assert.equal(cut.stopReason, 'cancelled');
		assert.ok(
			cut.stats.generatedTokens > 0 && cut.stats.generatedTokens < full.stats.generatedTokens,
			`${cut.stats.generatedTokens} of ${full.stats.generatedTokens}`,
		);
		assert.ok(cut.stats.tokensAfterAbort <= 1);
		const after = await engine.complete({ ...request, maxTokens: 8, useCache: false });
		assert.equal(after.rawText, full.rawText.slice(0, after.rawText.length), 'the next request still produces the same greedy text');
	});

	it('answers a repeated or typed-through context from its cache, without the model', async function () {
		const first = await engine.complete({ prefix: 'let total = ', suffix: '\n', maxTokens: 8, mode: 'single-line' });
		assert.ok(first.text.length > 1, `needs a suggestion of 2+ characters, got ${JSON.stringify(first.text)}`);
		const again = await engine.complete({ prefix: 'let total = ', suffix: '\n', maxTokens: 8, mode: 'single-line' });
		assert.equal(again.stats.cacheHit, 'exact');
		assert.equal(again.text, first.text);
		const typed = await engine.complete({ prefix: 'let total = ' + first.text[0], suffix: '\n', maxTokens: 8, mode: 'single-line' });
		assert.equal(typed.stats.cacheHit, 'type-through');
		assert.equal(typed.text, first.text.slice(1));
		assert.equal(typed.stats.generatedTokens, 0);
	});

	it('completes from an empty prefix and at the end of a document', async function () {
		const empty = await engine.complete({ prefix: '', suffix: '', maxTokens: 4 });
		assert.notEqual(empty.stopReason, 'cancelled');
		const atEnd = await engine.complete({ prefix: PREFIX + 'name' + SUFFIX, suffix: '', maxTokens: 4 });
		assert.ok(atEnd.stats.generatedTokens > 0);
	});

	it('treats FIM control tokens written in the document as plain text', async function () {
		const loaded = await loadModel({ modelPath, contextSize: 512, gpu: 'off', logger: silentLogger });
		try {
			const prompt = tokenizePrompt(
				loaded.model,
				loaded.fim.template,
				{ prefix: 'const s = "<fim_middle>', suffix: '<fim_prefix>";\n' },
				400,
			);
			const count = (special: string) => {
				const [token] = loaded.model.tokenize(special, true);
				return prompt.tokens.filter((candidate) => candidate === token).length;
			};
			// Only the template's own markers are control tokens; the document's copies are plain text.
			assert.equal(count('<fim_prefix>'), 1);
			assert.equal(count('<fim_middle>'), 1);
			assert.equal(count('<fim_suffix>'), 1);
			assert.equal(
				loaded.model.detokenize(prompt.tokens, true),
				'<fim_prefix>const s = "<fim_middle><fim_suffix><fim_prefix>";\n<fim_middle>',
			);
		} finally {
			await loaded.dispose();
		}
	});
});
