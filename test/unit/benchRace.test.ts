import assert from 'node:assert/strict';
import path from 'node:path';
import { parseBenchOptions } from '../../src/bench/benchOptions.js';
import type { TraceSummary } from '../../src/bench/metrics/summarizeTrace.js';
import { compareRace, hearthSide, serverSide } from '../../src/bench/race/compareRace.js';
import type { InfillClient } from '../../src/bench/race/infillClient.js';
import { contextAfterAccepting, infillBody, infillContext } from '../../src/bench/race/infillRequest.js';
import { parseInfillResponse } from '../../src/bench/race/infillResponse.js';
import { llamaServerArguments } from '../../src/bench/race/llamaServerProcess.js';
import { LLAMA_VSCODE_DEFAULTS } from '../../src/bench/race/llamaVscodeSettings.js';
import { parsePeakRssMiB, parseStatTicks } from '../../src/bench/race/procStats.js';
import { machineSpeedChange } from '../../src/bench/race/raceModel.js';
import { replayLlamaVscode } from '../../src/bench/race/replayLlamaVscode.js';
import { fitToLine, removeLeadingIndentation, SuggestionCache, suggestionLines } from '../../src/bench/race/suggestionCache.js';
import { summarizeServerReplay } from '../../src/bench/race/summarizeServerReplay.js';
import type { Trace } from '../../src/bench/traces/traceTypes.js';

const timings = { prompt_n: 40, prompt_ms: 120.5, predicted_n: 16, predicted_ms: 800, cache_n: 300 };

describe('bench race: llama.vscode request context', function () {
	const text = 'line0\nline1\n    foo(ba\nline3\nline4\n';

	it('sends whole lines before the cursor line, the cursor line prefix as prompt, and its rest with the lines after', function () {
		const context = infillContext(text, text.indexOf('ba') + 2, { prefixLines: 256, suffixLines: 64 });
		assert.equal(context.inputPrefix, 'line0\nline1\n');
		assert.equal(context.prompt, '    foo(ba');
		assert.equal(context.lineSuffix, '');
		// The empty last line after the final '\n' is a line of the document, as in VS Code.
		assert.equal(context.inputSuffix, '\nline3\nline4\n\n');
		assert.equal(context.indent, 4);
		assert.equal(context.spacesToRemove, 0);
	});

	it('keeps only prefixLines and suffixLines lines around the cursor', function () {
		const context = infillContext(text, text.indexOf('foo'), { prefixLines: 1, suffixLines: 1 });
		assert.equal(context.inputPrefix, 'line1\n');
		assert.equal(context.lineSuffix, 'foo(ba');
		assert.equal(context.inputSuffix, 'foo(ba\nline3\n');
	});

	it('leaves indentation-only line prefixes out of the prompt and remembers to strip them from the answer', function () {
		const context = infillContext(text, text.indexOf('foo'), { prefixLines: 256, suffixLines: 64 });
		assert.equal(context.prompt, '');
		assert.equal(context.spacesToRemove, 4);
		assert.equal(removeLeadingIndentation('      x', context.spacesToRemove), '  x');
	});

	it("builds a fixed-length /infill body with llama.vscode's sampling but no infill sampler, and its stops and sampler without fixed length", function () {
		const context = infillContext(text, text.indexOf('ba') + 2, { prefixLines: 256, suffixLines: 64 });
		const fixed = infillBody(context, { nPredict: 16, fixedLength: true, tMaxPromptMs: 500, tMaxPredictMs: 500 });
		assert.deepEqual(fixed, {
			input_prefix: 'line0\nline1\n',
			input_suffix: '\nline3\nline4\n\n',
			input_extra: [],
			prompt: '    foo(ba',
			n_predict: 16,
			top_k: 40,
			top_p: 0.99,
			samplers: ['top_k', 'top_p'],
			stream: false,
			cache_prompt: true,
			t_max_prompt_ms: 500,
			t_max_predict_ms: 0,
			ignore_eos: true,
		});
		const extra = [{ filename: 'b.ts', text: 'export const b = 2;' }];
		assert.deepEqual(
			infillBody(context, { nPredict: 16, fixedLength: true, tMaxPromptMs: 500, tMaxPredictMs: 500 }, extra).input_extra,
			extra,
		);
		const free = infillBody(context, { nPredict: 16, fixedLength: false, tMaxPromptMs: 500, tMaxPredictMs: 500 });
		assert.equal(free.t_max_predict_ms, 500);
		assert.equal(free.n_indent, 4);
		assert.equal('ignore_eos' in free, false);
		assert.deepEqual(free.samplers, ['top_k', 'top_p', 'infill']);
	});

	it('computes the context after accepting a suggestion, for the prefetch', function () {
		const context = infillContext(text, text.indexOf('ba') + 2, { prefixLines: 2, suffixLines: 64 });
		assert.equal(contextAfterAccepting(context, ['r)'], 2)?.prompt, '    foo(bar)');
		const multi = contextAfterAccepting(context, ['r,', '    baz)'], 2)!;
		// line0 falls out: only the last 2 lines are kept.
		assert.equal(multi.inputPrefix, 'line1\n    foo(bar,\n');
		assert.equal(multi.prompt, '    baz)');
		assert.equal(contextAfterAccepting(context, [], 2), undefined);
	});
});

