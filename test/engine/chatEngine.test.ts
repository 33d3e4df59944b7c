import assert from 'node:assert/strict';
import type { Token } from 'node-llama-cpp';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import { ChatEngineError } from '../../src/engine/chat/chatEngineError.js';
import { toChatHistory } from '../../src/engine/chat/chatHistory.js';
import type { ChatMessage, ChatRequest, ChatResult } from '../../src/engine/chat/chatTypes.js';
import { chooseChatWrapper } from '../../src/engine/chat/chatWrapperChoice.js';
import { silentLogger } from '../../src/engine/logger.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

const MESSAGES: ChatMessage[] = [
	{ role: 'system', content: 'You explain code briefly.' },
	{ role: 'user', content: 'Explain this:\nfunction add(a, b) {\n\treturn a + b;\n}\n' },
];

/**
 * One thread: on a busy two-core machine, ggml's worker threads spin-wait for each other and a
 * 64-wide model drops from ~1 ms to ~200 ms a token.
 */
async function loadTiny(preset: 'tiny-fim' | 'tiny-qwen2' | 'tiny-qwen2-instruct'): Promise<LoadedModel> {
	return loadModel({
		modelPath: await ensureTestModel(preset, { quantization: 'Q8_0' }),
		contextSize: 256,
		sequences: 1,
		threads: 1,
		gpu: 'off',
		logger: silentLogger,
	});
}

/** The conversation's prompt tokens as the chat template lays them out (what LlamaChat evaluates). */
function promptTokensOf(loaded: LoadedModel, messages: readonly ChatMessage[]): Token[] {
	const { contextText } = chooseChatWrapper(loaded.model).wrapper.generateContextState({ chatHistory: toChatHistory(messages) });
	return contextText.tokenize(loaded.model.tokenizer);
}

/**
 * Greedy generation one token per evaluation on the model's own (completion) sequence, with each
 * token's probability as node-llama-cpp reports it while generating: a path independent of the chat
 * engine's batched scoring.
 */
