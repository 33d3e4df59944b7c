import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import { getLlamaInstance, type GpuPreference } from '../../engine/runtime/llamaInstance.js';
import { DEFAULT_CHAT_CONTEXT_SIZE } from '../../engine/chat/chatEngine.js';
import { DEFAULT_SEQUENCES, estimateMemoryNeed, fileTypeName } from '../../engine/runtime/loadModel.js';
import { checkModelFile } from '../../engine/runtime/modelFileCheck.js';
import { messageOf } from '../../shared/errorMessage.js';
import { ModelLoadError } from '../../engine/runtime/modelLoadError.js';
import type { Logger } from '../../engine/logger.js';
import type { FitVerdict, InspectModelRequest, ListModelsRequest, ModelInventory } from '../../shared/protocol.js';

/** The role a model would take: completion (`hearth.model`) or chat (`hearth.chatModel`). */
export type ModelRole = NonNullable<ListModelsRequest.Params['role']>;
export type CatalogEntry = ListModelsRequest.Params['catalog'][number];

/** The memory the models in use hold now, per role (0 for a server, or a chat model shared with completions). */
export interface ModelsInUse {
	completionBytes: number;
	chatBytes: number;
}

export interface LibraryOptions {
	/** Where downloads go; undefined: no downloads (the switcher still offers files and servers). */
	modelsDirectory: string | undefined;
	gpu: GpuPreference;
	contextSize: number;
	logger: Logger;
	/** Bytes the models in use hold now: the one the switch replaces comes free, the other stays in use. */
	inUse: () => ModelsInUse;
}

/** Catalog sizes are file sizes; the context's KV cache and buffers come on top. */
const CATALOG_OVERHEAD_FACTOR = 1.15;
const CATALOG_OVERHEAD_BYTES = 300 * 1024 ** 2;
/** With the KV cache counted from the architecture: the weights' own overhead, and llama.cpp's compute buffers. */
const WEIGHTS_OVERHEAD_FACTOR = 1.05;
const COMPUTE_BUFFER_BYTES = 200 * 1024 ** 2;

/** The context a role's model gets: completion, the setting's size for three documents; chat, the chat engine's one. */
export function roleContext(role: ModelRole, completionContextSize: number): { contextSize: number; sequences: number } {
	return role === 'chat'
		? { contextSize: DEFAULT_CHAT_CONTEXT_SIZE, sequences: 1 }
		: { contextSize: completionContextSize, sequences: DEFAULT_SEQUENCES };
}

/**
 * What a catalog entry not downloaded yet needs: with its KV bytes per token, the weights plus that
 * role's KV cache plus compute buffers; without, the file size with a flat overhead.
 */
export function estimateCatalogNeed(entry: CatalogEntry, context: { contextSize: number; sequences: number }): number {
	if (entry.kvBytesPerToken === undefined || !(entry.kvBytesPerToken > 0)) {
		return estimateFromSize(entry.sizeBytes);
	}
	return Math.round(
		entry.sizeBytes * WEIGHTS_OVERHEAD_FACTOR + entry.kvBytesPerToken * context.contextSize * context.sequences + COMPUTE_BUFFER_BYTES,
	);
}

/** Free memory for a model taking `role`: what is free now plus what the model it replaces holds (the other role's stays used). */
export function freeForRole(freeBytes: number, inUse: ModelsInUse, role: ModelRole): number {
	return freeBytes + (role === 'chat' ? inUse.chatBytes : inUse.completionBytes);
}

/**
 * The models on this machine and whether each fits: what the switcher lists. Fit is judged with
 * node-llama-cpp's GGUF insights for files on disk, and from the published size for catalog entries
 * not downloaded yet, against free VRAM when a GPU backend is in use, free RAM otherwise.
 */
export class ModelLibrary {
	constructor(private readonly options: LibraryOptions) {}