describe('bench race: llama.vscode suggestion cache', function () {
	it('answers the same context exactly, and the rest of an answer the user is typing through', function () {
		const cache = new SuggestionCache(10);
		cache.put(SuggestionCache.key('P', 'S', 'foo'), 'bar()');
		assert.deepEqual(cache.lookup({ inputPrefix: 'P', inputSuffix: 'S', prompt: 'foo' }), { text: 'bar()', typedThrough: false });
		assert.deepEqual(cache.lookup({ inputPrefix: 'P', inputSuffix: 'S', prompt: 'foob' }), { text: 'ar()', typedThrough: true });
		assert.equal(cache.lookup({ inputPrefix: 'P', inputSuffix: 'S', prompt: 'fooX' }), undefined);
		assert.equal(cache.lookup({ inputPrefix: 'P2', inputSuffix: 'S', prompt: 'foo' }), undefined);
	});

	it('drops the least recently used entry past its capacity', function () {
		const cache = new SuggestionCache(2);
		cache.put('a', '1');
		cache.put('b', '2');
		cache.get('a');
		cache.put('c', '3');
		assert.equal(cache.get('b'), undefined);
		assert.equal(cache.get('a'), '1');
		assert.equal(cache.size, 2);
	});

	it('trims trailing blank lines and fits an answer to text after the cursor', function () {
		assert.deepEqual(suggestionLines('a\nb\n\n  \n'), ['a', 'b']);
		assert.deepEqual(suggestionLines('\n\n'), []);
		assert.equal(fitToLine(['x);', 'y'], ');'), 'x');
		assert.equal(fitToLine(['x', 'y'], ');'), 'x');
		assert.equal(fitToLine(['x', 'y'], ''), 'x\ny');
	});
});

describe('bench race: llama-server answers and process numbers', function () {
	it('reads content and timings from an /infill answer', function () {
		const parsed = parseInfillResponse({ content: 'abc', tokens_evaluated: 900, stop_type: 'limit', timings });
		assert.deepEqual(parsed, {
			content: 'abc',
			promptN: 40,
			promptMs: 120.5,
			predictedN: 16,
			predictedMs: 800,
			promptTokens: 900,
			cachedTokens: 300,
			stopType: 'limit',
		});
	});

	it('refuses answers it cannot count', function () {
		assert.throws(() => parseInfillResponse({ content: 'abc' }), /timings/);
		assert.throws(() => parseInfillResponse({ timings }), /content/);
		assert.throws(() => parseInfillResponse({ content: '', timings: { ...timings, prompt_n: 'x' } }), /prompt_n/);
	});

	it('reads CPU ticks from /proc/PID/stat even when the name holds spaces and parentheses', function () {
		const stat = '4242 (llama (x) srv) S 1 4242 4242 0 -1 4194560 5000 0 12 0 1234 56 0 0 20 0 9 0 100 0 0';
		assert.equal(parseStatTicks(stat), 1234 + 56);
		assert.throws(() => parseStatTicks('1 (x) S'), /CPU times/);
	});

	it('reads the peak RSS from /proc/PID/status', function () {
		assert.equal(parsePeakRssMiB('Name:\tllama-server\nVmHWM:\t 2097152 kB\nVmRSS:\t 100 kB\n'), 2048);
		assert.equal(parsePeakRssMiB('Name:\tx\n'), null);
	});

	it("starts llama-server with the same threads, llama.vscode's flags, and slots only when asked", function () {
		const args = llamaServerArguments({ modelPath: '/m.gguf', threads: 2, contextSize: 2048, parallel: 1, spmInfill: true }, 4321);
		const value = (flag: string) => args[args.indexOf(flag) + 1];
		assert.equal(value('--model'), '/m.gguf');
		assert.equal(value('--port'), '4321');
		assert.equal(value('--threads'), '2');
		assert.equal(value('--ctx-size'), '2048');
		assert.equal(value('--parallel'), '1');
		assert.ok(!llamaServerArguments({ modelPath: '/m.gguf', threads: 2, contextSize: 0, spmInfill: false }, 1).includes('--parallel'));
		assert.equal(value('--batch-size'), '1024');
		assert.equal(value('--ubatch-size'), '1024');
		assert.equal(value('--cache-reuse'), '256');
		assert.ok(args.includes('--spm-infill'));
		assert.ok(
			!llamaServerArguments({ modelPath: '/m.gguf', threads: 2, contextSize: 2048, spmInfill: false }, 1).includes('--spm-infill'),
		);
	});
});

