// The quality replay on the bundled model, for real: three held-out points through Hearth's path
// (scheduler, engine, post-processing) and, when llama-server is built, through llama.vscode's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/engine/logger.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { runHearthVariant } from '../../src/bench/quality/hearthQuality.js';
import { runLlamaVscode } from '../../src/bench/quality/llamaVscodeQuality.js';
import { planPoints } from '../../src/bench/quality/pointPlan.js';
import { loadQualityFiles } from '../../src/bench/quality/qualityFixtures.js';
import { scoreSuggestion } from '../../src/bench/quality/qualityMetrics.js';
import { httpInfillClient } from '../../src/bench/race/infillClient.js';
import { startLlamaServer } from '../../src/bench/race/llamaServerProcess.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const MODEL = path.join(ROOT, BUNDLED_MODEL_RELATIVE_PATH);
const LLAMA_SERVER = process.env.HEARTH_LLAMA_SERVER || path.join(ROOT, '.cache', 'llama-server', 'build', 'bin', 'llama-server');

describe('quality replay on the bundled model', function () {
	this.timeout(300_000);
	const plan = planPoints(loadQualityFiles(undefined, ['python']).slice(0, 1), 3, 17);
	const points = plan.flatMap((entry) => entry.points);
	let loaded: LoadedModel;

	before(async function () {
		loaded = await loadModel({ modelPath: MODEL, threads: 2, contextSize: 2048, gpu: 'auto', logger: silentLogger });
	});

	after(async function () {
		await loaded?.dispose();
	});

	it("answers each point through Hearth's scheduler with a model run, scored against its truth", async function () {
		assert.equal(points.length, 3);
		const outcomes = (await runHearthVariant(loaded, silentLogger, { name: 'hearth' }, plan, false)).flat();
		assert.equal(outcomes.length, 3);
		for (const [index, outcome] of outcomes.entries()) {
			assert.equal(outcome.source, 'model', `point ${index} ran the model`);
			assert.notEqual(outcome.stopReason, 'cancelled');
			assert.ok(outcome.latencyMs > 0);
			const {
				latencyMs: _latency,
				generatedTokens: _tokens,
				confidence: _confidence,
				stopReason: _stop,
				source: _source,
				heldBack,
				text,
				...score
			} = outcome;
			// The editor's confidence gate runs too: a suggestion it held back is not shown.
			if (heldBack) {
				assert.equal(text, '');
			}
			assert.deepEqual(score, scoreSuggestion(text, points[index]!.truth));
		}
	});

	it("answers the same points through llama.vscode's /infill on llama-server", async function () {
		if (!fs.existsSync(LLAMA_SERVER)) {
			this.skip(); // built by src/bench/setup/buildLlamaServer.sh
		}
		const server = await startLlamaServer({
			binary: LLAMA_SERVER,
			modelPath: MODEL,
			threads: 2,
			contextSize: 2048,
			spmInfill: true,
			logFile: path.join(os.tmpdir(), `hearth-quality-test-${process.pid}.log`),
		});
		try {
			const outcomes = (await runLlamaVscode(httpInfillClient(server.url), plan, false)).flat();
			assert.equal(outcomes.length, 3);
			for (const [index, outcome] of outcomes.entries()) {
				assert.notEqual(outcome.outcome, 'error', outcome.error);
				if (outcome.outcome !== 'not-asked') {
					assert.ok(outcome.generatedTokens > 0 || outcome.outcome === 'empty', `point ${index}: the server generated`);
				}
				assert.equal(outcome.charsSaved, scoreSuggestion(outcome.text, points[index]!.truth).charsSaved);
				assert.equal(outcome.shown, outcome.outcome === 'shown' && outcome.text.trim() !== '');
			}
		} finally {
			await server.stop();
		}
	});
});
