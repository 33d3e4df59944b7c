/**
 * The words of the status bar item, kept apart from `vscode` so that the unit tests and the
 * end-to-end suite read them from here: the short model name, and the state the item ends with;
 * and the tooltip's and the Details' lines, built from plain data.
 */

import type { ChatModelStatus, ModelSpeed, ModelSummary, ServerStatus } from '../shared/protocol.js';

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

/** The most lines the status bar item's tooltip shows; the menu's Details have the rest. */
export const MAX_TOOLTIP_LINES = 6;

/** What the tooltip is built from: plain data, so the unit tests build it too. */
export interface TooltipInput {
	/** The state words the item ends with. */
	words: string;
	/** Whether the model is working (ready, busy, paused): only then do the figures describe it. */
	working: boolean;
	/** The server's message, or why the process is not running. */
	message?: string;
	model?: Pick<ModelSummary, 'displayName' | 'path' | 'sizeBytes' | 'quantization' | 'speed'>;
	/** The completion readout's headline ("Last: 120 ms · …", "No completions yet."). */
	readoutHeadline?: string;
	heldBack: number;
	/** The active editor's language, when Hearth completes it. */
	language?: { id: string; on: boolean };
	/** Whether the server reported a status (the chat line needs one to say anything true). */
	hasStatus: boolean;
	chatModel?: ChatModelStatus;
	actionRoute?: string;
}

/**
 * The tooltip's lines (Markdown, escaped), at most MAX_TOOLTIP_LINES: when more would show, the
 * least needed go first (the click hint, the held-back count, the readout), the state, the model and
 * its file, the chat model and the language switch stay.
 */
export function tooltipLines(input: TooltipInput): string[] {
	const lines: { text: string; keep: number }[] = [{ text: `**Hearth** — ${input.words}`, keep: 10 }];
	if (input.message) {
		lines.push({ text: escapeMarkdown(input.message), keep: 8 });
	}
	if (input.model) {
		lines.push(
			{ text: `Model: ${escapeMarkdown(input.model.displayName)}`, keep: 9 },
			{
				text: `File: ${escapeMarkdown(input.model.path)} (${(input.model.sizeBytes / 1024 ** 2).toFixed(1)} MiB, ${input.model.quantization})`,
				keep: 9,
			},
		);
	}
	if (input.working && input.readoutHeadline) {
		const speed = speedText(input.model?.speed);
		// The readout's words go in as they are (figures and plain words), as the e2e suites read them.
		lines.push({ text: speed ? `Speed: ${speed} · ${input.readoutHeadline}` : input.readoutHeadline, keep: 6 });
	}
	if (input.hasStatus) {
		lines.push({ text: chatTooltipLine(input.chatModel, input.actionRoute, escapeMarkdown), keep: 8 });
	}
	if (input.heldBack > 0) {
		lines.push({
			text: `${input.heldBack} unsure suggestion${input.heldBack === 1 ? '' : 's'} held back (hearth.inlineCompletion.minConfidence and minTokenConfidence).`,
			keep: 3,
		});
	}
	if (input.language) {
		lines.push({ text: `Completions are ${input.language.on ? 'on' : 'off'} for ${escapeMarkdown(input.language.id)}.`, keep: 7 });
	}
	lines.push({ text: 'Click for models, this language, details and logs.', keep: 1 });
	while (lines.length > MAX_TOOLTIP_LINES) {
		const least = lines.reduce((low, line) => (line.keep < low.keep ? line : low));
		lines.splice(lines.indexOf(least), 1);
	}
	return lines.map((line) => line.text);
}

