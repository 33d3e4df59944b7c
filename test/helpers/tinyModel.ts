import { silentLogger } from '../../src/engine/logger.js';
import { loadModel, type LoadedModel } from '../../src/engine/runtime/loadModel.js';
import { ensureTestModel } from '../../src/tooling/testModels/ensureModel.js';

/**
 * The tiny generated FIM model, loaded on one thread with one sequence: on a busy two-core machine
 * ggml's spinning worker threads would make every token a hundred times slower.
 */
export async function loadTinyFimOnOneThread(): Promise<LoadedModel> {
	return loadModel({
		modelPath: await ensureTestModel('tiny-fim', { quantization: 'Q8_0' }),
		contextSize: 2048,
		sequences: 1,
		threads: 1,
		gpu: 'off',
		logger: silentLogger,
	});
}

/** The tiny generated instruct model (ChatML template, random weights), on one thread with a small completion context. */
export async function loadTinyInstructOnOneThread(): Promise<LoadedModel> {
	return loadModel({
		modelPath: await ensureTestModel('tiny-qwen2-instruct', { quantization: 'Q8_0' }),
		contextSize: 256,
		sequences: 1,
		threads: 1,
		gpu: 'off',
		logger: silentLogger,
	});
}
