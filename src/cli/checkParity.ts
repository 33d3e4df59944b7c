#!/usr/bin/env node
// Parity of a finished starter-model GGUF with the recipe's PyTorch model (src/train/export/ggufParity.ts).
//   npm run parity -- [--model FILE] [--data DIR | --text FILE] [--tokens N] [--json FILE]

import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';
import { parityTokens } from '../train/export/exportStarter.js';
import { checkGgufParity, GGUF_PARITY_MIN_TOP1, hasHeldoutShards, textParityTokens } from '../train/export/ggufParity.js';
import { integerOption, parseArguments, runCli, stringOption, UsageError } from '../tooling/cliArguments.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { messageOf } from '../shared/errorMessage.js';

const USAGE = `Usage: npm run parity -- [options]

Checks that a starter-model GGUF computes the recipe's model: PyTorch (the recipe's StarterModel
with the file's own tensors, Q8_0 dequantised) and llama.cpp (the file itself) compute next-token
logits for the same tokens; it passes when the top-1 token agrees at >= ${GGUF_PARITY_MIN_TOP1 * 100} % of positions.
A negative control (PyTorch with the wrong rotary layout) must disagree. Needs python3 with torch.

Options:
  --model FILE   the GGUF (default: the bundled model, ${BUNDLED_MODEL_RELATIVE_PATH})
  --data DIR     held-out token shards from npm run tokenize: their first tokens are the text
  --text FILE    or a source file, tokenized with the model's vocabulary
  --tokens N     positions compared (default 512; at most the model's context)
  --json FILE    also write the report as JSON`;

async function main(argv: string[]): Promise<number> {
	const { positionals, options } = parseArguments(argv, ['help']);
	if (options.has('help')) {
		console.log(USAGE);
		return 0;
	}
	if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
	const root = projectRoot();
	const model = path.resolve(stringOption(options, 'model') ?? path.join(root, BUNDLED_MODEL_RELATIVE_PATH));
	if (!existsSync(model)) throw new UsageError(`${model} does not exist`);
	const count = integerOption(options, 'tokens') ?? 512;
	if (count < 16 || count > 8192) throw new UsageError('--tokens must be between 16 and 8192');
	const data = stringOption(options, 'data');
	const text = stringOption(options, 'text');
	if ((data === undefined) === (text === undefined)) throw new UsageError('give one of --data DIR or --text FILE');
	let tokens: number[];
	if (data !== undefined) {
		if (!hasHeldoutShards(path.resolve(data))) throw new UsageError(`${data} holds no held-out shards (npm run tokenize writes them)`);
		tokens = parityTokens(path.resolve(data), count);
	} else {
		tokens = await textParityTokens(model, readFileSync(path.resolve(text!), 'utf8'), count);
	}
	const result = await checkGgufParity({
		recipeDirectory: path.join(root, 'models', 'recipe'),
		ggufPath: model,
		tokens,
		wrongRopeControl: true,
	});
	const { report, wrongRopeControl } = result;
	console.log(
		`${path.basename(model)}: ${result.tokens} positions, top-1 agreement ${(report.top1Agreement * 100).toFixed(1)} %, ` +
			`max |diff| ${report.maxAbsDiff.toFixed(4)}, mean |diff| ${report.meanAbsDiff.toFixed(5)} (logit std ${report.referenceStd.toFixed(3)}); ` +
			`FIM ${report.fimTemplate}`,
	);
	if (wrongRopeControl !== undefined) {
		console.log(
			`wrong-rope control: top-1 agreement ${(wrongRopeControl.top1Agreement * 100).toFixed(1)} %, max |diff| ${wrongRopeControl.maxAbsDiff.toFixed(3)}`,
		);
	}
	if (stringOption(options, 'json') !== undefined)
		await writeFile(path.resolve(stringOption(options, 'json')!), `${JSON.stringify(result, null, 2)}\n`);
	const passed =
		report.top1Agreement >= GGUF_PARITY_MIN_TOP1 &&
		(wrongRopeControl === undefined || wrongRopeControl.top1Agreement < GGUF_PARITY_MIN_TOP1);
	console.log(passed ? 'parity holds' : 'parity FAILED');
	return passed ? 0 : 1;
}

runCli(
	() => main(process.argv.slice(2)),
	USAGE,
	(error) => `parity: ${messageOf(error)}`,
);
