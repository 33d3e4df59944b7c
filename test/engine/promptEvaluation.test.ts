import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine, type CompletionRequest } from '../../src/engine/runtime/completionEngine.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { LocalTokenSource, SMALL_FIRST_PROMPT_TOKENS } from '../../src/engine/runtime/localTokenSource.js';
import { ABORTABLE_CHUNK_TARGET_MS, PromptChunkSize } from '../../src/engine/runtime/promptChunkSize.js';
import { CompletionScheduler, type RunReport } from '../../src/engine/scheduling/completionScheduler.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

/** A long prefix, so that the prompt takes many batches to evaluate. */
const LONG_PREFIX = Array.from({ length: 120 }, (_, index) => `const value${index} = compute(${index}, "item ${index}");\n`).join('');
const SUFFIX = '\nexport default value0;\n';

/** Resolves once `condition` holds, checked every millisecond. */
async function until(condition: () => boolean): Promise<void> {
	while (!condition()) {
		await sleep(1);
	}
}

describe('prompt chunk size: batches sized from the measured speed', function () {
	it('halves a batch that takes over the target and doubles one well under it', function () {
		const size = new PromptChunkSize({ targetMs: 100 });
		const start = size.tokens;
		size.record(start, 250);
		assert.equal(size.tokens, start / 2);
		size.record(start / 2, 10);
		assert.equal(size.tokens, start);
		size.record(start, 60); // under the target, but not by enough to double
		assert.equal(size.tokens, start);
	});

	it('ignores a short last batch, and never goes below a few tokens', function () {
		const size = new PromptChunkSize({ targetMs: 100 });
		const start = size.tokens;
		size.record(start - 1, 10_000);
		assert.equal(size.tokens, start);
		for (let step = 0; step < 20; step++) {
			size.record(size.tokens, 10_000);
		}
		assert.ok(size.tokens >= 1 && size.tokens < start, `settled at ${size.tokens}`);
	});

	it('evaluates a long prompt far from its end in large batches and its last tokens in measured ones', function () {
		const size = new PromptChunkSize({ targetMs: 100 });
		size.record(size.tokens, 10_000);
		const small = size.tokens;
		assert.ok(size.next(2_000) > small, 'a fill batch is larger than the measured one');
		assert.equal(size.next(small + 3), small);
		assert.equal(size.next(2), 2);
	});

	it('a measured batch of many tokens (a fast model) is not multiplied for the fill; an unmeasured one is', function () {
		const size = new PromptChunkSize({ targetMs: 100 });
		assert.ok(size.next(2_000) > size.tokens, 'nothing measured yet: a cold prompt goes in fill batches');
		size.record(size.tokens, 1);
		while (size.tokens < 128) {
			size.record(size.tokens, 1);
		}
		assert.equal(size.next(2_000), size.tokens);
	});

	it('a run nobody waits for gets no fill batches, only measured ones', function () {
		const size = new PromptChunkSize({ targetMs: 100 });
		size.record(size.tokens, 10_000);
		const small = size.tokens;
		assert.equal(size.next(2_000, true), small);
		assert.ok(size.next(2_000) > small);
	});

	it('with the decode abort, batches are timed against a longer target, never hold fewer than 64 tokens and are never fill batches', function () {
		const size = new PromptChunkSize({ abortsDecodes: true });
		assert.equal(size.tokens, 64);
		size.record(64, 10_000);
		assert.equal(size.tokens, 64, 'not below 64');
		assert.equal(size.next(2_000), 64, 'far from the end too: a fill batch in flight would be lost whole');
		assert.equal(size.next(2_000, true), 64);
		size.record(64, ABORTABLE_CHUNK_TARGET_MS * 0.6);
		assert.equal(size.tokens, 64, 'within the target: kept');
		size.record(64, ABORTABLE_CHUNK_TARGET_MS * 0.2);
		assert.equal(size.tokens, 128, 'a fast model: doubled');
	});

	it('a fixed size is kept whatever is measured', function () {
		const size = new PromptChunkSize({ fixedTokens: 64 });
		size.record(64, 10_000);
		assert.equal(size.next(2_000), 64);
		assert.equal(size.next(10), 10);
	});
});

