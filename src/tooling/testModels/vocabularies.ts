// Real tokenizers without a download: llama.cpp keeps vocabulary-only GGUF
// files (models/ggml-vocab-<name>.gguf) for its tokenizer tests, and
// node-llama-cpp ships the llama.cpp source as a git bundle. We fetch that
// bundle into a throwaway bare repository and copy the files out once, caching
// them in models/vocab/.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { defaultVocabularyDirectory } from './projectPaths.js';

const execFileAsync = promisify(execFile);

/** Vocabularies the presets use; any other name in the bundle works too. */
export const knownVocabularies = ['starcoder', 'gpt-2', 'deepseek-coder', 'qwen2'] as const;
export type KnownVocabulary = (typeof knownVocabularies)[number];

export class VocabularyExtractionError extends Error {
	override readonly name = 'VocabularyExtractionError';
}

export function vocabularyFileName(vocabulary: string): string {
	return `ggml-vocab-${vocabulary}.gguf`;
}

/** Root folder of the installed node-llama-cpp package, found through module resolution. */
function nodeLlamaCppPackageRoot(): string {
	const require = createRequire(import.meta.url);
	try {
		return path.dirname(require.resolve('node-llama-cpp/package.json'));
	} catch {
		// Its "exports" map does not expose package.json, so resolve the main
		// entry point and walk up to the folder that owns it.
	}
	let entry: string;
	try {
		entry = require.resolve('node-llama-cpp');
	} catch {
		throw new VocabularyExtractionError(
			'node-llama-cpp is not installed, so its llama.cpp git bundle (the source of the vocabulary files) is unavailable',
		);
	}
	for (let directory = path.dirname(entry); ; directory = path.dirname(directory)) {
		const manifest = path.join(directory, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'node-llama-cpp') {
			return directory;
		}
		if (path.dirname(directory) === directory) {
			throw new VocabularyExtractionError(`cannot find node-llama-cpp's package folder above ${entry}`);
		}
	}
}

/** node-llama-cpp's bundle of its llama.cpp source. */
export function llamaCppGitBundlePath(): string {
	return path.join(nodeLlamaCppPackageRoot(), 'llama', 'gitRelease.bundle');
}

async function git(args: readonly string[], options: { maxBuffer?: number } = {}): Promise<Buffer> {
	try {
		const { stdout } = await execFileAsync('git', args, {
			encoding: 'buffer',
			maxBuffer: options.maxBuffer ?? 16 << 20,
			env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
		});
		return stdout;
	} catch (error) {
		const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
		if (failure.code === 'ENOENT') {
			throw new VocabularyExtractionError(
				'git is needed to extract vocabulary files from the llama.cpp git bundle but was not found on PATH',
			);
		}
		const detail = failure.stderr?.toString('utf8').trim().split('\n').pop() ?? failure.message;
		throw new VocabularyExtractionError(`git ${args[0]} failed: ${detail}`);
	}
}

// Every missing vocabulary is extracted in one fetch: fetching the 35 MB
// bundle is the slow part, copying files out of it is not.
async function extractFromBundle(vocabularies: readonly string[], directory: string): Promise<void> {
	const bundle = llamaCppGitBundlePath();
	if (!existsSync(bundle)) {
		throw new VocabularyExtractionError(`llama.cpp git bundle not found at ${bundle} (is node-llama-cpp fully installed?)`);
	}
	const repository = await mkdtemp(path.join(os.tmpdir(), 'hearth-vocab-'));
	try {
		await git(['init', '--quiet', '--bare', repository]);
		await git(['-C', repository, 'fetch', '--quiet', bundle, 'HEAD']);
		await mkdir(directory, { recursive: true });
		for (const vocabulary of vocabularies) {
			const bytes = await git(['-C', repository, 'show', `FETCH_HEAD:models/${vocabularyFileName(vocabulary)}`], {
				maxBuffer: 256 << 20,
			}).catch((error: unknown) => {
				throw new VocabularyExtractionError(
					`vocabulary "${vocabulary}" is not in the llama.cpp bundle (${(error as Error).message})`,
				);
			});
			const target = path.join(directory, vocabularyFileName(vocabulary));
			// Rename into place so a concurrent reader never sees half a file.
			const partial = `${target}.${process.pid}.partial`;
			await writeFile(partial, bytes);
			await rename(partial, target);
		}
	} finally {
		await rm(repository, { recursive: true, force: true });
	}
}

let pendingExtraction: Promise<void> | undefined;

/**
 * Path of models/vocab/ggml-vocab-<name>.gguf, extracting it (and the other
 * known vocabularies) from node-llama-cpp's llama.cpp bundle when missing.
 */
export async function ensureVocabularyFile(vocabulary: string, options: { readonly directory?: string } = {}): Promise<string> {
	const directory = options.directory ?? defaultVocabularyDirectory;
	const target = path.join(directory, vocabularyFileName(vocabulary));
	if (existsSync(target)) return target;

	// One extraction at a time per process; a second caller waits and rechecks.
	while (pendingExtraction !== undefined) {
		await pendingExtraction.catch(() => undefined);
		if (existsSync(target)) return target;
	}
	const wanted = new Set<string>([vocabulary]);
	for (const known of knownVocabularies) {
		if (!existsSync(path.join(directory, vocabularyFileName(known)))) wanted.add(known);
	}
	pendingExtraction = extractFromBundle([...wanted], directory);
	try {
		await pendingExtraction;
	} finally {
		pendingExtraction = undefined;
	}
	return target;
}
