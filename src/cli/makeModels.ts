// Generates the random-weight test models:
//   node out/src/cli/makeModels.js [preset ...] [--quant F16|Q8_0|all] [--out DIR] [--list]
// With no preset it makes the fast ones (tiny-fim, tiny-nofim,
// starter-placeholder). Up-to-date files are left alone.

import path from 'node:path';

import {
	defaultTestModelPresets,
	ensureTestModelDetailed,
	isTestModelPreset,
	testModelPresets,
	testModelQuantizations,
	testModelShape,
	tokenizerVocabularySizes,
	type TestModelPreset,
	type TestModelQuantization,
} from '../tooling/testModels/ensureModel.js';
import { parameterCount, planTensors } from '../tooling/testModels/tensorLayout.js';
import { messageOf } from '../shared/errorMessage.js';

interface Arguments {
	readonly presets: readonly TestModelPreset[];
	readonly quantizations: readonly TestModelQuantization[];
	readonly directory?: string;
	readonly list: boolean;
}

class UsageError extends Error {}

const usage = 'usage: makeModels [preset ...] [--quant F16|Q8_0|all] [--out DIR] [--list]';

function parseArguments(argv: readonly string[]): Arguments {
	const presets: TestModelPreset[] = [];
	let quantizations: readonly TestModelQuantization[] = ['Q8_0'];
	let directory: string | undefined;
	let list = false;
	for (let i = 0; i < argv.length; i++) {
		const argument = argv[i]!;
		const [flag, inlineValue] = argument.startsWith('--') ? argument.split(/=(.*)/s, 2) : [argument, undefined];
		const value = (): string => {
			const next = inlineValue ?? argv[++i];
			if (next === undefined || next === '') throw new UsageError(`${flag} needs a value; ${usage}`);
			return next;
		};
		switch (flag) {
			case '--list':
				list = true;
				break;
			case '--quant': {
				const quant = value();
				if (quant === 'all') quantizations = testModelQuantizations;
				else if ((testModelQuantizations as readonly string[]).includes(quant)) quantizations = [quant as TestModelQuantization];
				else throw new UsageError(`unknown quantization "${quant}" (expected F16, Q8_0 or all)`);
				break;
			}
			case '--out':
				directory = path.resolve(value());
				break;
			case '--help':
			case '-h':
				throw new UsageError(usage);
			default:
				if (flag!.startsWith('-')) throw new UsageError(`unknown option ${flag}; ${usage}`);
				if (!isTestModelPreset(argument)) {
					throw new UsageError(`unknown preset "${argument}" (known: ${testModelPresets.join(', ')})`);
				}
				presets.push(argument);
		}
	}
	return { presets: presets.length > 0 ? presets : defaultTestModelPresets, quantizations, directory, list };
}

function megabytes(bytes: number): string {
	return `${(bytes / 1e6).toFixed(1)} MB`;
}

function printList(): void {
	for (const preset of testModelPresets) {
		const shape = testModelShape(preset);
		const rows = shape.vocabSize ?? tokenizerVocabularySizes[shape.tokenizer];
		const parameters = parameterCount(planTensors(shape, rows));
		const marker = defaultTestModelPresets.includes(preset) ? '*' : ' ';
		console.log(`${marker} ${preset.padEnd(26)} ${(parameters / 1e6).toFixed(1).padStart(7)}M params  ${shape.description}`);
	}
	console.log('* made when no preset is named');
}

async function main(argv: readonly string[]): Promise<void> {
	const args = parseArguments(argv);
	if (args.list) {
		printList();
		return;
	}
	for (const preset of args.presets) {
		for (const quantization of args.quantizations) {
			const result = await ensureTestModelDetailed(preset, { quantization, directory: args.directory });
			const how = result.generated ? `generated in ${(result.milliseconds / 1000).toFixed(1)} s` : 'up to date';
			console.log(`${result.path}  ${megabytes(result.fileSize)}  (${how})`);
		}
	}
}

main(process.argv.slice(2)).catch((error: unknown) => {
	const message = messageOf(error);
	console.error(`makeModels: ${message.split('\n')[0]}`);
	process.exitCode = error instanceof UsageError ? 2 : 1;
});