describe('bench race: replaying keystrokes the way llama.vscode does', function () {
	const trace = (events: Trace['events']): Trace => ({
		name: 'test',
		description: '',
		language: 'typescript',
		filePath: 'a.ts',
		source: { file: '', origin: '', license: '' },
		initialText: 'const a = 1;\n\nconst b = 2;\n',
		initialCursor: { line: 1, character: 0 },
		events,
	});
	/** A fake server: one slot, so requests run one after the other, each taking `ms`. */
	const slowServer = (ms: number, content = 'xyz') => {
		const bodies: Record<string, unknown>[] = [];
		let queue = Promise.resolve();
		const client: InfillClient = (body) => {
			bodies.push(body);
			const done = queue.then(() => new Promise<void>((resolve) => setTimeout(resolve, ms)));
			queue = done;
			return done.then(() => parseInfillResponse({ content, tokens_evaluated: 100, timings }));
		};
		return { client, bodies };
	};
	const options = { maxTokens: 16, fixedLength: true, warmUp: false, acceptWaitLimitMs: 5000, drainLimitMs: 5000 };

	it('never aborts: a burst of keys waits behind the running request, and only the last key is answered', async function () {
		const { client, bodies } = slowServer(150);
		const replay = await replayLlamaVscode(
			trace([
				{ t: 0, kind: 'type', text: 'l' },
				{ t: 20, kind: 'type', text: 'e' },
				{ t: 40, kind: 'type', text: 't' },
			]),
			client,
			{
				...options,
				settings: { ...LLAMA_VSCODE_DEFAULTS, pollMs: 10, prefetch: false },
			},
		);
		assert.equal(bodies.length, 2);
		assert.equal(bodies[0]!.prompt, 'l');
		assert.equal(bodies[1]!.prompt, 'let');
		assert.deepEqual(
			replay.keystrokes.map((call) => call.outcome),
			['cancelled', 'cancelled', 'delivered'],
		);
		assert.equal(replay.serverRequests[0]!.stale, true);
		const last = replay.keystrokes[2]!;
		// It waited for the stale request (started at 0, 150 ms) and then ran its own.
		assert.ok(last.waitedMs >= 90, `waited ${last.waitedMs} ms`);
		assert.ok(last.settledAt! - last.issuedAt >= 240, `latency ${last.settledAt! - last.issuedAt} ms`);
		const summary = summarizeServerReplay(replay);
		assert.equal(summary.outcomes.delivered, 1);
		assert.equal(summary.serverRequests.stale, 1);
		assert.equal(summary.promptTokens.evaluated, 80);
		assert.equal(summary.promptTokens.evaluatedInStaleRequests, 40);
		assert.equal(summary.generatedTokens.total, 32);
	});

	it('prefetches after a shown suggestion and answers a key that types through it from the cache', async function () {
		const { client, bodies } = slowServer(20, 'xyz');
		const replay = await replayLlamaVscode(
			trace([
				{ t: 0, kind: 'type', text: 'l' },
				{ t: 200, kind: 'type', text: 'x' },
			]),
			client,
			{
				...options,
				settings: { ...LLAMA_VSCODE_DEFAULTS, pollMs: 10 },
			},
		);
		assert.deepEqual(
			replay.serverRequests.map((request) => request.kind),
			['request', 'prefetch'],
		);
		assert.equal(bodies[1]!.prompt, 'lxyz');
		assert.equal(replay.keystrokes[1]!.typedThroughSuggestion, true);
		assert.equal(replay.keystrokes[1]!.source, 'cache');
		assert.equal(replay.keystrokes[1]!.textLength, 2);
	});

	it('stops the race when the server answers fewer tokens than the fixed length, at the warm-up or at the end', async function () {
		const short = (predicted: number): InfillClient => {
			return async () => parseInfillResponse({ content: '', stop_type: 'eos', timings: { ...timings, predicted_n: predicted } });
		};
		const keys = trace([{ t: 0, kind: 'type', text: 'l' }]);
		const settings = { ...LLAMA_VSCODE_DEFAULTS, prefetch: false };
		await assert.rejects(
			replayLlamaVscode(keys, short(1), { ...options, warmUp: true, settings }),
			/generated 1 of 16 tokens in 1 answer\(s\) \(stop type eos\) under the fixed-length rule/,
		);
		await assert.rejects(replayLlamaVscode(keys, short(15), { ...options, settings }), /generated 15 of 16 tokens/);
		const full = await replayLlamaVscode(keys, short(16), { ...options, warmUp: true, settings });
		assert.equal(full.keystrokes[0]!.outcome, 'delivered');
		// Without the rule, llama.vscode's own stops may end an answer early.
		await replayLlamaVscode(keys, short(1), { ...options, fixedLength: false, settings });
	});

	it('does not ask when more than max_line_suffix characters follow the cursor', async function () {
		const { client, bodies } = slowServer(5);
		const mid: Trace = {
			...trace([{ t: 0, kind: 'type', text: 'x' }]),
			initialText: 'foo(aaaaaaaaaaaa)\n',
			initialCursor: { line: 0, character: 4 },
		};
		const replay = await replayLlamaVscode(mid, client, { ...options, settings: LLAMA_VSCODE_DEFAULTS });
		assert.equal(bodies.length, 0);
		assert.equal(replay.keystrokes[0]!.outcome, 'not-asked');
	});
});

