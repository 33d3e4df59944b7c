/**
 * A cancellation stops llama.cpp inside a decode (src/engine/runtime/decodeAbort.ts, with the module
 * `npm run build` compiles from src/engine/native/decodeAbort.cpp, on node-llama-cpp's prebuilt
 * binaries), and the sequence it stopped stays usable: real inference on the bundled model. Every
 * check waits on the decode's own promise, never on a duration. Where the module cannot be built (no
 * g++, not Linux) the tests that need the abort are pending, and the engine is checked to run
 * without it; where it can, it must attach.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LlamaContextSequence, type LlamaContext, type Token } from 'node-llama-cpp';
import { silentLogger } from '../../src/engine/logger.js';
import { CompletionEngine, type CompletionRequest } from '../../src/engine/runtime/completionEngine.js';
import {
	DECODE_ABORTED,
	DecodeAbort,
	decodeAbortModulePath,
	decodeAbortProblem,
	isAbortedDecodeLog,
} from '../../src/engine/runtime/decodeAbort.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';

const MODEL = path.join(path.resolve(import.meta.dirname, '..', '..', '..'), BUNDLED_MODEL_RELATIVE_PATH);

/** Some hundreds of tokens of ordinary code. */
const SOURCE = Array.from(
	{ length: 24 },
	(_, i) =>
		`export function scale${i}(values: number[], factor: number): number[] {\n\treturn values.map((v) => v * factor + ${i});\n}\n`,
).join('\n');

const REQUEST: CompletionRequest = {
	prefix: SOURCE,
	suffix: '\n',
	filePath: 'src/scale.ts',
	documentKey: 'file:///src/scale.ts',
	maxTokens: 12,
	mode: 'auto',
	useCache: false,
};

/** Runs `request`, cancelling it the moment the engine hands its first prompt batch to node-llama-cpp. */
async function cancelAtFirstBatch(engine: CompletionEngine, request: CompletionRequest, control: AbortController) {
	const evaluate = Object.getOwnPropertyDescriptor(LlamaContextSequence.prototype, 'evaluateWithoutGeneratingNewTokens');
	assert.ok(evaluate?.value);
	const original = evaluate.value as LlamaContextSequence['evaluateWithoutGeneratingNewTokens'];
	LlamaContextSequence.prototype.evaluateWithoutGeneratingNewTokens = function (this: LlamaContextSequence, ...args) {
		const pending = original.apply(this, args);
		control.abort();
		return pending;
	};
	try {
		return await engine.complete({ ...request, signal: control.signal });
	} finally {
		LlamaContextSequence.prototype.evaluateWithoutGeneratingNewTokens = original;
	}
}

