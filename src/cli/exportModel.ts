#!/usr/bin/env node
// Exports a trained starter-model checkpoint to GGUF files llama.cpp (and so Hearth) loads.
//   npm run export-model -- [--checkpoint FILE | --tensors DIR] [--out DIR] [--quant F16,Q8_0] [--check]
import { existsSync } from 'node:fs';
import path from 'node:path';

import { exportStarterModel, parityHolds } from '../train/export/exportStarter.js';
import { starterQuantizations, type StarterQuantization } from '../train/export/writeStarterGguf.js';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../tooling/cliArguments.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { messageOf } from '../shared/errorMessage.js';

const USAGE = `Usage: npm run export-model -- [options]

Writes the starter model's GGUF files (hearth-starter-<preset>.<QUANT>.gguf) from a training
checkpoint (models/recipe/train.py) or from a raw tensor container (models/recipe/export_tensors.py,
e.g. the q8_0 one models/recipe/gpu-lease.sh leaves on a GPU machine: tensors.json and its parts
tensors.bin.NNN, whose sizes and sha256s are checked before they are joined), with StarCoder's
tokenizer and FIM token ids.

Options:
  --checkpoint FILE   training checkpoint (default models/recipe/runs/cpu-small/checkpoint.pt)
  --tensors DIR       a raw tensor container (tensors.json + tensors.bin.NNN) instead of a checkpoint
  --out DIR           where the GGUF files go (default models/starter)
  --quant LIST        comma-separated, of ${starterQuantizations.join(', ')} (default F16,Q8_0)
  --name TEXT         general.name (default "Hearth Starter <preset>")
  --check             then compare PyTorch's float32 logits with llama.cpp's on the F32 (else F16) file,
                      and report the FIM template the engine picks for it (needs a checkpoint)
  --check-tokens N    tokens in the parity check (default 256, at most the model's context)
  --data DIR          token shards for the parity check's text (default models/recipe/data)`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['help', 'check']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const root = projectRoot();
	const recipe = path.join(root, 'models', 'recipe');
	const tensorsOption = stringOption(options, 'tensors');
	const checkpoint =
		tensorsOption === undefined
			? path.resolve(stringOption(options, 'checkpoint') ?? path.join(recipe, 'runs', 'cpu-small', 'checkpoint.pt'))
			: undefined;
	const out = path.resolve(stringOption(options, 'out') ?? path.join(root, 'models', 'starter'));
	const quantizations = (stringOption(options, 'quant') ?? 'F16,Q8_0').split(',').map((q) => q.trim().toUpperCase());
	for (const q of quantizations) {
		if (!(starterQuantizations as readonly string[]).includes(q))
			throw new UsageError(`--quant: unknown ${q}; use ${starterQuantizations.join(', ')}`);
	}
	if (options.has('check') && checkpoint === undefined)
		throw new UsageError('--check needs the checkpoint (PyTorch computes the reference logits)');
	if (checkpoint !== undefined && !existsSync(checkpoint))
		throw new UsageError(`${checkpoint} does not exist: train first (npm run train)`);

	const result = await exportStarterModel({
		recipeDirectory: recipe,
		checkpoint,
		tensorsDirectory: tensorsOption === undefined ? undefined : path.resolve(tensorsOption),
		outDirectory: out,
		quantizations: quantizations as StarterQuantization[],
		name: stringOption(options, 'name'),
		check: options.has('check')
			? {
					tokens: integerOption(options, 'check-tokens') ?? 256,
					dataDirectory: path.resolve(stringOption(options, 'data') ?? path.join(recipe, 'data')),
				}
			: undefined,
		log: (line) => console.error(line),
	});
	console.log(JSON.stringify(result, null, 2));
	if (result.parity !== undefined && !parityHolds(result.parity.report, result.parity.quantization)) {
		console.error('parity check FAILED');
		return 1;
	}
	return 0;
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => `export-model: ${messageOf(error)}`,
);