/** A measured speed in a few words, e.g. "412 prompt tok/s · 38 tok/s"; undefined before any run. */
export function speedText(speed: ModelSpeed | undefined): string | undefined {
	const parts: string[] = [];
	if (speed?.promptTokensPerSecond !== undefined) {
		parts.push(`${Math.round(speed.promptTokensPerSecond)} prompt tok/s`);
	}
	if (speed?.generatedTokensPerSecond !== undefined) {
		parts.push(`${Math.round(speed.generatedTokensPerSecond)} tok/s`);
	}
	return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** The longest action route the tooltip shows; the Details give it whole. */
export const SHORT_ROUTE_LENGTH = 48;

/** The action route's first clause, short enough for the tooltip ("Document This on Hearth Starter…"). */
export function shortRoute(route: string): string {
	const first = route
		.trim()
		.split(/(?:; | — | \(|: )/)[0]!
		.trim();
	return first.length > SHORT_ROUTE_LENGTH ? `${first.slice(0, SHORT_ROUTE_LENGTH - 1)}…` : first;
}

/** The tooltip's chat line: "Chat: <name> · <state>", or with none, where the actions go now. */
export function chatTooltipLine(
	chat: ChatModelStatus | undefined,
	actionRoute: string | undefined,
	escapeName: (text: string) => string = (text) => text,
): string {
	if (chat) {
		return `Chat: ${escapeName(chat.displayName)}${chat.where === 'shared' ? ' (the completion model’s file)' : ''} · ${chat.state}`;
	}
	return `Chat: none — actions: ${actionRoute ? escapeName(shortRoute(actionRoute)) : 'on the completion model'}`;
}

/**
 * The switcher's chat row: the chat model's name and its state. `chosen` describes the setting
 * ("none", a file name); the server's status, when it has one, names the loaded model and its state.
 */
export function chatModelSummary(chosen: string, status: ServerStatus | undefined): { name: string; state: string } {
	const chat = status?.chatModel;
	if (chat) {
		return { name: chat.displayName, state: `${chat.state}${chat.canChat ? '' : ' · follows no instructions'}` };
	}
	if (chosen === 'none') {
		return {
			name: 'none',
			state: status?.actionRoute ? `actions: ${shortRoute(status.actionRoute)}` : 'the actions use the completion model',
		};
	}
	return { name: chosen, state: 'not loaded yet' };
}

/**
 * The menu's Details about the two models: each one's file or server, size, evidence, measured speed
 * with its run count, and where the actions go now.
 */
export function modelDetailLines(status: ServerStatus | undefined): string[] {
	const lines: string[] = [];
	const model = status?.model;
	if (model) {
		lines.push(
			`Completion model: ${model.displayName}: ${(model.sizeBytes / 1024 ** 2).toFixed(1)} MiB, ${model.quantization}`,
			`Context: ${model.contextSize} tokens · ${model.backend}, ${model.threads} threads`,
			`Fill-in-the-middle: ${model.fimFamily}${model.fimReason ? ` (${model.fimReason})` : ''}`,
		);
		const speed = speedWithRuns(model.speed);
		if (speed) {
			lines.push(`Completion speed here: ${speed}`);
		}
	}
	const chat = status?.chatModel;
	if (chat) {
		const size = chat.sizeBytes !== undefined ? `, ${(chat.sizeBytes / 1024 ** 2).toFixed(1)} MiB` : '';
		const where =
			chat.where === 'shared' ? 'the completion model’s file, loaded once' : chat.where === 'server' ? 'a server' : 'its own file';
		lines.push(`Chat model: ${chat.displayName} · ${chat.state} (${where}${size})`, `Chat model at: ${chat.location}`);
		lines.push(chat.canChat ? 'Follows chat prompts: yes' : 'Follows chat prompts: no (no instruction tuning or chat template found)');
		lines.push(...chat.evidence.map((line) => `Chat model: ${line}`));
		const speed = speedWithRuns(chat.speed);
		if (speed) {
			lines.push(`Chat speed here: ${speed}`);
		}
		if (chat.message) {
			lines.push(`Chat model: ${chat.message}`);
		}
	} else if (status) {
		lines.push('Chat model: none (hearth.chatModel.backend)');
	}
	if (status?.actionRoute) {
		lines.push(`Actions: ${status.actionRoute}`);
	}
	return lines;
}

function speedWithRuns(speed: ModelSpeed | undefined): string | undefined {
	const text = speedText(speed);
	return text && speed ? `${text} (${speed.runs} run${speed.runs === 1 ? '' : 's'})` : undefined;
}

/** Escapes Markdown's special characters, so that file names and messages show as written. */
export function escapeMarkdown(text: string): string {
	return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
