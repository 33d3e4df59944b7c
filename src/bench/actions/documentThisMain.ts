/**
 * `npm run bench -- --document-this [--per-language N] [--out FILE]`: Document This on the bundled
 * model over documented held-out functions, and how well its confidence separates good answers from
 * bad (documentThisReplay.ts). JSON on stdout or in FILE; one line per task on stderr.
 */

import fs from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../engine/logger.js';
import { CompletionEngine } from '../../engine/runtime/completionEngine.js';
import { loadModel } from '../../engine/runtime/loadModel.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../shared/bundledModel.js';
import { projectRoot } from '../../tooling/projectRoot.js';
import { loadQualityFiles } from '../quality/qualityFixtures.js';
import { pickTasks, replayDocumentThis } from './documentThisReplay.js';
import { integerOption, parseArguments, stringOption, UsageError } from '../../tooling/cliArguments.js';

export const DOCUMENT_THIS_USAGE = `npm run bench -- --document-this [--per-language N] [--threads N] [--models FILE.gguf] [--out FILE]
  Document This on the bundled model (or the .gguf given) over documented functions of the quality
  replay's held-out files, each answer scored against the real doc comment, and how well the answer's
  confidence separates good answers from bad (ROC AUC, the best threshold). --per-language: tasks per
  language (default 20).`;

/** The options after --document-this; 'help' for --help. */
export function parseDocumentThisOptions(argv: readonly string[]): DocumentThisBenchOptions | 'help' {
	const { options, positionals } = parseArguments(argv, ['document-this', 'help']);
	if (options.has('help')) {
		return 'help';
	}
	if (positionals.length > 0) {
		throw new UsageError(`unexpected argument "${positionals[0]}"`);
	}
	const modelPath = stringOption(options, 'models');
	if (modelPath !== undefined && !modelPath.endsWith('.gguf')) {
		throw new UsageError('--models takes one .gguf file with --document-this');
	}
	return {
		perLanguage: integerOption(options, 'per-language', { min: 1, max: 1000 }) ?? 20,
		threads: integerOption(options, 'threads', { min: 0, max: 256 }),
		...(modelPath ? { modelPath: path.resolve(modelPath) } : {}),
		out: stringOption(options, 'out'),
	};
}

export interface DocumentThisBenchOptions {
	perLanguage: number;
	threads?: number;
	modelPath?: string;
	out?: string;
}

export async function documentThisMain(options: DocumentThisBenchOptions): Promise<number> {
	const modelPath = options.modelPath ?? path.join(projectRoot(), BUNDLED_MODEL_RELATIVE_PATH);
	const loaded = await loadModel({ modelPath, threads: options.threads, sequences: 1, logger: silentLogger });
	const engine = new CompletionEngine(loaded, silentLogger);
	try {
		const tasks = pickTasks(loadQualityFiles(), options.perLanguage);
		const report = await replayDocumentThis(engine, tasks, (sample, index) => {
			process.stderr.write(
				`[${index + 1}/${tasks.length}] ${sample.language} f1 ${sample.f1.toFixed(2)} mean ${sample.meanLogProb?.toFixed(2)} · ${JSON.stringify(sample.generated.slice(0, 60))}\n`,
			);
		});
		const json = JSON.stringify({ model: path.basename(modelPath), ...report }, null, '\t');
		if (options.out) {
			fs.writeFileSync(options.out, json + '\n');
		} else {
			console.log(json);
		}
		const { byMean } = report;
		process.stderr.write(
			`Document This: ${report.good}/${report.tasks} good (mean F1 ${report.meanF1.toFixed(2)}); confidence AUC ${byMean.auc?.toFixed(2)} (min: ${report.byMin.auc?.toFixed(2)}), threshold ${byMean.threshold?.toFixed(2)} flags ${pct(byMean.flaggedShare)} (bad ${pct(byMean.badFlagged)}, good ${pct(byMean.goodFlagged)})\n`,
		);
		return 0;
	} finally {
		await engine.dispose();
	}
}

function pct(share: number | null): string {
	return share === null ? 'n/a' : `${Math.round(share * 100)} %`;
}