	/** The files and catalog entries, each judged for `role` (default completion). */
	async inventory(catalog: readonly CatalogEntry[], role: ModelRole = 'completion'): Promise<ModelInventory> {
		const memory = await this.memory(role);
		const context = roleContext(role, this.options.contextSize);
		const files = await this.downloadedFiles();
		const downloaded = await Promise.all(
			files.map(async (file) => ({
				...file,
				fit: verdict((await this.estimateFile(file.path, role)) ?? estimateFromSize(file.sizeBytes), memory),
			})),
		);
		const catalogFit: Record<string, FitVerdict> = {};
		for (const entry of catalog) {
			catalogFit[entry.id] = verdict(estimateCatalogNeed(entry, context), memory);
		}
		return { downloaded, memory, catalogFit };
	}

	/** Checks a file the user picked before switching to it. */
	async inspect(file: string): Promise<InspectModelRequest.Result> {
		try {
			const { fileInfo, sizeBytes } = await checkModelFile(file);
			const memory = await this.memory('completion');
			const need = (await this.estimateFile(file, 'completion')) ?? estimateFromSize(sizeBytes);
			const general = fileInfo.metadata.general as { name?: string; architecture?: string; file_type?: number } | undefined;
			return {
				ok: true,
				displayName: general?.name?.trim() || path.basename(file, '.gguf'),
				sizeBytes,
				architecture: String(general?.architecture ?? 'unknown'),
				quantization: fileTypeName(general?.file_type),
				fit: verdict(need, memory),
			};
		} catch (error) {
			return { ok: false, message: error instanceof ModelLoadError ? error.userMessage : `Cannot read ${file}: ${messageOf(error)}` };
		}
	}

	private async downloadedFiles(): Promise<{ path: string; fileName: string; sizeBytes: number; modifiedMs: number }[]> {
		const directory = this.options.modelsDirectory;
		if (!directory) {
			return [];
		}
		const entries = await fs.readdir(directory, { withFileTypes: true }).catch(() => []);
		const files = [];
		for (const entry of entries) {
			if (!entry.isFile() || !entry.name.endsWith('.gguf')) {
				continue;
			}
			const full = path.join(directory, entry.name);
			const stat = await fs.stat(full).catch(() => undefined);
			if (stat) {
				files.push({ path: full, fileName: entry.name, sizeBytes: stat.size, modifiedMs: stat.mtimeMs });
			}
		}
		return files.sort((a, b) => b.modifiedMs - a.modifiedMs || a.fileName.localeCompare(b.fileName, 'en'));
	}

	private async estimateFile(file: string, role: ModelRole): Promise<number | undefined> {
		try {
			const { fileInfo } = await checkModelFile(file);
			const llama = await getLlamaInstance(this.options.gpu, this.options.logger);
			const { contextSize, sequences } = roleContext(role, this.options.contextSize);
			return await estimateMemoryNeed(llama, fileInfo, contextSize, sequences);
		} catch {
			return undefined;
		}
	}

	private async memory(role: ModelRole): Promise<ModelInventory['memory']> {
		const llama = await getLlamaInstance(this.options.gpu, this.options.logger);
		if (llama.gpu !== false) {
			const vram = await llama.getVramState();
			return { where: 'VRAM', freeBytes: vram.free, totalBytes: vram.total, backend: llama.gpu };
		}
		return { where: 'RAM', freeBytes: freeForRole(os.freemem(), this.options.inUse(), role), totalBytes: os.totalmem(), backend: 'CPU' };
	}
}

function estimateFromSize(sizeBytes: number): number {
	return Math.round(sizeBytes * CATALOG_OVERHEAD_FACTOR + CATALOG_OVERHEAD_BYTES);
}

function verdict(needBytes: number, memory: ModelInventory['memory']): FitVerdict {
	const fits = needBytes <= memory.freeBytes;
	const summary = `${fits ? 'fits' : 'too big'}: needs ${gb(needBytes)} GB of ${gb(memory.freeBytes)} GB free ${memory.where}`;
	return { fits, needBytes, summary };
}

function gb(bytes: number): string {
	return (bytes / 1e9).toFixed(1);
}