describe('engine: prompt evaluation that a cancellation stops', function () {
	let loaded: LoadedModel;

	before(async function () {
		loaded = await loadModel({
			modelPath: await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }),
			contextSize: 1024,
			gpu: 'off',
			logger: silentLogger,
		});
	});

	after(async function () {
		await loaded?.dispose();
	});

	beforeEach(async function () {
		for (const sequence of loaded.sequences) {
			await sequence.clearHistory();
		}
	});

	/** Tokens in the KV caches of all sequences (one document: one sequence in use). */
	const evaluated = () => Math.max(...loaded.sequences.map((sequence) => sequence.nextTokenIndex));

	function longRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
		return {
			prefix: LONG_PREFIX,
			suffix: SUFFIX,
			documentKey: 'doc',
			maxTokens: 8,
			fixedLength: true,
			mode: 'multi-line',
			...overrides,
		};
	}

	it('an abort during a long prompt stops the compute before the next batch', async function () {
		const chunk = 16;
		const engine = new CompletionEngine(loaded, silentLogger, { promptChunkTokens: chunk });
		const controller = new AbortController();
		const pending = engine.complete(longRequest({ signal: controller.signal }));
		await until(() => evaluated() >= chunk);
		const seenAtAbort = evaluated();
		controller.abort();
		const result = await pending;
		assert.equal(result.stopReason, 'cancelled');
		assert.ok(result.stats.promptTokens > 10 * chunk, `a long prompt: ${result.stats.promptTokens} tokens`);
		// The batch in flight at the abort may finish; no batch starts after it.
		assert.ok(
			result.stats.evaluatedPromptTokens <= seenAtAbort + chunk,
			`${result.stats.evaluatedPromptTokens} evaluated, ${seenAtAbort} before the abort`,
		);
		assert.ok(result.stats.evaluatedPromptTokens < result.stats.promptTokens - 1);
		assert.equal(result.stats.generatedTokens, 0);
		assert.ok(result.stats.abortedAt !== undefined && result.stats.lastComputeEndedAt !== undefined);
	});

	it('with generateNotBefore the text before the cursor is evaluated at once, the rest and generation only after the hold', async function () {
		const request = longRequest({ quality: { tokenHealing: false } });
		// Where the text before the cursor ends in this prompt, as the source lays it out.
		const { tokens, prefixEndToken } = new LocalTokenSource(loaded).prompt({
			prefix: request.prefix,
			suffix: request.suffix,
			prefixOffset: 0,
			documentKey: 'doc',
			maxTokens: request.maxTokens,
			fixedLength: true,
			tokenHealing: false,
		});
		assert.ok(prefixEndToken > 0 && prefixEndToken < tokens.length, `the prefix ends at token ${prefixEndToken} of ${tokens.length}`);
		const engine = new CompletionEngine(loaded, silentLogger);
		const controller = new AbortController();
		// Held far beyond the test's own time limit: only the abort can end this run.
		const held = engine.complete({ ...request, signal: controller.signal, generateNotBefore: performance.now() + 3_600_000 });
		const next = engine.complete({ ...request, useCache: false });
		await until(() => evaluated() >= prefixEndToken);
		controller.abort();
		const result = await held;
		assert.equal(result.stopReason, 'cancelled');
		assert.equal(result.stats.promptTokens, tokens.length);
		assert.equal(result.stats.generatedTokens, 0);
		assert.equal(result.stats.evaluatedPromptTokens, prefixEndToken, 'up to the cursor, nothing after it while the run held');
		const answered = await next;
		assert.equal(answered.stats.reusedPromptTokens, prefixEndToken, 'the next request keeps what the held run evaluated');
		assert.equal(answered.stats.generatedTokens, 8);
	});

	/** Counts the sequence's decodes of prompt tokens alone (no token generated): real calls, counted on the way. */
	function countPromptOnlyDecodes(): { count(): number; restore(): void } {
		let count = 0;
		const patched = loaded.sequences.map((sequence) => {
			const original = sequence.evaluateWithoutGeneratingNewTokens.bind(sequence);
			sequence.evaluateWithoutGeneratingNewTokens = (...args) => {
				count++;
				return original(...args);
			};
			return sequence;
		});
		return {
			count: () => count,
			restore: () => {
				for (const sequence of patched) {
					delete (sequence as { evaluateWithoutGeneratingNewTokens?: unknown }).evaluateWithoutGeneratingNewTokens;
				}
			},
		};
	}

	for (const { held, merged } of [
		{ held: false, merged: true },
		{ held: true, merged: true },
		{ held: false, merged: false },
	]) {
		const title = merged
			? `a keystroke's few new prompt tokens go into the decode that yields the first token${held ? ', a held run included' : ''}`
			: "with lastBatchWithFirstToken false (the bench's before) they take a decode of their own";
		it(title, async function () {
			const engine = new CompletionEngine(loaded, silentLogger, { smallFirstPromptTokens: 0, lastBatchWithFirstToken: merged });
			await engine.complete(longRequest({ useCache: false }));
			const decodes = countPromptOnlyDecodes();
			try {
				const next = await engine.complete(
					longRequest({
						prefix: LONG_PREFIX + 'const typed = compute(',
						useCache: false,
						// A hold already over: the run still takes the held path.
						...(held ? { generateNotBefore: performance.now() } : {}),
					}),
				);
				const { stats } = next;
				assert.equal(next.stopReason, 'max-tokens');
				assert.ok(stats.evaluatedPromptTokens > 2, `several new tokens: ${stats.evaluatedPromptTokens}`);
				assert.equal(
					stats.evaluatedPromptTokens,
					stats.promptTokens - stats.reusedPromptTokens,
					'every new token evaluated and counted',
				);
				assert.equal(decodes.count(), merged ? 0 : 1, 'no decode of prompt tokens alone: each costs a pass over the weights');
			} finally {
				decodes.restore();
			}
		});
	}

	it('a run the editor cancels while it evaluates its prompt is stopped at once, not after a grace period', async function () {
		const runs: RunReport[] = [];
		// The whole long prompt, not the small first one a cold document would get.
		const engine = new CompletionEngine(loaded, silentLogger, { promptChunkTokens: 16, smallFirstPromptTokens: 0 });
		const scheduler = new CompletionScheduler(engine, { prefetchIdleMs: 60_000, onRunFinished: (run) => runs.push(run) });
		const controller = new AbortController();
		const pending = scheduler.request({
			...longRequest(),
			documentKey: 'doc',
			debounce: { minMs: 0, maxMs: 0 },
			prefetch: false,
			signal: controller.signal,
		});
		await until(() => evaluated() > 0 && scheduler.runningText('doc') === '');
		controller.abort();
		const afterCancel = performance.now();
		assert.equal((await pending).result.stopReason, 'cancelled');
		await scheduler.idle();
		assert.equal(runs.length, 1);
		const { stats } = runs[0]!.result;
		assert.equal(runs[0]!.result.stopReason, 'cancelled');
		assert.ok(stats.abortedAt !== undefined && stats.abortedAt <= afterCancel, 'the engine saw the abort within the cancel itself');
		assert.ok(stats.evaluatedPromptTokens < stats.promptTokens - 1);
		scheduler.dispose();
	});

	describe('a cold document answered from a small first prompt, its whole prompt filled in beside it', function () {
		before(function () {
			assert.ok(loaded.sequences.length >= 2, "a sequence beside the document's own");
		});

		const request = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
			prefix: LONG_PREFIX,
			suffix: SUFFIX,
			documentKey: 'doc',
			maxTokens: 4,
			fixedLength: true,
			mode: 'multi-line',
			useCache: false,
			...overrides,
		});

		it('the first request gets the small prompt; a fill cut short by a keystroke keeps its progress; the filled document gets the whole prompt', async function () {
			const engine = new CompletionEngine(loaded, silentLogger, {
				promptChunkTokens: 16,
				smallFirstPromptTokens: SMALL_FIRST_PROMPT_TOKENS,
			});
			const first = await engine.complete(request({ smallFirstPrompt: true }));
			assert.equal(first.stats.smallFirstPrompt, true);
			assert.ok(first.stats.promptTokens <= SMALL_FIRST_PROMPT_TOKENS, `${first.stats.promptTokens} prompt tokens`);
			assert.equal(first.stats.generatedTokens, 4);
			const [own, scratch] = [
				loaded.sequences.find((s) => s.nextTokenIndex === 0)!,
				loaded.sequences.find((s) => s.nextTokenIndex > 0)!,
			];
			assert.ok(own !== undefined && scratch !== undefined, "the document's own sequence was left empty");

			// The fill (the whole prompt, as the scheduler's warm-up asks for it), interrupted after a batch or two.
			const controller = new AbortController();
			const fill = engine.complete(request({ maxTokens: 1, signal: controller.signal }));
			await until(() => own.nextTokenIndex >= 16);
			controller.abort();
			const cut = await fill;
			assert.equal(cut.stopReason, 'cancelled');
			assert.ok(cut.stats.promptTokens > 2 * SMALL_FIRST_PROMPT_TOKENS, `the whole prompt: ${cut.stats.promptTokens} tokens`);
			const kept = own.nextTokenIndex;

			// The next keystroke: still far from filled, so the small prompt again, beside the fill.
			const typed = { prefix: LONG_PREFIX + 'const next' };
			const second = await engine.complete(request({ ...typed, smallFirstPrompt: true }));
			assert.equal(second.stats.smallFirstPrompt, true);
			assert.ok(
				second.stats.reusedPromptTokens >= second.stats.promptTokens - 24,
				`the small prompt kept its own cache and its cut: ${second.stats.reusedPromptTokens} of ${second.stats.promptTokens} reused`,
			);
			assert.equal(own.nextTokenIndex, kept, "the document's own sequence kept the fill's progress");

			// The fill resumes where it stopped, and once it is complete requests get the whole prompt.
			const resumed = await engine.complete(request({ ...typed, maxTokens: 1 }));
			assert.ok(resumed.stats.reusedPromptTokens >= kept - 1, `${resumed.stats.reusedPromptTokens} reused of the ${kept} kept`);
			const third = await engine.complete(request({ prefix: typed.prefix + '2', smallFirstPrompt: true }));
			assert.equal(third.stats.smallFirstPrompt, undefined);
			assert.ok(third.stats.promptTokens > 2 * SMALL_FIRST_PROMPT_TOKENS);
			assert.ok(third.stats.reusedPromptTokens > third.stats.promptTokens - 16, `${third.stats.reusedPromptTokens} reused`);
		});

		it('the scheduler fills the whole prompt in after a small first answer, so the next keystroke finds it', async function () {
			const runs: RunReport[] = [];
			const engine = new CompletionEngine(loaded, silentLogger);
			const scheduler = new CompletionScheduler(engine, { prefetchIdleMs: 60_000, onRunFinished: (run) => runs.push(run) });
			const ask = (prefix: string) =>
				scheduler.request({ ...request({ prefix }), documentKey: 'doc', debounce: { minMs: 0, maxMs: 0 }, prefetch: false });
			const first = await ask(LONG_PREFIX);
			assert.equal(first.result.stats.smallFirstPrompt, true);
			await scheduler.idle();
			assert.equal(runs.length, 2, 'the answer and the fill');
			const fill = runs[1]!;
			assert.equal(fill.kind, 'prefetch');
			assert.notEqual(fill.result.stopReason, 'cancelled');
			assert.ok(fill.result.stats.promptTokens > 2 * SMALL_FIRST_PROMPT_TOKENS);
			const next = await ask(LONG_PREFIX + 'c');
			assert.equal(next.result.stats.smallFirstPrompt, undefined);
			assert.ok(
				next.result.stats.reusedPromptTokens > next.result.stats.promptTokens - 16,
				`${next.result.stats.reusedPromptTokens} reused`,
			);
			scheduler.dispose();
		});

		it('with smallFirstPromptTokens 0 a cold document gets the whole prompt at once', async function () {
			const engine = new CompletionEngine(loaded, silentLogger, { smallFirstPromptTokens: 0 });
			const result = await engine.complete(request({ smallFirstPrompt: true }));
			assert.equal(result.stats.smallFirstPrompt, undefined);
			assert.ok(result.stats.promptTokens > 2 * SMALL_FIRST_PROMPT_TOKENS);
		});
	});
});
