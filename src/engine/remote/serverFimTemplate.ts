/**
 * The FIM template of a model served by an engine whose `/completions` takes no `suffix` (vLLM and
 * the like): Hearth lays out the prompt itself, with the served model's own markers written as text
 * (the engine's tokenizer turns them into its special tokens). The engine does not tell which family
 * it serves, so the template comes from `hearth.model.serverFimTemplate` or, on "auto", from the
 * model's name ("Qwen/Qwen2.5-Coder-1.5B" → Qwen2.5-Coder).
 */

import type { FimTemplate } from '../fim/fimTypes.js';
import {
	codeGemmaTemplate,
	codeLlamaTemplate,
	codestralTemplate,
	deepSeekCoderTemplate,
	qwenCoderTemplate,
	starCoder2Template,
	starCoderTemplate,
} from '../fim/templates.js';

/** The values of `hearth.model.serverFimTemplate` besides "auto" and "none". */
export const SERVER_FIM_FAMILIES = [
	'qwen2.5-coder',
	'starcoder',
	'starcoder2',
	'deepseek-coder',
	'codellama',
	'codestral',
	'codegemma',
] as const;
export type ServerFimFamily = (typeof SERVER_FIM_FAMILIES)[number];

const TEMPLATES: Record<ServerFimFamily, FimTemplate> = {
	'qwen2.5-coder': qwenCoderTemplate,
	starcoder: starCoderTemplate,
	starcoder2: starCoder2Template,
	'deepseek-coder': deepSeekCoderTemplate,
	codellama: codeLlamaTemplate,
	codestral: codestralTemplate,
	codegemma: codeGemmaTemplate,
};

/** Checked in order: StarCoder2 before StarCoder, and names are matched without their organisation. */
const NAME_PATTERNS: readonly [RegExp, ServerFimFamily][] = [
	[/qwen[\d.]*-?coder/i, 'qwen2.5-coder'],
	[/starcoder-?2/i, 'starcoder2'],
	[/starcoder|santacoder/i, 'starcoder'],
	[/deepseek-?coder/i, 'deepseek-coder'],
	[/code-?llama/i, 'codellama'],
	[/codestral/i, 'codestral'],
	[/code-?gemma/i, 'codegemma'],
];

export function templateOfFamily(family: ServerFimFamily): FimTemplate {
	return TEMPLATES[family];
}

/** The family a model name names, if any. */
export function familyFromModelName(model: string): ServerFimFamily | undefined {
	return NAME_PATTERNS.find(([pattern]) => pattern.test(model))?.[1];
}

/** Every stop string of the families above: the markers a FIM model may emit once it has left the middle. */
export function knownFimStopStrings(): string[] {
	return [...new Set(Object.values(TEMPLATES).flatMap((template) => template.stopStrings))];
}
