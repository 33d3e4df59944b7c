/**
 * The curated catalog of real code models the switcher offers for download. Each entry names its
 * GGUF source (a Hugging Face `hf:` URI that node-llama-cpp's downloader resolves), the file it
 * becomes, and what it needs. Sizes are the published file sizes rounded to the megabyte: good for
 * the fit check and the progress bar, not for verifying a download, so an entry only claims an exact
 * `sizeBytes`/`sha256` when `verify` says so. Every download is also checked as a GGUF language model
 * before it is offered, whatever the catalog says.
 */

export type ModelRole = 'completion' | 'chat';

export interface CatalogModel {
	/** Stable id, stored in settings-independent places (never a path). */
	id: string;
	label: string;
	/** One line for the QuickPick: parameters, quantization, what it is good for. */
	detail: string;
	/** Where node-llama-cpp's downloader fetches it: `hf:<user>/<repo>/<file>` or an http(s) URL. */
	uri: string;
	/** The file name in the extension's model folder. */
	fileName: string;
	/** Approximate download size in bytes. */
	sizeBytes: number;
	/** The published architecture figures the KV cache size follows from. */
	architecture: { layers: number; kvHeads: number; headDim: number };
	/**
	 * Bytes of KV cache per token of context, with an f16 cache: layers × KV heads × head dim × 2 (K and
	 * V) × 2 bytes (`kvBytesPerToken(architecture)`). The fit check adds context × this to the file size.
	 */
	kvBytesPerToken: number;
	/** Roles it is suited for: base models complete code; instruct models also explain and refactor. */
	roles: readonly ModelRole[];
	/** Exact values to check the finished download against, when the catalog knows them. */
	verify?: { sizeBytes?: number; sha256?: string };
}

const MB = 1_000_000;