describe('engine: a cancellation stops llama.cpp inside a decode (real inference, bundled model)', function () {
	let loaded: LoadedModel;
	let tokens: Token[];

	before(async function () {
		loaded = await loadModel({ modelPath: MODEL, contextSize: 2048, gpu: 'off', logger: silentLogger });
		tokens = loaded.model.tokenize(SOURCE);
		assert.ok(tokens.length > 600, `the test text has ${tokens.length} tokens`);
	});

	after(async function () {
		await loaded?.dispose();
	});

	/** Pending where the decode abort module is not built (src/build/decodeAbort/buildDecodeAbort.sh skips it without g++). */
	const needsAbort = (test: Mocha.Context) => {
		if (DecodeAbort.for(loaded.context) === undefined) {
			test.skip();
		}
	};

	/** A context of its own, freed after `use`. */
	const withContext = async (use: (context: LlamaContext) => Promise<void>) => {
		const context = await loaded.model.createContext({ contextSize: 1024, sequences: 1, threads: 2 });
		try {
			await use(context);
		} finally {
			await context.dispose();
		}
	};

	/** The five highest next-token probabilities after `input`, rounded to four places. */
	const firstProbabilities = async (sequence: LlamaContextSequence, input: Token[]) => {
		for await (const { probabilities } of sequence.evaluateWithMetadata(input, { probabilities: true }, { temperature: 0 })) {
			return [...probabilities.values()]
				.sort((a, b) => b - a)
				.slice(0, 5)
				.map((p) => Math.round(p * 1e4) / 1e4);
		}
		throw new Error('no probabilities');
	};

	/** The greedy tokens after `input` on `sequence`. */
	const greedy = async (sequence: LlamaContextSequence, input: Token[], count: number) => {
		const out: Token[] = [];
		for await (const token of sequence.evaluate(input, { temperature: 0 })) {
			out.push(token);
			if (out.length === count) {
				break;
			}
		}
		return out;
	};

	it('the engine says whether its addon can stop a decode, and without the abort a cancelled prompt batch still runs to its end', async function () {
		const engine = new CompletionEngine(loaded, silentLogger, { promptChunkTokens: 256, decodeAbort: false });
		assert.equal(engine.abortsDecodes, false);
		assert.equal(new CompletionEngine(loaded, silentLogger).abortsDecodes, DecodeAbort.for(loaded.context) !== undefined);
		const control = new AbortController();
		const cancelled = await cancelAtFirstBatch(engine, { ...REQUEST, documentKey: 'file:///src/plain.ts' }, control);
		assert.equal(cancelled.stopReason, 'cancelled');
		assert.equal(cancelled.stats.evaluatedPromptTokens, 256, 'the batch in flight was computed to its end');
	});

	it("where the module can be built (Linux, g++), it is, and it attaches to node-llama-cpp's prebuilt binaries", function () {
		let compiler = false;
		try {
			execFileSync('g++', ['--version'], { stdio: 'ignore' });
			compiler = true;
		} catch {
			// no compiler: the build skipped the module
		}
		if (process.platform !== 'linux' || !compiler) {
			this.skip();
		}
		assert.ok(decodeAbortModulePath(), 'npm run build built dist/native/decodeAbort-<platform>-<arch>.node');
		assert.equal(decodeAbortProblem(loaded.context), undefined);
		const abort = DecodeAbort.for(loaded.context);
		assert.ok(abort);
		// The libllama node-llama-cpp loaded into this process, not a copy of its own.
		const library = fs.realpathSync(abort.library);
		assert.match(path.basename(library), /^libllama\b.*\.so\b/);
		assert.ok(fs.readFileSync('/proc/self/maps', 'utf8').includes(library), `${library} is mapped in this process`);
		assert.match(library, /node-llama-cpp|@node-llama-cpp/);
	});

	it("the module refuses a context with another model than the one it is given, and node-llama-cpp's other objects", async function () {
		needsAbort(this);
		const file = decodeAbortModulePath();
		assert.ok(file);
		const module = createRequire(import.meta.url)(file) as { attach(context: object, model: object): object | string };
		const native = (value: object, field: string) => (value as unknown as Record<string, object>)[field]!;
		const other = await loadModel({ modelPath: MODEL, contextSize: 512, gpu: 'off', logger: silentLogger });
		try {
			const refused = module.attach(native(loaded.context, '_ctx'), native(other.model, '_model'));
			assert.equal(typeof refused, 'string');
			assert.match(refused as string, /layout/);
			assert.equal(typeof module.attach(native(loaded.context, '_ctx'), native(loaded.context.model, '_model')), 'object');
			assert.equal(module.attach({}, {}), 'not node-llama-cpp native objects');
		} finally {
			await other.dispose();
		}
	});

	it('an aborted batch leaves the sequence where it was, and what follows matches an uninterrupted run', async function () {
		needsAbort(this);
		const head = tokens.slice(0, 100);
		const batch = tokens.slice(100, 500);
		const last = tokens.slice(500, 501);
		let expected: Token[] = [];
		await withContext(async (context) => {
			const sequence = context.getSequence();
			await sequence.evaluateWithoutGeneratingNewTokens([...head, ...batch]);
			expected = await greedy(sequence, last, 8);
		});

		await withContext(async (context) => {
			const abort = DecodeAbort.for(context);
			assert.ok(abort, 'the addon has the decode abort');
			const sequence = context.getSequence();
			await sequence.evaluateWithoutGeneratingNewTokens(head);
			const control = new AbortController();
			const running = abort.run(control.signal, () => sequence.evaluateWithoutGeneratingNewTokens(batch));
			// The batch was handed to node-llama-cpp; llama.cpp computes it on its own thread.
			control.abort();
			assert.equal(await running, DECODE_ABORTED);
			assert.equal(sequence.nextTokenIndex, head.length, 'none of the aborted batch is in the sequence');

			// The same batch again, then generation: the KV state is exactly that of a run never interrupted.
			const again = await abort.run(new AbortController().signal, () => sequence.evaluateWithoutGeneratingNewTokens(batch));
			assert.notEqual(again, DECODE_ABORTED);
			assert.deepEqual(await greedy(sequence, last, 8), expected);
		});
	});

	it("a decode through node-llama-cpp's evaluateWithMetadata (token healing's first token) stops too, and leaves the sequence as it was", async function () {
		needsAbort(this);
		const head = tokens.slice(0, 300);
		const input = tokens.slice(300, 420);
		let expected: number[] = [];
		await withContext(async (context) => {
			const sequence = context.getSequence();
			await sequence.evaluateWithoutGeneratingNewTokens(head);
			expected = await firstProbabilities(sequence, input);
		});
		await withContext(async (context) => {
			const abort = DecodeAbort.for(context);
			assert.ok(abort, 'the module attached');
			const sequence = context.getSequence();
			await sequence.evaluateWithoutGeneratingNewTokens(head);
			const control = new AbortController();
			const running = abort.run(control.signal, () => firstProbabilities(sequence, input));
			control.abort();
			assert.equal(await running, DECODE_ABORTED);
			assert.equal(sequence.nextTokenIndex, head.length, 'none of the aborted input is in the sequence');
			assert.deepEqual(await firstProbabilities(sequence, input), expected);
		});
	});

	it('the decode after a shift of KV entries runs to its end, so the shift is applied once (an abort would cut it between layers)', async function () {
		needsAbort(this);
		const head = tokens.slice(0, 64);
		const dropped = tokens.slice(64, 192);
		const kept = tokens.slice(192, 500);
		const next = tokens.slice(500, 532);
		const last = tokens.slice(532, 533);
		/**
		 * head + dropped + kept evaluated, `dropped` erased (kept shifted down), then `next`, then the
		 * five highest next-token probabilities after `last`, to four places: a key rotation applied
		 * twice to one layer (what an abort between the shift's layers led to) changes them.
		 */
		const afterShift = async (context: LlamaContext, evaluateNext: (sequence: LlamaContextSequence) => Promise<void>) => {
			const sequence = context.getSequence();
			await sequence.evaluateWithoutGeneratingNewTokens([...head, ...dropped, ...kept]);
			await sequence.eraseContextTokenRanges([{ start: head.length, end: head.length + dropped.length }]);
			assert.equal(sequence.nextTokenIndex, head.length + kept.length);
			await evaluateNext(sequence);
			return firstProbabilities(sequence, last);
		};
		let expected: number[] = [];
		await withContext(async (context) => {
			expected = await afterShift(context, (sequence) => sequence.evaluateWithoutGeneratingNewTokens(next));
		});
		await withContext(async (context) => {
			const abort = DecodeAbort.for(context);
			assert.ok(abort, 'the module attached');
			const got = await afterShift(context, async (sequence) => {
				abort.shifted();
				const control = new AbortController();
				const running = abort.run(control.signal, () => sequence.evaluateWithoutGeneratingNewTokens(next));
				// Before llama.cpp starts: without the rule its first node (a layer's key rotation) would see the abort.
				control.abort();
				assert.notEqual(await running, DECODE_ABORTED, 'the decode that applies the shift was not aborted');
				// The next one can be again.
				const second = new AbortController();
				const aborted = abort.run(second.signal, () => sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(533, 600)));
				second.abort();
				assert.equal(await aborted, DECODE_ABORTED);
			});
			assert.deepEqual(got, expected);
		});
	});

	it("llama.cpp's error lines for an aborted decode are told apart from real failures (they are logged at debug level)", function () {
		// As llama.cpp logged them for the aborted decodes of a bench run.
		assert.ok(isAbortedDecodeLog('graph_compute: ggml_backend_sched_graph_compute_async failed with error 1'));
		assert.ok(isAbortedDecodeLog('process_ubatch: failed to compute graph, compute status: 1'));
		assert.ok(isAbortedDecodeLog('llama_decode: failed to decode, ret = 2'));
		assert.equal(isAbortedDecodeLog('graph_compute: ggml_backend_sched_graph_compute_async failed with error -1'), false);
		assert.equal(isAbortedDecodeLog('llama_decode: failed to decode, ret = -3'), false);
		assert.equal(isAbortedDecodeLog('process_ubatch: failed to compute graph, compute status: -2'), false);
	});

	it('an abort asked for after a decode returned does not stop the next one', async function () {
		needsAbort(this);
		await withContext(async (context) => {
			const abort = DecodeAbort.for(context);
			assert.ok(abort, 'the addon has the decode abort');
			// As when a run is cancelled just after its last decode returned: the flag is left set.
			abort.setAborted(true);
			const sequence = context.getSequence();
			const done = await abort.run(new AbortController().signal, () =>
				sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 64)),
			);
			assert.notEqual(done, DECODE_ABORTED);
			assert.equal(sequence.nextTokenIndex, 64);
		});
	});

	it("the engine: a request cancelled while its prompt's first batch computes counts none of it, and the next request answers as a fresh engine does", async function () {
		needsAbort(this);
		const request = REQUEST;
		const fresh = new CompletionEngine(
			await loadModel({ modelPath: MODEL, contextSize: 2048, gpu: 'off', logger: silentLogger }),
			silentLogger,
			{ promptChunkTokens: 256 },
		);
		let expected: string;
		try {
			expected = (await fresh.complete(request)).text;
		} finally {
			await fresh.dispose();
		}

		const engine = new CompletionEngine(loaded, silentLogger, { promptChunkTokens: 256 });
		assert.ok(engine.abortsDecodes);
		const cancelled = await cancelAtFirstBatch(engine, request, new AbortController());
		assert.equal(cancelled.stopReason, 'cancelled');
		assert.equal(cancelled.stats.evaluatedPromptTokens, 0, 'the aborted batch was stopped, not computed to its end');
		assert.ok(cancelled.stats.lastComputeEndedAt !== undefined && cancelled.stats.abortedAt !== undefined);
		assert.ok(cancelled.stats.lastComputeEndedAt >= cancelled.stats.abortedAt, 'the compute stop is timed after the cancel');

		const answer = await engine.complete(request);
		assert.equal(answer.text, expected);
		assert.ok(answer.stats.evaluatedPromptTokens > 256, 'the next request computed the prompt the cancelled one did not');
	});
});
