// The one entry point tests, benchmarks and the CLI use: "give me the path of
// preset X", generating the file only when it is missing or was written by a
// different generator version, shape, seed or vocabulary.

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { readGgufFile } from '../../engine/gguf/ggufReader.js';
import { ggufString } from '../../engine/gguf/ggufValues.js';
import { defaultGeneratedModelDirectory } from './projectPaths.js';
import { testModelShape, type TestModelPreset } from './shapes.js';
import { FINGERPRINT_KEY, randomModelFingerprint, writeRandomModel, type TestModelQuantization } from './writeRandomModel.js';

export { defaultTestModelPresets, isTestModelPreset, testModelPresets, testModelShape, tokenizerVocabularySizes } from './shapes.js';
export type { TestModelPreset, TestModelShape } from './shapes.js';
export { testModelQuantizations, type TestModelQuantization } from './writeRandomModel.js';

export interface EnsureTestModelOptions {
	/** Default Q8_0. */
	readonly quantization?: TestModelQuantization;
	/** Default models/generated/ under the project root. */
	readonly directory?: string;
	/** Where extracted vocabularies are cached; default models/vocab/. */
	readonly vocabularyDirectory?: string;
}

export interface EnsuredTestModel {
	readonly path: string;
	/** False when an up-to-date file was already there. */
	readonly generated: boolean;
	readonly fileSize: number;
	/** Time spent checking and (if needed) generating. */
	readonly milliseconds: number;
}

export function testModelFileName(preset: TestModelPreset, quantization: TestModelQuantization): string {
	return `${preset}.${quantization}.gguf`;
}

function existingFingerprint(filePath: string): string | undefined {
	if (!existsSync(filePath)) return undefined;
	try {
		return ggufString(readGgufFile(filePath).metadata.get(FINGERPRINT_KEY));
	} catch {
		// Unreadable or truncated: treat as stale and regenerate.
		return undefined;
	}
}

const inFlight = new Map<string, Promise<EnsuredTestModel>>();

async function ensure(preset: TestModelPreset, options: EnsureTestModelOptions): Promise<EnsuredTestModel> {
	const started = performance.now();
	const quantization = options.quantization ?? 'Q8_0';
	const shape = testModelShape(preset);
	const directory = options.directory ?? defaultGeneratedModelDirectory;
	const target = path.join(directory, testModelFileName(preset, quantization));
	const generatorOptions = { quantization, vocabularyDirectory: options.vocabularyDirectory };

	const wanted = await randomModelFingerprint(shape, generatorOptions);
	if (existingFingerprint(target) === wanted) {
		return { path: target, generated: false, fileSize: (await stat(target)).size, milliseconds: performance.now() - started };
	}

	await mkdir(directory, { recursive: true });
	// A unique partial name per writer, renamed into place only when complete:
	// a crash never leaves a file that looks finished, and two processes
	// generating the same model at once do not write into the same file.
	const partial = `${target}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.partial`;
	try {
		const { fileSize } = await writeRandomModel(shape, partial, generatorOptions);
		await rename(partial, target);
		return { path: target, generated: true, fileSize, milliseconds: performance.now() - started };
	} catch (error) {
		await rm(partial, { force: true });
		throw error;
	}
}

/** Like ensureTestModel, with whether it generated and how long it took. */
export function ensureTestModelDetailed(preset: TestModelPreset, options: EnsureTestModelOptions = {}): Promise<EnsuredTestModel> {
	const key = JSON.stringify([preset, options.quantization ?? 'Q8_0', options.directory ?? '', options.vocabularyDirectory ?? '']);
	let pending = inFlight.get(key);
	if (pending === undefined) {
		pending = ensure(preset, options).finally(() => inFlight.delete(key));
		inFlight.set(key, pending);
	}
	return pending;
}

/**
 * Path of the preset's GGUF (`<directory>/<preset>.<quantization>.gguf`),
 * generated first when missing or stale.
 */
export async function ensureTestModel(
	preset: TestModelPreset,
	options?: { quantization?: TestModelQuantization; directory?: string },
): Promise<string> {
	return (await ensureTestModelDetailed(preset, options)).path;
}
