import { LLAMA_VSCODE_SAMPLING, type LlamaVscodeSettings } from './llamaVscodeSettings.js';

/** The pieces llama.vscode cuts out of the document around the cursor for one /infill request. */
export interface InfillContext {
	/** Up to `prefixLines` whole lines before the cursor's line, each ending in '\n'. */
	inputPrefix: string;
	/** The rest of the cursor's line, '\n', up to `suffixLines` following lines, '\n'. */
	inputSuffix: string;
	/** The cursor line's text before the cursor; '' when that is only indentation. */
	prompt: string;
	/** The cursor line's text after the cursor (the max_line_suffix rule looks at it). */
	lineSuffix: string;
	/** Indentation dropped from `prompt` because the line held nothing else; taken off the answer. */
	spacesToRemove: number;
	/** Leading whitespace of the cursor's line (sent as n_indent outside fixed-length runs). */
	indent: number;
}

/** llama.vscode's local context: whole lines, the cursor line's prefix sent apart as `prompt`. */
export function infillContext(
	text: string,
	cursor: number,
	settings: Pick<LlamaVscodeSettings, 'prefixLines' | 'suffixLines'>,
): InfillContext {
	const lines = text.split('\n');
	const before = text.slice(0, cursor).split('\n');
	const line = before.length - 1;
	const linePrefix = before[line]!;
	const lineText = lines[line]!;
	const lineSuffix = lineText.slice(linePrefix.length);
	const prefixLines = lines.slice(Math.max(0, line - settings.prefixLines), line);
	const suffixLines = lines.slice(line + 1, Math.min(lines.length - 1, line + settings.suffixLines) + 1);
	const onlyIndentation = /^[ \t]*$/.test(linePrefix);
	return {
		inputPrefix: prefixLines.join('\n') + '\n',
		inputSuffix: lineSuffix + '\n' + suffixLines.join('\n') + '\n',
		prompt: onlyIndentation ? '' : linePrefix,
		lineSuffix,
		spacesToRemove: onlyIndentation ? linePrefix.length : 0,
		indent: lineText.length - lineText.trimStart().length,
	};
}

export interface InfillBodyOptions {
	/** Tokens to generate: the bench's fixed length (llama.vscode's own default is 128). */
	nPredict: number;
	/**
	 * The bench's rule for random-weight models: every request generates exactly nPredict tokens,
	 * as Hearth's side does. So end-of-generation, the indentation stop and the time limit after a
	 * new line (which random text would trip at random) are off, and so is the infill sampler: on
	 * random weights it ends every answer at its first token whatever ignore_eos says (it keeps only
	 * tokens above a share of the probability, finds none in a flat distribution, and answers
	 * end-of-text). Without the rule they are all llama.vscode's.
	 */
	fixedLength: boolean;
	tMaxPromptMs: number;
	tMaxPredictMs: number;
}

/**
 * A /infill body shaped like llama.vscode's, with its sampling (top-k 40, top-p 0.99, infill; the
 * infill sampler left out under the fixed-length rule).
 */
export function infillBody(
	context: InfillContext,
	options: InfillBodyOptions,
	inputExtra: readonly { filename: string; text: string }[] = [],
): Record<string, unknown> {
	return {
		input_prefix: context.inputPrefix,
		input_suffix: context.inputSuffix,
		input_extra: inputExtra,
		prompt: context.prompt,
		n_predict: options.nPredict,
		...raceSampling(options.fixedLength),
		stream: false,
		cache_prompt: true,
		t_max_prompt_ms: options.tMaxPromptMs,
		t_max_predict_ms: options.fixedLength ? 0 : options.tMaxPredictMs,
		...(options.fixedLength ? { ignore_eos: true } : context.indent > 0 ? { n_indent: context.indent } : {}),
	};
}

/** llama.vscode's sampling as the race sends it: without the infill sampler under the fixed-length rule. */
export function raceSampling(fixedLength: boolean): { top_k: number; top_p: number; samplers: string[] } {
	const { top_k, top_p, samplers } = LLAMA_VSCODE_SAMPLING;
	return { top_k, top_p, samplers: samplers.filter((sampler) => !fixedLength || sampler !== 'infill') };
}

/** The cursor's context after accepting `lines` (llama.vscode's cacheFutureSuggestion), or undefined for no lines. */
export function contextAfterAccepting(context: InfillContext, lines: readonly string[], prefixLines: number): InfillContext | undefined {
	if (lines.length === 0) {
		return undefined;
	}
	if (lines.length === 1) {
		return { ...context, prompt: context.prompt + lines[0]!, spacesToRemove: 0 };
	}
	let inputPrefix = context.inputPrefix + context.prompt + lines.slice(0, -1).join('\n') + '\n';
	const kept = inputPrefix.slice(0, -1).split('\n');
	if (kept.length > prefixLines) {
		inputPrefix = kept.slice(kept.length - prefixLines).join('\n') + '\n';
	}
	const prompt = lines.at(-1)!;
	return { ...context, inputPrefix, prompt, spacesToRemove: 0, indent: prompt.length - prompt.trimStart().length };
}
