import path from 'node:path';

/** What the editor shows about the active model (status bar tooltip, logs, CLI output). */
export interface ModelInfo {
	path: string;
	displayName: string;
	sizeBytes: number;
	architecture: string;
	/** ggml file type as llama.cpp names it, e.g. "Q8_0" or "F16" */
	quantization: string;
	contextSize: number;
	trainContextSize: number;
	threads: number;
	/** "CPU", "CUDA", "Vulkan" or "Metal", as node-llama-cpp reports the backend */
	backend: string;
	fimFamily: string;
	/** 'psm' (prefix-suffix-middle) or 'spm' (suffix-prefix-middle) */
	fimOrder: string;
	fimReason: string;
}

export function displayNameOf(modelPath: string, generalName: string | undefined): string {
	const name = generalName?.trim();
	return name ? name : path.basename(modelPath, '.gguf');
}
