import os from 'node:os';
import {
	GgufInsights,
	GgufFileType,
	type GgufFileInfo,
	type Llama,
	type LlamaContext,
	type LlamaContextSequence,
	type LlamaModel,
} from 'node-llama-cpp';
import { detectFimTemplate, type FimDetection } from '../fim/detectFamily.js';
import type { FimTemplate } from '../fim/fimTypes.js';
import type { Logger } from '../logger.js';
import { getLlamaInstance, type GpuPreference } from './llamaInstance.js';
import { ensureFiniteLogits } from './logitsCheck.js';
import { checkModelFile } from './modelFileCheck.js';
import { messageOf } from '../../shared/errorMessage.js';
import { displayNameOf, type ModelInfo } from './modelInfo.js';
import { ModelLoadError } from './modelLoadError.js';
import { probeVocabulary } from './vocabProbe.js';
import { resolveThreadCount } from './threads.js';

export interface LoadModelOptions {
	modelPath: string;
	/** 0 or undefined: the machine's real core count */
	threads?: number;
	/** Upper bound; clipped to what the model was trained with */
	contextSize?: number;
	gpu?: GpuPreference;
	logger: Logger;
	/** Documents whose KV caches are kept at once (default 3). */
	sequences?: number;
	/**
	 * The context the memory check counts, when another one will be made on the model later (a chat
	 * model's 4096-token chat context, beside its small completion context); default: this load's.
	 */
	memoryCheckContext?: { contextSize: number; sequences: number };
	/** Map the weights file, or read it into memory; default: see weightsMapped. */
	useMmap?: boolean;
	/** Called with 0..1 while the weights load (a multi-gigabyte model takes a while). */
	onLoadProgress?: (fraction: number) => void;
	/** Free memory in bytes; injectable so the refusal of an oversized model can be tested. */
	freeMemoryBytes?: () => number;
}

export interface LoadedModel {
	readonly llama: Llama;
	readonly model: LlamaModel;
	readonly context: LlamaContext;
	/**
	 * One KV cache per recently used document (see SequencePool). Completion requests still run
	 * one at a time; the sequences only keep each document's prompt state.
	 */
	readonly sequences: readonly LlamaContextSequence[];
	readonly fim: FimDetection;
	/**
	 * The layout prompts are built with: suffix-prefix-middle where the family was trained with it,
	 * because then the text being typed sits at the end of the prompt and each keystroke only appends
	 * tokens to the KV cache; prefix-suffix-middle otherwise.
	 */
	readonly promptTemplate: FimTemplate;
	readonly info: ModelInfo;
	dispose(): Promise<void>;
}

export const DEFAULT_CONTEXT_SIZE = 2048;
/** Three documents' KV caches: about 170 MB for the 1.5B Qwen2.5-Coder shape at 2048 tokens. */
export const DEFAULT_SEQUENCES = 3;

