#!/usr/bin/env node
import path from 'node:path';
import { stderrLogger } from '../engine/logger.js';
import { CompletionEngine, type CompletionResult } from '../engine/runtime/completionEngine.js';
import { loadModel } from '../engine/runtime/loadModel.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';
import { integerOption, parseArguments, runCli, UsageError } from '../tooling/cliArguments.js';
import { decodeText, parseStdinInput, readFileAtCursor, type CursorInput } from './cursorInput.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { messageOf } from '../shared/errorMessage.js';

/** The ranges the editor's settings allow, and more tokens than any inline completion needs. */
const MAX_TOKENS = { min: 1, max: 4096 };
const THREADS = { min: 0, max: 256 };
const CONTEXT_SIZE = { min: 256, max: 131072 };

const USAGE = `Usage: npm run complete -- <file>[:line[:column]] [options]
       npm run complete -- --stdin [options] < input

Prints the completion the engine computes at the cursor, then how long it took.
The cursor is at line:column (1-based), else at the marker <CURSOR> in the text, else at the end.
On stdin: JSON {"prefix": "...", "suffix": "..."} or text with <CURSOR>.

Options:
  --model PATH        GGUF model (default: the bundled model, ${BUNDLED_MODEL_RELATIVE_PATH})
  --max-tokens N      most tokens to generate, ${MAX_TOKENS.min} to ${MAX_TOKENS.max} (default 64)
  --mode M            auto | single-line | multi-line (default auto)
  --threads N         CPU threads, ${THREADS.min} to ${THREADS.max} (default 0: the machine's core count)
  --context-size N    context window in tokens, ${CONTEXT_SIZE.min} to ${CONTEXT_SIZE.max} (default 2048)
  --gpu auto|off      use a GPU if one is found (default auto)
  --json              print one JSON object instead of text
  --verbose           log model loading details to stderr`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['stdin', 'json', 'verbose', 'help']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	// Every option is checked before anything is read or loaded: a typo fails at once, with exit 2.
	const maxTokens = integerOption(options, 'max-tokens', MAX_TOKENS) ?? 64;
	const threads = integerOption(options, 'threads', THREADS);
	const contextSize = integerOption(options, 'context-size', CONTEXT_SIZE);
	let input: CursorInput;
	if (options.has('stdin')) {
		input = parseStdinInput(decodeText(await readStdin(), 'stdin'));
	} else if (positionals.length === 1) {
		input = await readFileAtCursor(positionals[0]!);
	} else {
		throw new UsageError(positionals.length === 0 ? 'Give a file (file[:line[:column]]) or --stdin.' : 'Give exactly one file.');
	}
	const mode = options.get('mode') ?? 'auto';
	if (mode !== 'auto' && mode !== 'single-line' && mode !== 'multi-line') {
		throw new UsageError('--mode must be auto, single-line or multi-line');
	}
	const gpu = options.get('gpu') ?? 'auto';
	if (gpu !== 'auto' && gpu !== 'off') {
		throw new UsageError('--gpu must be auto or off');
	}
	const modelOption = options.get('model');
	const modelPath = typeof modelOption === 'string' ? path.resolve(modelOption) : path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH);
	const logger = stderrLogger({ verbose: options.has('verbose') });

	const loadStartedAt = performance.now();
	const loaded = await loadModel({
		modelPath,
		threads,
		contextSize,
		gpu,
		logger,
	});
	const loadMs = performance.now() - loadStartedAt;
	const engine = new CompletionEngine(loaded, logger);
	try {
		const result = await engine.complete({ prefix: input.prefix, suffix: input.suffix, maxTokens, mode });
		print(result, input, engine, loadMs, options.has('json'));
	} finally {
		await engine.dispose();
	}
	return 0;
}

function print(result: CompletionResult, input: CursorInput, engine: CompletionEngine, loadMs: number, json: boolean): void {
	const { stats } = result;
	const info = engine.info;
	if (json) {
		console.log(
			JSON.stringify(
				{
					source: input.source,
					completion: result.text,
					rawText: result.rawText,
					stopReason: result.stopReason,
					model: info,
					loadMs,
					stats,
				},
				null,
				2,
			),
		);
		return;
	}
	const generationMs = stats.totalMs - stats.promptMs;
	const tokensPerSecond = stats.generatedTokens / Math.max(generationMs / 1000, 1e-3);
	console.log(result.text);
	console.log('---');
	console.log(
		`at ${input.source} with ${info.displayName} (${info.quantization}, ${info.backend}, ${info.threads} threads, FIM: ${info.fimFamily})`,
	);
	console.log(
		`${Math.round(stats.totalMs)} ms: prompt ${stats.promptTokens} tokens in ${Math.round(stats.promptMs)} ms, ` +
			`${stats.generatedTokens} tokens generated (${tokensPerSecond.toFixed(1)} tokens/s), stopped by ${result.stopReason}; model loaded in ${Math.round(loadMs)} ms`,
	);
}

async function readStdin(): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of process.stdin) {
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => (error instanceof ModelLoadError ? error.userMessage : `Completion failed: ${messageOf(error)}`),
);
