/**
 * The three failures issue 17 found with the bundled (trained) model, replayed with real inference:
 * each case fails with the quality fixes switched off (`quality`: the old behaviour) and passes with
 * them on, which is the default. Greedy decoding on a fixed model file is deterministic.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { QualityOptions } from '../../src/engine/completion/completionTypes.js';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine, type CompletionRequest } from '../../src/engine/runtime/completionEngine.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { TokenHealing } from '../../src/engine/runtime/tokenHealing.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';

const MODEL = path.join(path.resolve(import.meta.dirname, '..', '..', '..'), BUNDLED_MODEL_RELATIVE_PATH);
const ALL_OFF: QualityOptions = {
	keepDedent: false,
	lineEndContinue: false,
	tokenHealing: false,
	documentIndent: false,
	syntaxCheck: false,
};

/** Each case's text, as a user types it in a Python file. */
const LINE_END = { prefix: 'def mean(values):\n    total = 0\n    for v in values:\n        total += v', suffix: '\n' };
const LOOP_BODY = {
	prefix: 'def squares(values):\n    result = []\n    for v in values:',
	suffix: '\n\n\ndef main():\n    print(squares([1, 2, 3]))\n',
};
const BARE_NEWLINE = {
	prefix: 'def squares(values):\n    result = []\n    for v in values:\n        result.append(v * v)\n',
	suffix: '\n\ndef main():\n    print(squares([1, 2, 3]))\n',
};