export const MODEL_CATALOG: readonly CatalogModel[] = [
	{
		id: 'qwen2.5-coder-0.5b-base-q8',
		label: 'Qwen2.5-Coder 0.5B',
		detail: 'base, Q8_0 · fastest completions on any laptop',
		uri: 'hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf',
		fileName: 'qwen2.5-coder-0.5b-q8_0.gguf',
		sizeBytes: 531 * MB,
		architecture: { layers: 24, kvHeads: 2, headDim: 64 },
		kvBytesPerToken: 12_288,
		roles: ['completion'],
	},
	{
		id: 'qwen2.5-coder-1.5b-base-q8',
		label: 'Qwen2.5-Coder 1.5B',
		detail: 'base, Q8_0 · good completions on CPU',
		uri: 'hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf',
		fileName: 'qwen2.5-coder-1.5b-q8_0.gguf',
		sizeBytes: 1646 * MB,
		architecture: { layers: 28, kvHeads: 2, headDim: 128 },
		kvBytesPerToken: 28_672,
		roles: ['completion'],
	},
	{
		id: 'qwen2.5-coder-3b-base-q8',
		label: 'Qwen2.5-Coder 3B',
		detail: 'base, Q8_0 · better completions, wants a GPU or a fast CPU',
		uri: 'hf:ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF/qwen2.5-coder-3b-q8_0.gguf',
		fileName: 'qwen2.5-coder-3b-q8_0.gguf',
		sizeBytes: 3290 * MB,
		architecture: { layers: 36, kvHeads: 2, headDim: 128 },
		kvBytesPerToken: 36_864,
		roles: ['completion'],
	},
	{
		id: 'qwen2.5-coder-7b-base-q8',
		label: 'Qwen2.5-Coder 7B',
		detail: 'base, Q8_0 · best completions here, needs a GPU',
		uri: 'hf:ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF/qwen2.5-coder-7b-q8_0.gguf',
		fileName: 'qwen2.5-coder-7b-q8_0.gguf',
		sizeBytes: 8100 * MB,
		architecture: { layers: 28, kvHeads: 4, headDim: 128 },
		kvBytesPerToken: 57_344,
		roles: ['completion'],
	},
	{
		id: 'qwen2.5-coder-0.5b-instruct-q8',
		label: 'Qwen2.5-Coder 0.5B Instruct',
		detail: 'instruct, Q8_0 · completions and short explanations',
		uri: 'hf:Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/qwen2.5-coder-0.5b-instruct-q8_0.gguf',
		fileName: 'qwen2.5-coder-0.5b-instruct-q8_0.gguf',
		sizeBytes: 531 * MB,
		architecture: { layers: 24, kvHeads: 2, headDim: 64 },
		kvBytesPerToken: 12_288,
		roles: ['completion', 'chat'],
	},
	{
		id: 'qwen2.5-coder-1.5b-instruct-q8',
		label: 'Qwen2.5-Coder 1.5B Instruct',
		detail: 'instruct, Q8_0 · explain, refactor and clean up on CPU',
		uri: 'hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q8_0.gguf',
		fileName: 'qwen2.5-coder-1.5b-instruct-q8_0.gguf',
		sizeBytes: 1894 * MB,
		architecture: { layers: 28, kvHeads: 2, headDim: 128 },
		kvBytesPerToken: 28_672,
		roles: ['completion', 'chat'],
	},
	{
		id: 'qwen2.5-coder-3b-instruct-q4km',
		label: 'Qwen2.5-Coder 3B Instruct',
		detail: 'instruct, Q4_K_M · stronger explanations and refactors',
		uri: 'hf:Qwen/Qwen2.5-Coder-3B-Instruct-GGUF/qwen2.5-coder-3b-instruct-q4_k_m.gguf',
		fileName: 'qwen2.5-coder-3b-instruct-q4_k_m.gguf',
		sizeBytes: 2104 * MB,
		architecture: { layers: 36, kvHeads: 2, headDim: 128 },
		kvBytesPerToken: 36_864,
		roles: ['completion', 'chat'],
	},
	{
		id: 'qwen2.5-coder-7b-instruct-q4km',
		label: 'Qwen2.5-Coder 7B Instruct',
		detail: 'instruct, Q4_K_M · the strongest local choice, needs a GPU or 8 GB free',
		uri: 'hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/qwen2.5-coder-7b-instruct-q4_k_m.gguf',
		fileName: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf',
		sizeBytes: 4683 * MB,
		architecture: { layers: 28, kvHeads: 4, headDim: 128 },
		kvBytesPerToken: 57_344,
		roles: ['completion', 'chat'],
	},
	{
		id: 'starcoder2-3b-q4km',
		label: 'StarCoder2 3B',
		detail: 'base, Q4_K_M · 600+ languages, permissive training data',
		uri: 'hf:second-state/StarCoder2-3B-GGUF/starcoder2-3b-Q4_K_M.gguf',
		fileName: 'starcoder2-3b-Q4_K_M.gguf',
		sizeBytes: 1850 * MB,
		architecture: { layers: 30, kvHeads: 2, headDim: 128 },
		kvBytesPerToken: 30_720,
		roles: ['completion'],
	},
	{
		id: 'deepseek-coder-1.3b-base-q4km',
		label: 'DeepSeek-Coder 1.3B',
		detail: 'base, Q4_K_M · small and quick',
		uri: 'hf:TheBloke/deepseek-coder-1.3b-base-GGUF/deepseek-coder-1.3b-base.Q4_K_M.gguf',
		fileName: 'deepseek-coder-1.3b-base.Q4_K_M.gguf',
		sizeBytes: 874 * MB,
		architecture: { layers: 24, kvHeads: 16, headDim: 128 },
		kvBytesPerToken: 196_608,
		roles: ['completion'],
	},
	{
		id: 'codegemma-2b-q4km',
		label: 'CodeGemma 2B',
		detail: 'base, Q4_K_M · fill-in-the-middle trained',
		uri: 'hf:bartowski/codegemma-2b-GGUF/codegemma-2b-Q4_K_M.gguf',
		fileName: 'codegemma-2b-Q4_K_M.gguf',
		sizeBytes: 1630 * MB,
		architecture: { layers: 18, kvHeads: 1, headDim: 256 },
		kvBytesPerToken: 18_432,
		roles: ['completion'],
	},
];

/** KV cache bytes per token of context: layers × KV heads × head dim × 2 (K and V) × 2 bytes (f16). */
export function kvBytesPerToken(architecture: CatalogModel['architecture']): number {
	return architecture.layers * architecture.kvHeads * architecture.headDim * 2 * 2;
}

/** The catalog entries suited to a role, e.g. the chat models the switcher lists for Explain and Refactor. */
export function catalogForRole(role: ModelRole): CatalogModel[] {
	return MODEL_CATALOG.filter((entry) => entry.roles.includes(role));
}

/** A file name the catalog (or a test) may use: a plain `.gguf` name, no directories, no dot files. */
export function isSafeModelFileName(fileName: string): boolean {
	return /^[A-Za-z0-9][A-Za-z0-9._-]*\.gguf$/.test(fileName) && !fileName.includes('..');
}
