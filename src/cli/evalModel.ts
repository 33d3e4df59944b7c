#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stderrLogger } from '../engine/logger.js';
import { CompletionEngine } from '../engine/runtime/completionEngine.js';
import { loadModel } from '../engine/runtime/loadModel.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';
import { EDITOR_INLINE_SETTINGS, runFimTasks } from '../train/eval/fimEvaluation.js';
import { readHeldoutDocuments, readHeldoutFiles } from '../train/eval/heldoutData.js';
import { heldoutPerplexity, type PerplexityResult } from '../train/eval/perplexity.js';
import { pickMiddles } from '../train/eval/pickMiddles.js';
import { formatReportTable } from '../train/eval/reportTable.js';
import { summarizeScores } from '../train/eval/scoreSummary.js';
import { selectTasks } from '../train/eval/taskSelection.js';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../tooling/cliArguments.js';
import { projectRoot } from '../tooling/projectRoot.js';

const USAGE = `Usage: npm run eval -- [options]

Held-out evaluation of a GGUF model: fill-in-the-middle tasks (single-line and multi-line middles
from held-out files) run through the editor's completion engine and scored by exact match and edit
similarity per language, and perplexity on the held-out token shards.

Options:
  --model PATH            GGUF model (default: the bundled model, ${BUNDLED_MODEL_RELATIVE_PATH})
  --data DIR              shard folder from npm run tokenize (default models/recipe/data)
  --limit N               most FIM tasks, spread over languages (default 120)
  --seed N                which middles are picked (default 1)
  --perplexity-tokens N   held-out tokens scored for perplexity; 0 skips it (default 8192)
  --threads N             CPU threads (default 2)
  --context-size N        context window (default 2048)
  --max-tokens N          most tokens per completion (default ${EDITOR_INLINE_SETTINGS.maxTokens}, the editor's)
  --mode M                auto | single-line | multi-line (default auto, the editor's)
  --gpu auto|off          use a GPU if one is found (default off)
  --json FILE             also write the full report, every task included
  --verbose               log the engine's details`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['help', 'verbose']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const modelPath = path.resolve(stringOption(options, 'model') ?? path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH));
	const data = path.resolve(stringOption(options, 'data') ?? path.join(projectRoot(), 'models', 'recipe', 'data'));
	const mode = stringOption(options, 'mode') ?? EDITOR_INLINE_SETTINGS.mode;
	if (mode !== 'auto' && mode !== 'single-line' && mode !== 'multi-line')
		throw new UsageError('--mode must be auto, single-line or multi-line');
	const gpu = stringOption(options, 'gpu') ?? 'off';
	if (gpu !== 'auto' && gpu !== 'off') throw new UsageError('--gpu must be auto or off');
	const limit = integerOption(options, 'limit') ?? 120;
	const seed = integerOption(options, 'seed') ?? 1;
	const perplexityTokens = integerOption(options, 'perplexity-tokens') ?? 8192;
	const jsonFile = stringOption(options, 'json');
	const logger = stderrLogger({ verbose: options.has('verbose') });

	const heldoutFiles = await readHeldoutFiles(data);
	const tasks = selectTasks(
		heldoutFiles.flatMap((file) => pickMiddles(file, { seed, singleLinePerFile: 2, multiLinePerFile: 1 })),
		limit,
		seed,
	);
	const settings = {
		...EDITOR_INLINE_SETTINGS,
		mode,
		maxTokens: integerOption(options, 'max-tokens') ?? EDITOR_INLINE_SETTINGS.maxTokens,
	} as const;
	const loaded = await loadModel({
		modelPath,
		threads: integerOption(options, 'threads') ?? 2,
		contextSize: integerOption(options, 'context-size'),
		gpu,
		logger,
	});
	const engine = new CompletionEngine(loaded, logger);
	const startedAt = performance.now();
	try {
		console.error(
			`${tasks.length} FIM tasks from ${heldoutFiles.length} held-out files; model ${engine.info.displayName} (FIM: ${engine.info.fimFamily})`,
		);
		const results = await runFimTasks(engine, tasks, settings, (_, index) => {
			if ((index + 1) % 20 === 0) console.error(`  ${index + 1}/${tasks.length} tasks`);
		});
		const fimSeconds = (performance.now() - startedAt) / 1000;
		let perplexity: PerplexityResult | undefined;
		if (perplexityTokens > 0) {
			const documents = await readHeldoutDocuments(data, heldoutFiles);
			// A sequence of the engine's pool: the FIM tasks are done, so its cached prompt is not needed any more.
			const sequence = loaded.sequences[loaded.sequences.length - 1]!;
			perplexity = await heldoutPerplexity(sequence, documents, {
				maxTokens: perplexityTokens,
				windowTokens: loaded.context.contextSize,
			});
		}
		const scores = summarizeScores(results);
		console.log(formatReportTable(scores, perplexity));
		const seconds = (performance.now() - startedAt) / 1000;
		console.log(
			`model ${path.relative(process.cwd(), modelPath)} (FIM: ${engine.info.fimFamily}); ${results.length} tasks in ${fimSeconds.toFixed(0)} s, ${seconds.toFixed(0)} s in all`,
		);
		if (jsonFile !== undefined) {
			const report = {
				model: modelPath,
				modelInfo: engine.info,
				data,
				seed,
				settings,
				createdAt: new Date().toISOString(),
				scores,
				perplexity,
				tasks: results,
			};
			await writeFile(path.resolve(jsonFile), JSON.stringify(report, null, '\t') + '\n');
			console.log(`wrote ${jsonFile}`);
		}
	} finally {
		await engine.dispose();
	}
	return 0;
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) =>
		error instanceof ModelLoadError
			? error.userMessage
			: `Evaluation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
);
