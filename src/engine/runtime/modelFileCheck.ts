import fs from 'node:fs/promises';
import { readGgufFileInfo, type GgufFileInfo } from 'node-llama-cpp';
import { GgufFormatError } from '../gguf/ggufFormatError.js';
import { readGgufFile } from '../gguf/ggufReader.js';
import { messageOf } from '../../shared/errorMessage.js';
import { ModelLoadError } from './modelLoadError.js';

/**
 * Checks a model file before anything native touches it, so that a missing, foreign or truncated
 * file becomes a one-line message instead of an opaque llama.cpp failure (or a read past the end of
 * a memory-mapped file). The project's own strict GGUF reader does the structural check; the
 * returned node-llama-cpp file info feeds its memory estimates.
 */
export async function checkModelFile(modelPath: string): Promise<{ fileInfo: GgufFileInfo; sizeBytes: number }> {
	const stat = await fs.stat(modelPath).catch(() => undefined);
	if (!stat) {
		throw new ModelLoadError('not-found', `Model file not found: ${modelPath}`);
	}
	if (!stat.isFile()) {
		throw new ModelLoadError('not-a-file', `Model path is not a file: ${modelPath}`);
	}
	if (stat.size === 0) {
		throw new ModelLoadError('truncated', `Model file is empty (an interrupted download or copy?): ${modelPath}`);
	}
	let header;
	try {
		header = readGgufFile(modelPath);
	} catch (error) {
		throw describeFormatError(error, modelPath, stat.size);
	}
	if (!header.metadata.has('general.architecture') || !header.metadata.has('tokenizer.ggml.model')) {
		throw new ModelLoadError(
			'not-a-language-model',
			`${modelPath} is a GGUF file but not a language model (no architecture or tokenizer in its metadata)`,
		);
	}
	let fileInfo: GgufFileInfo;
	try {
		fileInfo = await readGgufFileInfo(modelPath, { logWarnings: false, sourceType: 'filesystem', spliceSplitFiles: false });
	} catch (error) {
		throw new ModelLoadError('load-failed', `node-llama-cpp cannot read the header of ${modelPath}: ${messageOf(error)}`, {
			cause: error,
		});
	}
	return { fileInfo, sizeBytes: stat.size };
}

function describeFormatError(error: unknown, modelPath: string, size: number): ModelLoadError {
	if (!(error instanceof GgufFormatError)) {
		return new ModelLoadError('load-failed', `Cannot read ${modelPath}: ${messageOf(error)}`, { cause: error });
	}
	switch (error.reason) {
		case 'bad-magic':
			return new ModelLoadError('not-gguf', `Not a GGUF model file (it does not start with "GGUF"): ${modelPath}`, { cause: error });
		case 'truncated':
			return new ModelLoadError(
				'truncated',
				`Model file is truncated (${size} bytes; an interrupted download or copy?): ${modelPath}`,
				{ cause: error },
			);
		case 'unsupported-version':
		case 'corrupt':
			return new ModelLoadError('not-gguf', `Unreadable GGUF file ${modelPath}: ${firstLine(error.message)}`, { cause: error });
	}
}

function firstLine(text: string): string {
	return text.split('\n', 1)[0]!;
}