export async function loadModel(options: LoadModelOptions): Promise<LoadedModel> {
	const { logger } = options;
	const { fileInfo, sizeBytes } = await checkModelFile(options.modelPath);
	const llama = await getLlamaInstance(options.gpu ?? 'auto', logger);
	const threads = resolveThreadCount(options.threads);
	const trainContextSize = Number(fileInfo.architectureMetadata.context_length ?? DEFAULT_CONTEXT_SIZE);
	const contextSize = Math.max(256, Math.min(options.contextSize ?? DEFAULT_CONTEXT_SIZE, trainContextSize));

	const sequenceCount = Math.max(1, Math.floor(options.sequences ?? DEFAULT_SEQUENCES));
	const checked = options.memoryCheckContext ?? { contextSize, sequences: sequenceCount };
	await ensureEnoughMemory(
		llama,
		fileInfo,
		checked.contextSize,
		checked.sequences,
		options.modelPath,
		(options.freeMemoryBytes ?? os.freemem)(),
	);

	let model: LlamaModel;
	try {
		model = await llama.loadModel({
			modelPath: options.modelPath,
			gpuLayers: llama.gpu === false ? 0 : 'auto',
			useMmap: options.useMmap ?? weightsMapped(llama.gpu),
			onLoadProgress: options.onLoadProgress,
		});
	} catch (error) {
		throw new ModelLoadError('load-failed', `llama.cpp could not load ${options.modelPath}: ${messageOf(error)}`, { cause: error });
	}
	let context: LlamaContext;
	try {
		context = await model.createContext({ contextSize, threads, sequences: sequenceCount });
	} catch (error) {
		await model.dispose();
		throw new ModelLoadError(
			'load-failed',
			`Could not create a ${contextSize}-token context for ${options.modelPath}: ${messageOf(error)}`,
			{ cause: error },
		);
	}
	const sequences = Array.from({ length: sequenceCount }, () => context.getSequence());
	const displayName = displayNameOf(options.modelPath, fileInfo.metadata.general?.name);
	try {
		await ensureFiniteLogits(model, sequences[0]!, `${displayName} (${options.modelPath})`);
	} catch (error) {
		await context.dispose();
		await model.dispose();
		throw error instanceof ModelLoadError
			? error
			: new ModelLoadError('load-failed', `${options.modelPath} loaded but a test evaluation failed: ${messageOf(error)}`, {
					cause: error,
				});
	}
	const fim = detectFimTemplate(probeVocabulary(model));
	const promptTemplate = fim.spmTemplate ?? fim.template;
	if (!fim.template.supportsSuffix) {
		// Said once per load, not per request: the user can do nothing about it until they switch models.
		logger.warn(`${displayName} has no fill-in-the-middle support; completing from the text before the cursor only (${fim.reason})`);
	} else {
		logger.info(
			`Fill-in-the-middle template: ${promptTemplate.displayName}, ${promptTemplate.order.toUpperCase()} order (${fim.reason})`,
		);
	}
	const info: ModelInfo = {
		path: options.modelPath,
		displayName,
		sizeBytes,
		architecture: String(fileInfo.metadata.general?.architecture ?? 'unknown'),
		quantization: fileTypeName(fileInfo.metadata.general?.file_type),
		contextSize: context.contextSize,
		trainContextSize,
		threads: context.currentThreads,
		backend: llama.gpu === false ? 'CPU' : llama.gpu,
		fimFamily: fim.template.family,
		fimOrder: promptTemplate.order,
		fimReason: fim.reason,
	};
	return {
		llama,
		model,
		context,
		sequences,
		fim,
		promptTemplate,
		info,
		async dispose() {
			await context.dispose();
			await model.dispose();
		},
	};
}

/**
 * Whether to map the weights file: only where a GPU computes. On the CPU, ggml copies the quantized
 * weights into the layout its fastest kernels read (AMX on recent Xeons, the repacked layouts on ARM
 * and AVX2), reading the file once to do so. A mapped file then stays resident beside that copy: the
 * bundled model held 49 MiB of file pages it never read again beside its 55 MiB AMX copy. Read into
 * memory instead, the process holds one copy. Where the CPU uses the weights as they are, reading
 * them costs the same memory as mapping them.
 */
export function weightsMapped(gpu: Llama['gpu']): boolean {
	return gpu !== false;
}

/**
 * Loading a model that does not fit makes the whole machine swap (or the OOM killer pick the
 * server); refusing up front with the numbers is kinder and keeps the previous model working.
 */
async function ensureEnoughMemory(
	llama: Llama,
	fileInfo: GgufFileInfo,
	contextSize: number,
	sequences: number,
	modelPath: string,
	free: number,
): Promise<void> {
	const needed = await estimateMemoryNeed(llama, fileInfo, contextSize, sequences);
	if (needed === undefined) {
		return; // an architecture the estimator does not know: let llama.cpp decide
	}
	if (needed > free) {
		throw new ModelLoadError(
			'insufficient-memory',
			`Not enough free memory for ${modelPath}: it needs about ${gib(needed)} GiB with a ${contextSize}-token context for ${sequences} document${sequences === 1 ? '' : 's'}, ${gib(free)} GiB is free. Choose a smaller model or close other programs.`,
		);
	}
}

/**
 * Bytes of RAM the model and its context need, by node-llama-cpp's GGUF insights; undefined for an
 * architecture the estimator does not know. Counted as if everything stays in RAM: with a GPU,
 * node-llama-cpp's 'auto' layer fit already checks VRAM, and RAM is what runs out first on the
 * laptops this is made for.
 */
export async function estimateMemoryNeed(
	llama: Llama,
	fileInfo: GgufFileInfo,
	contextSize: number,
	sequences: number,
): Promise<number | undefined> {
	try {
		const insights = await GgufInsights.from(fileInfo, llama);
		const modelNeeds = await insights.estimateModelResourceRequirementsV2({ gpuLayers: 0 });
		const contextNeeds = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: 0, sequences });
		return modelNeeds.cpuRam + contextNeeds.cpuRam;
	} catch {
		return undefined;
	}
}

function gib(bytes: number): string {
	return (bytes / 1024 ** 3).toFixed(1);
}

export function fileTypeName(fileType: number | undefined): string {
	if (fileType === undefined) {
		return 'unknown';
	}
	const name = (GgufFileType as unknown as Record<number, string>)[fileType];
	return name ? name.replace(/^MOSTLY_/, '') : `type ${fileType}`;
}
