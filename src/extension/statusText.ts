/**
 * The words of the status bar item, kept apart from `vscode` so that the unit tests and the
 * end-to-end suite read them from here: the short model name, and the state the item ends with.
 */

/** The longest model name the item shows; the tooltip and the menu give the whole name. */
export const SHORT_NAME_LENGTH = 20;

/**
 * A model name short enough for the status bar: without a `.gguf` ending, a quantisation suffix
 * (`-Q8_0`, `.q4_k_m`, `-f16`) or a leading "Hearth ", then cut to SHORT_NAME_LENGTH characters.
 * "Hearth Starter gpu-base" → "Starter gpu-base"; "qwen2.5-coder-1.5b-instruct-q8_0.gguf" →
 * "qwen2.5-coder-1.5b-…".
 */
export function shortModelName(name: string): string {
	const short =
		name
			.trim()
			.replace(/\.gguf$/i, '')
			.replace(/[-_.](?:i?q\d[\w]*|bf16|f16|f32)$/i, '')
			.replace(/^hearth\s+/i, '') || name;
	return short.length > SHORT_NAME_LENGTH ? `${short.slice(0, SHORT_NAME_LENGTH - 1)}…` : short;
}

/**
 * The state words the item ends with, after " · ": the first word names the state (`loading 40 %`,
 * `unloaded (idle)`). `unloaded`: no model in memory, before the first editor Hearth completes or
 * after `hearth.model.idleUnloadMinutes` without use.
 */
export const STATUS_STATES = ['starting', 'loading', 'ready', 'busy', 'paused', 'unloaded', 'error', 'restarting', 'stopped'] as const;

export type StatusState = (typeof STATUS_STATES)[number];