describe('engine: the quality fixes on the bundled model (real inference)', function () {
	let engine: CompletionEngine;
	let loaded: LoadedModel;

	before(async function () {
		loaded = await loadModel({ modelPath: MODEL, contextSize: 2048, gpu: 'off', logger: silentLogger });
		engine = new CompletionEngine(loaded, silentLogger, { keepPromptTokens: true });
	});

	after(async function () {
		await engine?.dispose();
	});

	const complete = (text: { prefix: string; suffix: string }, extra: Partial<CompletionRequest> = {}) =>
		engine.complete({ ...text, filePath: 'src/stats.py', maxTokens: 48, mode: 'auto', useCache: false, ...extra });

	/** Runs `check` on a sequence of a context of its own, holding `prompt` but its last token, then frees the context. */
	const withPromptSequence = async (prompt: readonly Token[], check: (sequence: LlamaContextSequence) => Promise<void>) => {
		const context = await loaded.model.createContext({ contextSize: 1024, sequences: 1, threads: 2 });
		try {
			const sequence = context.getSequence();
			await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
			await check(sequence);
		} finally {
			await context.dispose();
		}
	};

	it('at a line end, a completion that starts with a line break shows the next line (it showed nothing)', async function () {
		const before = await complete(LINE_END, { quality: ALL_OFF });
		// The model wrote the dedented line; the old rules cut it as soon as it showed.
		assert.ok(before.rawText.startsWith('\n    return'), `raw: ${JSON.stringify(before.rawText)}`);
		assert.equal(before.text, '');

		const after = await complete(LINE_END);
		assert.equal(after.text, '\n    return total');
		// Either rule alone shows it: the next line sets the level, or the dedent is kept.
		assert.equal((await complete(LINE_END, { quality: { ...ALL_OFF, lineEndContinue: true } })).text, '\n    return total');
		assert.equal((await complete(LINE_END, { quality: { ...ALL_OFF, keepDedent: true } })).text, '\n    return total');
	});

	it('keeps the dedented `return result` after a loop body (it was cut as a block end)', async function () {
		const before = await complete(LOOP_BODY, { quality: ALL_OFF });
		assert.match(before.rawText, /\n {4}return/);
		assert.doesNotMatch(before.text, /return result/);

		const after = await complete(LOOP_BODY);
		assert.match(after.text, /\n {4}return result$/);
		assert.ok(after.text.startsWith(before.text), 'the loop body is the same, the return line is added');
	});

	it('on an empty line after Enter, token healing lets the model write the indented next line', async function () {
		// Without healing the prompt ends in a bare newline, which the model never saw followed by an
		// indented line: it leaves the function and starts a new top-level definition.
		const before = await complete(BARE_NEWLINE, { quality: ALL_OFF });
		assert.match(before.text, /^\n?def /);

		const after = await complete(BARE_NEWLINE);
		assert.equal(after.text, '    return result');
		const healingAlone = await complete(BARE_NEWLINE, { quality: { ...ALL_OFF, tokenHealing: true } });
		assert.equal(healingAlone.text, '    return result');
	});

	it('carries the mean and minimum token log-probability, and holds back a suggestion with a token below minConfidence', async function () {
		const shown = await complete(LINE_END);
		const confidence = shown.confidence!;
		assert.ok(confidence.tokens > 0 && confidence.tokens <= shown.stats.generatedTokens);
		assert.ok(confidence.meanLogProb < 0 && confidence.minLogProb <= confidence.meanLogProb);

		const strict = await complete(LINE_END, { minConfidence: confidence.minLogProb + 0.01 });
		assert.equal(strict.text, '');
		assert.deepEqual(strict.heldBack, { text: shown.text, reason: 'low-confidence' });

		const lenient = await complete(LINE_END, { minConfidence: confidence.minLogProb - 0.01 });
		assert.equal(lenient.text, shown.text);
		assert.equal(lenient.heldBack, undefined);
	});

	it("each token's probability is the one node-llama-cpp computes from the whole sorted vocabulary", async function () {
		// The engine derives a greedy token's probability from the sum of exp(logit - max logit), without
		// the per-token sort of the vocabulary that node-llama-cpp's own confidence does.
		const result = await complete(LOOP_BODY, { quality: ALL_OFF });
		const confidence = result.confidence!;
		assert.ok(confidence.tokens >= 4, `too short to compare: ${JSON.stringify(result.rawText)}`);
		const prompt = result.promptTokens!;
		await withPromptSequence(prompt, async (sequence) => {
			const logProbs: number[] = [];
			for await (const { confidence: probability } of sequence.evaluateWithMetadata(
				prompt.slice(-1),
				{ confidence: true },
				{ temperature: 0 },
			)) {
				logProbs.push(Math.log(probability));
				if (logProbs.length === confidence.tokens) break;
			}
			const mean = logProbs.reduce((sum, value) => sum + value, 0) / logProbs.length;
			assert.ok(Math.abs(mean - confidence.meanLogProb) < 1e-4, `mean ${mean} vs ${confidence.meanLogProb}`);
			assert.ok(
				Math.abs(Math.min(...logProbs) - confidence.minLogProb) < 1e-4,
				`min ${Math.min(...logProbs)} vs ${confidence.minLogProb}`,
			);
		});
	});

	it("token healing picks the same first token, with the same probability, from the candidates' logits as from all probabilities", async function () {
		// Few tokens re-spell most healed texts: the engine then asks llama.cpp for their logits only.
		const prompt = loaded.model.tokenize(LOOP_BODY.prefix);
		await withPromptSequence(prompt, async (sequence) => {
			let compared = 0;
			for (const healText of ['\n', '\n        ', 're', 'app', ':', 'v']) {
				const healing = TokenHealing.for(loaded.model, healText)!;
				const candidates = healing.candidates();
				if (candidates === undefined) continue;
				const last = prompt.at(-1)!;
				await sequence.eraseContextTokenRanges([{ start: prompt.length - 1, end: sequence.nextTokenIndex }]);
				const [output] = await sequence.controlledEvaluate([
					[
						last,
						{
							generateNext: {
								token: true,
								probabilities: true,
								totalLogitWeight: true,
								logits: { filter: { tokens: candidates, includeSelected: true } },
								options: { temperature: 0 },
							},
						},
					],
				]);
				const next = output!.next;
				const fromAll = healing.choose(next.probabilities!);
				const fromFiltered = healing.chooseFromLogits(next.token!, next.logits!, next.totalLogitWeight!);
				assert.equal(fromFiltered.token, fromAll.token, healText);
				assert.ok(
					Math.abs(fromFiltered.probability - fromAll.probability) <= 1e-6 + 1e-4 * fromAll.probability,
					`${fromFiltered.probability} vs ${fromAll.probability}`,
				);
				compared++;
			}
			assert.ok(compared >= 4, `only ${compared} healed texts had few enough candidates`);
			assert.equal(TokenHealing.for(loaded.model, ' ')!.candidates(), undefined, 'a space starts too many tokens for a filter');
		});
	});

	it('computes the token texts healing needs when the engine is set up, not on the first keystroke', async function () {
		const fresh = await loadModel({ modelPath: MODEL, contextSize: 512, sequences: 1, gpu: 'off', logger: silentLogger });
		assert.equal(TokenHealing.prepared(fresh.model), false);
		const freshEngine = new CompletionEngine(fresh, silentLogger);
		try {
			assert.equal(TokenHealing.prepared(fresh.model), true);
		} finally {
			await freshEngine.dispose();
		}
	});

	it('ends a suggestion before the first token below the unsure-token cut, and only there', async function () {
		// No token healing: its first token is exempt from the cut, and this case is about the others.
		const text = { ...LOOP_BODY, quality: { tokenHealing: false }, mode: 'multi-line' as const };
		const whole = await complete(LOOP_BODY, text);
		const confidence = whole.confidence!;
		assert.ok(confidence.tokens > 1, `too short to cut: ${JSON.stringify(whole.text)}`);

		// Just above the least likely token: generation stops before it, and what is left is a prefix.
		const cut = await complete(LOOP_BODY, { ...text, unsureCutLogProb: confidence.minLogProb + 1e-6 });
		assert.equal(cut.stopReason, 'unsure-token');
		assert.ok(cut.stats.generatedTokens < whole.stats.generatedTokens);
		assert.ok(whole.text.startsWith(cut.text), `${JSON.stringify(cut.text)} is not a prefix of ${JSON.stringify(whole.text)}`);
		assert.ok(cut.text.length < whole.text.length);
		if (cut.confidence) {
			assert.ok(cut.confidence.minLogProb > confidence.minLogProb);
		}

		// Above every token's probability: nothing is left, and the suggestion counts as held back.
		const none = await complete(LOOP_BODY, { ...text, unsureCutLogProb: -1e-9 });
		assert.equal(none.text, '');
		assert.equal(none.heldBack?.reason, 'unsure-token');

		// Just below it, or with the fix switched off: nothing is cut.
		const lenient = await complete(LOOP_BODY, { ...text, unsureCutLogProb: confidence.minLogProb - 1e-6 });
		assert.equal(lenient.text, whole.text);
		assert.notEqual(lenient.stopReason, 'unsure-token');
		const off = await complete(LOOP_BODY, {
			...text,
			quality: { tokenHealing: false, unsureCut: false },
			unsureCutLogProb: confidence.minLogProb + 1e-6,
		});
		assert.equal(off.text, whole.text);
	});
});