async function greedyOneByOne(loaded: LoadedModel, prompt: Token[], count: number): Promise<{ tokens: Token[]; logProbs: number[] }> {
	const sequence = loaded.sequences[0]!;
	await sequence.clearHistory();
	const tokens: Token[] = [];
	const logProbs: number[] = [];
	for await (const { token, confidence } of sequence.evaluateWithMetadata(prompt, { confidence: true }, { temperature: 0 })) {
		tokens.push(token);
		logProbs.push(Math.log(confidence));
		if (tokens.length === count) {
			break;
		}
	}
	return { tokens, logProbs };
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Batched and one-by-one evaluation round differently; a token's log-probability agrees to well within this. */
const LOG_PROB_TOLERANCE = 1e-3;

/** A confidence that is there and makes sense for an answer of `tokens` tokens. */
function assertConfidence(result: ChatResult, tokens = result.stats.generatedTokens): void {
	const confidence = result.confidence;
	assert.ok(confidence, `an answer of ${result.stats.generatedTokens} tokens carries a confidence`);
	assert.ok(Number.isFinite(confidence.meanLogProb) && Number.isFinite(confidence.minLogProb), JSON.stringify(confidence));
	assert.ok(confidence.minLogProb <= confidence.meanLogProb && confidence.meanLogProb <= 0, JSON.stringify(confidence));
	assert.equal(confidence.scoredTokens, tokens);
}

/** Runs a request and keeps every streamed piece with when it came. */
async function generateStreamed(
	engine: ChatEngine,
	request: Omit<ChatRequest, 'onText'>,
	onPiece?: (count: number) => void,
): Promise<{ result: ChatResult; pieces: string[]; times: number[] }> {
	const pieces: string[] = [];
	const times: number[] = [];
	const result = await engine.generate({
		...request,
		onText: (delta) => {
			pieces.push(delta);
			times.push(performance.now());
			onPiece?.(pieces.length);
		},
	});
	return { result, pieces, times };
}

describe('engine: chat generation with real llama.cpp inference', function () {
	let loaded: LoadedModel;
	let engine: ChatEngine;
	/** The greedy answer to MESSAGES, long enough to be cut into (random weights rarely end on their own). */
	let full: ChatResult;

	before(async function () {
		loaded = await loadTiny('tiny-fim');
		engine = new ChatEngine(loaded, { logger: silentLogger, contextSize: 1024 });
		full = await engine.generate({ messages: MESSAGES, maxTokens: 80 });
		assert.equal(full.stopReason, 'max-tokens', `the test model must not stop early (got ${full.text.length} characters)`);
	});

	after(async function () {
		await engine?.dispose();
		await loaded?.dispose();
	});

	it('lays out conversations with the GGUF chat template, or a named fallback when there is none', async function () {
		// tiny-fim has no chat template and a llama architecture: node-llama-cpp's plain-text layout.
		assert.equal(engine.chatWrapper.name, 'General');
		assert.equal(engine.chatWrapper.source, 'model-metadata');
		assert.equal(full.stats.chatWrapper, 'General');
		const qwen = await loadTiny('tiny-qwen2');
		try {
			const qwenEngine = new ChatEngine(qwen, { logger: silentLogger });
			// Its Qwen2.5 vocabulary carries a ChatML Jinja template, which node-llama-cpp recognises.
			assert.deepEqual([qwenEngine.chatWrapper.name, qwenEngine.chatWrapper.source], ['ChatML', 'gguf-template']);
			// 4096 by default, clipped to the 2048 tokens the tiny model was "trained" with.
			assert.equal(qwenEngine.contextSize, 2048);
			const result = await qwenEngine.generate({ messages: MESSAGES, maxTokens: 3 });
			assert.equal(result.stats.generatedTokens, 3);
			assertConfidence(result, 3);
			await qwenEngine.dispose();
		} finally {
			await qwen.dispose();
		}
	});

	it('streams pieces that concatenate to the final text, and counts the prompt as countTokens does', async function () {
		const { result, pieces } = await generateStreamed(engine, { messages: MESSAGES, maxTokens: 40 });
		assert.ok(pieces.length > 1, `streamed in ${pieces.length} piece(s)`);
		assert.ok(
			pieces.every((piece) => piece !== ''),
			'no empty pieces',
		);
		assert.equal(pieces.join(''), result.text);
		assert.equal(result.text, full.text.slice(0, result.text.length), 'greedy decoding: a shorter run is a prefix of the longer one');
		assert.equal(result.stats.promptTokens, engine.countTokens(MESSAGES));
		assert.ok(result.stats.promptTokens > 10);
		assert.ok(result.stats.tokensPerSecond > 0 && result.stats.totalMs >= result.stats.promptMs);
	});

	it('generates exactly maxTokens when nothing else stops it', async function () {
		for (const maxTokens of [1, 7]) {
			const result = await engine.generate({ messages: MESSAGES, maxTokens });
			assert.equal(result.stopReason, 'max-tokens');
			assert.equal(result.stats.generatedTokens, maxTokens);
			assertConfidence(result, maxTokens);
		}
	});

	it('keeps the KV state of a repeated prompt and answers the same', async function () {
		const again = await engine.generate({ messages: MESSAGES, maxTokens: 80 });
		assert.equal(again.text, full.text);
		// All but the last prompt token: generation needs that one's logits again.
		assert.equal(again.stats.reusedPromptTokens, again.stats.promptTokens - 1);
	});

	it('ends at a stop string, keeping the text before it', async function () {
		const stop = full.text.slice(12, 16);
		assert.ok(stop.trim().length > 0, `a stop string with visible characters: ${JSON.stringify(stop)}`);
		const { result, pieces } = await generateStreamed(engine, { messages: MESSAGES, maxTokens: 80, stop: [stop] });
		assert.equal(result.stopReason, 'end-of-generation');
		assert.equal(result.text, full.text.slice(0, full.text.indexOf(stop)));
		assert.equal(pieces.join(''), result.text);
		assertConfidence(result);
	});

	it('stops within a token of an abort from the stream callback and resolves with the text so far', async function () {
		const controller = new AbortController();
		const { result, pieces } = await generateStreamed(
			engine,
			{ messages: MESSAGES, maxTokens: 80, signal: controller.signal },
			(count) => {
				if (count === 5) {
					controller.abort();
				}
			},
		);
		assert.equal(result.stopReason, 'cancelled');
		assert.ok(result.stats.tokensAfterAbort <= 1, `${result.stats.tokensAfterAbort} tokens after the abort`);
		assert.ok(result.stats.generatedTokens >= 5 && result.stats.generatedTokens <= 6, `${result.stats.generatedTokens} tokens`);
		assert.equal(pieces.join(''), result.text);
		assert.ok(result.text.length > 0 && full.text.startsWith(result.text));
		// A cancelled answer is not scored: the CPU goes to what cancelled it.
		assert.equal(result.confidence, undefined);
	});

	it('stops within a token of an abort mid-generation, and the next request still works', async function () {
		const long = await engine.generate({ messages: MESSAGES, maxTokens: 300 });
		assert.ok(
			long.stats.generatedTokens >= 150,
			`an uninterrupted run must be long (${long.stats.generatedTokens} tokens, ${long.stopReason})`,
		);
		// Aborted from the stream itself, partway in: a timer is too coarse for a fast machine.
		const controller = new AbortController();
		let deltas = 0;
		const cut = await engine.generate({
			messages: MESSAGES,
			maxTokens: 300,
			signal: controller.signal,
			onText: () => ++deltas === 40 && controller.abort(),
		});
		assert.equal(cut.stopReason, 'cancelled');
		assert.ok(
			cut.stats.generatedTokens > 0 && cut.stats.generatedTokens < long.stats.generatedTokens,
			`${cut.stats.generatedTokens} of ${long.stats.generatedTokens}`,
		);
		assert.ok(cut.stats.tokensAfterAbort <= 1, `${cut.stats.tokensAfterAbort} tokens after the abort`);
		assert.equal(cut.confidence, undefined, 'a cancelled answer is not scored');
		const after = await engine.generate({ messages: MESSAGES, maxTokens: 10 });
		assert.equal(after.text, full.text.slice(0, after.text.length));
		assert.equal(after.stats.reusedPromptTokens, after.stats.promptTokens - 1, 'the cancelled answer kept the prompt');
	});

	it('does no work for a request aborted before it starts', async function () {
		const result = await engine.generate({ messages: MESSAGES, maxTokens: 10, signal: AbortSignal.abort() });
		assert.equal(result.stopReason, 'cancelled');
		assert.equal(result.stats.generatedTokens, 0);
		assert.equal(result.text, '');
		assert.equal(result.confidence, undefined, 'no tokens, no confidence');
	});

	it('runs concurrent requests one at a time, and a waiting request aborted leaves the queue at once', async function () {
		const controller = new AbortController();
		const first = generateStreamed(engine, { messages: MESSAGES, maxTokens: 40 });
		const second = generateStreamed(engine, { messages: [{ role: 'user', content: 'Something else entirely.' }], maxTokens: 40 });
		const waiting = engine.generate({ messages: MESSAGES, maxTokens: 40, signal: controller.signal });
		assert.equal(engine.queuedRequests, 2);
		controller.abort();
		const dropped = await waiting;
		assert.equal(dropped.stopReason, 'cancelled');
		assert.equal(dropped.stats.generatedTokens, 0);
		const [a, b] = await Promise.all([first, second]);
		assert.equal(a.result.stats.generatedTokens, 40);
		assert.equal(b.result.stats.generatedTokens, 40);
		assert.ok(a.times.at(-1)! < b.times[0]!, 'the second request streamed only after the first had finished');
		assert.ok(b.result.stats.queuedMs > 0);
	});

	it('refuses a conversation longer than the context with a ChatEngineError a user can read, and stays usable', async function () {
		const huge: ChatMessage[] = [{ role: 'user', content: 'word '.repeat(1500) }];
		assert.ok(engine.countTokens(huge) > engine.contextSize);
		await assert.rejects(engine.generate({ messages: huge, maxTokens: 10 }), (error: unknown) => {
			assert.ok(error instanceof ChatEngineError);
			assert.equal(error.code, 'prompt-too-long');
			assert.equal(error.details.contextSize, 1024);
			assert.equal(error.details.promptTokens, engine.countTokens(huge));
			assert.match(error.userMessage, /\d+ tokens long; the chat context holds 1024 tokens/);
			return true;
		});
		const after = await engine.generate({ messages: MESSAGES, maxTokens: 5 });
		assert.equal(after.text, full.text.slice(0, after.text.length));
	});

	it("stops with 'context-full' when the answer reaches the end of the context", async function () {
		const small = new ChatEngine(loaded, { logger: silentLogger, contextSize: 256 });
		try {
			const messages: ChatMessage[] = [{ role: 'user', content: 'word '.repeat(200) }];
			const promptTokens = small.countTokens(messages);
			assert.ok(promptTokens > 150 && promptTokens < 250, `${promptTokens} prompt tokens`);
			const result = await small.generate({ messages, maxTokens: 500 });
			assert.equal(result.stopReason, 'context-full');
			assert.equal(result.stats.promptTokens + result.stats.generatedTokens, 255, 'every position but the last is used');
			// Scoring re-evaluates the whole answer, up to the same position and not past it.
			assertConfidence(result);
		} finally {
			await small.dispose();
		}
	});

	it('runs with the input-lookup token predictor, with the same greedy answer', async function () {
		// A user message that contains the model's own favourite tokens, so the predictor has matches to offer.
		const messages: ChatMessage[] = [{ role: 'user', content: `Refactor:\n${full.text}` }];
		const plain = await engine.generate({ messages, maxTokens: 60, tokenPredictor: 'none' });
		const predicted = await engine.generate({ messages, maxTokens: 60, tokenPredictor: 'input-lookup' });
		assert.equal(predicted.stopReason, plain.stopReason);
		assert.equal(predicted.stats.generatedTokens, plain.stats.generatedTokens);
		assert.equal(predicted.text, plain.text);
		assertConfidence(predicted);
		assert.equal(predicted.confidence?.scoredTokens, plain.confidence?.scoredTokens);
		assert.ok(Math.abs(predicted.confidence!.meanLogProb - plain.confidence!.meanLogProb) < LOG_PROB_TOLERANCE);
		assert.equal(plain.stats.predictions, undefined);
		assert.ok(predicted.stats.predictions, 'prediction statistics are reported');
		assert.ok(
			predicted.stats.predictions.validated + predicted.stats.predictions.refuted > 0,
			'the predictor made predictions that the model checked',
		);
		// Switching back replaces the sequence again.
		const back = await engine.generate({ messages: MESSAGES, maxTokens: 5 });
		assert.equal(back.text, full.text.slice(0, back.text.length));
	});

	it("carries the model's confidence in every answer: what the model gives each token when generating one at a time", async function () {
		assertConfidence(full, 80);
		const prompt = promptTokensOf(loaded, MESSAGES);
		assert.equal(prompt.length, engine.countTokens(MESSAGES));
		const reference = await greedyOneByOne(loaded, prompt, 20);
		assert.equal(loaded.model.detokenize(reference.tokens), full.text.slice(0, loaded.model.detokenize(reference.tokens).length));
		// Answers of 1..5 tokens: the k-th token's log-probability is k·mean(k) − (k−1)·mean(k−1), so a token
		// scored at the wrong position (the logits of the one before or after) shows.
		let previousSum = 0;
		for (let k = 1; k <= 5; k++) {
			const result = await engine.generate({ messages: MESSAGES, maxTokens: k });
			assertConfidence(result, k);
			const sum = k * result.confidence!.meanLogProb;
			const token = sum - previousSum;
			assert.ok(
				Math.abs(token - reference.logProbs[k - 1]!) < LOG_PROB_TOLERANCE * k,
				`token ${k}: scored ${token}, one at a time ${reference.logProbs[k - 1]}`,
			);
			previousSum = sum;
		}
		const twenty = await engine.generate({ messages: MESSAGES, maxTokens: 20 });
		assert.ok(Math.abs(twenty.confidence!.meanLogProb - mean(reference.logProbs)) < LOG_PROB_TOLERANCE);
		assert.ok(Math.abs(twenty.confidence!.minLogProb - Math.min(...reference.logProbs)) < LOG_PROB_TOLERANCE);
	});

	it("scores a sampled answer's own tokens, not the greedy ones", async function () {
		const prompt = promptTokensOf(loaded, MESSAGES);
		const sequence = loaded.sequences[0]!;
		await sequence.clearHistory();
		const iterator = sequence.evaluateWithMetadata(prompt, { probabilities: true, confidence: true }, { temperature: 0 });
		const first = (await iterator.next()).value!;
		await iterator.return();
		const greedyText = loaded.model.detokenize([first.token]);
		// Sampling at a high temperature picks another token than the greedy one almost every time.
		for (let attempt = 0; attempt < 40; attempt++) {
			const result = await engine.generate({ messages: MESSAGES, maxTokens: 1, temperature: 3 });
			if (result.stats.generatedTokens === 0) {
				assert.equal(result.confidence, undefined);
				continue;
			}
			assertConfidence(result, 1);
			const candidates = [...first.probabilities].filter(([token]) => loaded.model.detokenize([token]) === result.text);
			if (result.text === greedyText || result.text === '' || candidates.length === 0) {
				continue;
			}
			const scored = result.confidence!.meanLogProb;
			assert.ok(
				candidates.some(([, probability]) => Math.abs(Math.log(probability) - scored) < LOG_PROB_TOLERANCE),
				`scored ${scored}; the model gives ${JSON.stringify(result.text)} ${candidates.map(([, p]) => Math.log(p)).join(', ')}`,
			);
			assert.ok(scored < Math.log(first.confidence), 'a token other than the greedy one is less likely');
			return;
		}
		assert.fail('forty samples at temperature 3 all took the greedy token (or one that does not detokenize alone)');
	});

	it('keeps the prompt and the answer in the KV state for a follow-up turn after scoring', async function () {
		const answer = await engine.generate({ messages: MESSAGES, maxTokens: 40 });
		assertConfidence(answer, 40);
		const followUp: ChatMessage[] = [
			...MESSAGES,
			{ role: 'assistant', content: answer.text },
			{ role: 'user', content: 'Shorter, please.' },
		];
		const result = await engine.generate({ messages: followUp, maxTokens: 5 });
		assertConfidence(result, 5);
		assert.ok(
			result.stats.reusedPromptTokens > answer.stats.promptTokens,
			`${result.stats.reusedPromptTokens} reused of ${result.stats.promptTokens}; the first turn's prompt alone is ${answer.stats.promptTokens}`,
		);
	});

	it('scores answers in the ChatML layout of an instruct model the same way', async function () {
		const instruct = await loadTiny('tiny-qwen2-instruct');
		const chatEngine = new ChatEngine(instruct, { logger: silentLogger, contextSize: 512 });
		try {
			assert.equal(chatEngine.chatWrapper.name, 'ChatML');
			const prompt = promptTokensOf(instruct, MESSAGES);
			assert.equal(prompt.length, chatEngine.countTokens(MESSAGES));
			const reference = await greedyOneByOne(instruct, prompt, 12);
			const one = await chatEngine.generate({ messages: MESSAGES, maxTokens: 1 });
			assertConfidence(one, 1);
			assert.ok(Math.abs(one.confidence!.meanLogProb - reference.logProbs[0]!) < LOG_PROB_TOLERANCE);
			const twelve = await chatEngine.generate({ messages: MESSAGES, maxTokens: 12 });
			assertConfidence(twelve, 12);
			assert.equal(twelve.text, instruct.model.detokenize(reference.tokens));
			assert.ok(Math.abs(twelve.confidence!.meanLogProb - mean(reference.logProbs)) < LOG_PROB_TOLERANCE);
			assert.ok(Math.abs(twelve.confidence!.minLogProb - Math.min(...reference.logProbs)) < LOG_PROB_TOLERANCE);
			const again = await chatEngine.generate({ messages: MESSAGES, maxTokens: 12 });
			assert.equal(again.stats.reusedPromptTokens, again.stats.promptTokens - 1);
			assert.deepEqual(again.confidence, twelve.confidence);
		} finally {
			await chatEngine.dispose();
			await instruct.dispose();
		}
	});

	it('dispose ends a running request as cancelled and refuses new ones', async function () {
		const other = new ChatEngine(loaded, { logger: silentLogger, contextSize: 512 });
		let disposing: Promise<void> | undefined;
		const running = generateStreamed(other, { messages: MESSAGES, maxTokens: 200 }, (count) => {
			if (count === 3) {
				disposing = other.dispose();
			}
		});
		const { result } = await running;
		await disposing;
		assert.equal(result.stopReason, 'cancelled');
		assert.ok(result.stats.generatedTokens < 200);
		assert.equal(result.confidence, undefined, 'a shut-down engine does not score');
		await assert.rejects(
			other.generate({ messages: MESSAGES, maxTokens: 5 }),
			(error: unknown) => error instanceof ChatEngineError && error.code === 'disposed',
		);
	});
});
