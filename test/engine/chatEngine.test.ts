import assert from 'node:assert/strict';
import { ChatEngine } from '../../src/engine/chat/chatEngine.js';
import { ChatEngineError } from '../../src/engine/chat/chatEngineError.js';
import type { ChatMessage, ChatRequest, ChatResult } from '../../src/engine/chat/chatTypes.js';
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
async function loadTiny(preset: 'tiny-fim' | 'tiny-qwen2'): Promise<LoadedModel> {
	return loadModel({
		modelPath: await ensureTestModel(preset, { quantization: 'Q8_0' }),
		contextSize: 256,
		sequences: 1,
		threads: 1,
		gpu: 'off',
		logger: silentLogger,
	});
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
		const after = await engine.generate({ messages: MESSAGES, maxTokens: 10 });
		assert.equal(after.text, full.text.slice(0, after.text.length));
	});

	it('does no work for a request aborted before it starts', async function () {
		const result = await engine.generate({ messages: MESSAGES, maxTokens: 10, signal: AbortSignal.abort() });
		assert.equal(result.stopReason, 'cancelled');
		assert.equal(result.stats.generatedTokens, 0);
		assert.equal(result.text, '');
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
		await assert.rejects(
			other.generate({ messages: MESSAGES, maxTokens: 5 }),
			(error: unknown) => error instanceof ChatEngineError && error.code === 'disposed',
		);
	});
});