describe('bench race: comparing the two sides', function () {
	it('divides Hearth by llama-server and checks the one-third target', function () {
		const hearth = {
			latencyP50Ms: 100,
			latencyP95Ms: 400,
			latencyMeanMs: 150,
			delivered: 40,
			durationMs: 25_000,
			promptTokensEvaluated: 1000,
			cpuSeconds: 10,
			peakRssMiB: 2000,
			coldStartMs: 900,
			cancelToComputeStopP95Ms: 40,
			cancelledComputations: 12,
			suggestionShownShare: 0.4,
		};
		const server = {
			latencyP50Ms: 400,
			latencyP95Ms: 1000,
			latencyMeanMs: 450,
			delivered: 31,
			durationMs: 26_000,
			promptTokensEvaluated: 5000,
			cpuSeconds: 20,
			peakRssMiB: 1800,
			coldStartMs: 1000,
			cancelToComputeStopP95Ms: 800,
			cancelledComputations: 9,
			suggestionShownShare: 0.1,
		};
		const comparison = compareRace('t', hearth, server);
		assert.equal(comparison.ratios.latencyP50Ms, 0.25);
		assert.equal(comparison.ratios.latencyP95Ms, 0.4);
		assert.equal(comparison.ratios.promptTokensEvaluated, 0.2);
		assert.equal(comparison.ratios.coldStartMs, 0.9);
		assert.deepEqual(comparison.target, { ratioAtMost: 0.333, minAnswers: 30, latencyP50: true, latencyP95: false, cpuSeconds: false });
		assert.equal(compareRace('t', { ...hearth, cpuSeconds: null }, server).ratios.cpuSeconds, null);
		// Fewer than 30 answers on either side: the latency and CPU verdicts are null, never met.
		const few = compareRace('t', hearth, { ...server, delivered: 29, cpuSeconds: 100 });
		assert.equal(few.target.latencyP50, null);
		assert.equal(few.target.latencyP95, null);
		assert.equal(few.target.cpuSeconds, null);
		assert.equal(few.ratios.cpuSeconds, 0.1);
	});

	it("takes Hearth's side from its trace summary and llama-server's from the server summary", function () {
		const summary = {
			latencyMs: { count: 12, p50: 90, p95: 300, p99: 320, max: 330, mean: 120 },
			durationMs: 24_000,
			runs: { requests: 30, prefetches: 10, cancelled: 5, smallFirstPrompt: 0 },
			promptTokens: { evaluatedPerRun: 25.5 },
			cpuSecondsPer100Keystrokes: 8,
			keystrokes: 128,
			coldStart: { latencyMs: 700 },
			cancelToComputeStopMs: { all: { count: 4, p95: 35 } },
			suggestionShown: { share: 0.25 },
		} as unknown as TraceSummary;
		assert.deepEqual(hearthSide(summary, 1900), {
			latencyP50Ms: 90,
			latencyP95Ms: 300,
			latencyMeanMs: 120,
			delivered: 12,
			durationMs: 24_000,
			promptTokensEvaluated: 1020,
			cpuSeconds: 10.24,
			peakRssMiB: 1900,
			coldStartMs: 700,
			cancelToComputeStopP95Ms: 35,
			cancelledComputations: 4,
			suggestionShownShare: 0.25,
		});
		const replay = {
			trace: 't',
			events: 2,
			keystrokes: [
				{
					index: 0,
					eventIndex: 0,
					eventKind: 'type' as const,
					issuedAt: 0,
					settledAt: 50,
					waitedMs: 0,
					outcome: 'delivered' as const,
					source: 'server' as const,
					textLength: 3,
				},
			],
			serverRequests: [
				{ index: 0, kind: 'request' as const, startedAt: 0, endedAt: 50, response: parseInfillResponse({ content: '', timings }) },
			],
			eventLagMs: [0, 1],
			accepts: { count: 0, missed: 0, waitedMs: 0 },
			typedShown: { count: 0, missed: 0, waitedMs: 0 },
			durationMs: 60,
			cpuSeconds: 1.5,
			loadAverage: { atStart: 1, atEnd: 1 },
		};
		const side = serverSide(summarizeServerReplay(replay), 1700);
		assert.deepEqual(side, {
			latencyP50Ms: 50,
			latencyP95Ms: 50,
			latencyMeanMs: 50,
			delivered: 1,
			durationMs: 60,
			promptTokensEvaluated: 40,
			cpuSeconds: 1.5,
			peakRssMiB: 1700,
			coldStartMs: null,
			cancelToComputeStopP95Ms: null,
			cancelledComputations: 0,
			suggestionShownShare: 1,
		});
	});
});

describe('bench race: the machine between the two sides', function () {
	it('reports how far the same calibration moved, and drift past a tenth', function () {
		const steady = machineSpeedChange(
			{ promptTokensPerSecond: 150, generationTokensPerSecond: 12 },
			{ promptTokensPerSecond: 141, generationTokensPerSecond: 12.5 },
		);
		assert.equal(steady.promptChange, -0.06);
		assert.equal(steady.generationChange, 0.042);
		assert.equal(steady.drifted, false);
		const slower = machineSpeedChange(
			{ promptTokensPerSecond: 266, generationTokensPerSecond: 17.2 },
			{ promptTokensPerSecond: 260, generationTokensPerSecond: 11.8 },
		);
		assert.equal(slower.generationChange, -0.314);
		assert.equal(slower.drifted, true);
		assert.deepEqual(slower.afterServer, { promptTokensPerSecond: 260, generationTokensPerSecond: 11.8 });
	});
});

describe('bench race: options', function () {
	it('races only when given a llama-server, from the option or HEARTH_LLAMA_SERVER', function () {
		const none = parseBenchOptions([], {});
		assert.ok(none !== 'help');
		assert.equal(none.raceLlamaServer, undefined);
		const given = parseBenchOptions(['--race-llama-server', 'bin/llama-server'], {});
		assert.ok(given !== 'help');
		assert.equal(given.raceLlamaServer, path.resolve('bin/llama-server'));
		const fromEnv = parseBenchOptions([], { HEARTH_LLAMA_SERVER: '/opt/llama-server' });
		assert.ok(fromEnv !== 'help');
		assert.equal(fromEnv.raceLlamaServer, '/opt/llama-server');
		const actionsOnly = parseBenchOptions(['--actions'], { HEARTH_LLAMA_SERVER: '/opt/llama-server' });
		assert.ok(actionsOnly !== 'help');
		assert.equal(actionsOnly.raceLlamaServer, undefined);
		assert.throws(() => parseBenchOptions(['--actions', '--race-llama-server', 'x'], {}), /nothing to race/);
	});
});
