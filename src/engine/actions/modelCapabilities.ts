/**
 * What a model can do for the selection actions, detected from its file and declared by nothing else:
 * whether it has fill-in-the-middle tokens, a real chat template (the GGUF's own, or one node-llama-cpp
 * knows for the model's name, not the generic fallback any text model can continue), whether it was
 * instruction-tuned, and the context it was trained with. The routing function (actionRouting.ts)
 * decides from these alone, so the decision can be tested without loading a model.
 */

import type { ChatWrapperChoice } from '../chat/chatWrapperChoice.js';
import type { FimFamily } from '../fim/fimTypes.js';

export interface ModelCapabilities {
	/** The detected fill-in-the-middle family; `prefix-only` when the model has no FIM tokens. */
	fimFamily: FimFamily;
	/** True when the model completes between a prefix and a suffix (it has FIM tokens). */
	fim: boolean;
	/** Where its chat layout comes from (`fallback`: none of its own, a guess any model can continue). */
	chatTemplate: ChatWrapperChoice['source'];
	/** Instruction-tuned (follows a chat prompt), or a base model that continues text. */
	tuning: 'instruct' | 'base';
	/** Tokens of context the model was trained with. */
	trainedContext: number;
	/** Prompt tokens per second measured on this machine, when measured. */
	promptTokensPerSecond?: number;
	/** One line per fact, for the tooltip and the log. */
	evidence: string[];
}

/** What detection reads of a loaded model: its names, its FIM family and its chat layout's source. */
export interface CapabilityProbe {
	/** general.name from the GGUF. */
	name?: string;
	/** The model file's base name. */
	fileName: string;
	/** general.tags or general.type, when the GGUF has them (e.g. "instruct", "text-generation"). */
	tags?: readonly string[];
	fimFamily: FimFamily;
	chatTemplate: ChatWrapperChoice['source'];
	trainedContext: number;
	promptTokensPerSecond?: number;
}

/** Names of instruction-tuned releases: "…-Instruct", "…-Chat", Gemma's "-it", "…-SFT". */
const INSTRUCT_NAME = /(^|[^a-z])(instruct|chat|sft|it)([^a-z]|$)/i;
/** Names of base releases, which win over a chat template a base GGUF may carry (Qwen2.5-Coder base does). */
const BASE_NAME = /(^|[^a-z])base([^a-z]|$)/i;

export function detectCapabilities(probe: CapabilityProbe): ModelCapabilities {
	const names = [probe.name ?? '', probe.fileName, ...(probe.tags ?? [])];
	const evidence: string[] = [];
	const fim = probe.fimFamily !== 'prefix-only';
	evidence.push(fim ? `fill-in-the-middle tokens (${probe.fimFamily})` : 'no fill-in-the-middle tokens');
	evidence.push(
		probe.chatTemplate === 'gguf-template'
			? 'a chat template in the GGUF'
			: probe.chatTemplate === 'model-metadata'
				? "a chat layout node-llama-cpp guesses from the model's name or architecture"
				: 'no chat template of its own',
	);
	const namedInstruct = names.find((name) => INSTRUCT_NAME.test(name));
	const namedBase = names.find((name) => BASE_NAME.test(name));
	let tuning: ModelCapabilities['tuning'];
	if (namedInstruct && !namedBase) {
		tuning = 'instruct';
		evidence.push(`instruction-tuned ("${namedInstruct}")`);
	} else if (namedBase) {
		tuning = 'base';
		evidence.push(`a base model ("${namedBase}")`);
	} else if (probe.chatTemplate === 'gguf-template' && !fim) {
		// A chat template and no FIM tokens: a chat model whose name says nothing.
		tuning = 'instruct';
		evidence.push('instruction-tuned (a chat template and no FIM tokens)');
	} else {
		tuning = 'base';
		evidence.push(fim ? 'a base model (FIM tokens, no instruct name)' : 'a base model (no instruct name)');
	}
	evidence.push(`trained context ${probe.trainedContext} tokens`);
	if (probe.promptTokensPerSecond !== undefined) {
		evidence.push(`${Math.round(probe.promptTokensPerSecond)} prompt tokens/s on this machine`);
	}
	return {
		fimFamily: probe.fimFamily,
		fim,
		chatTemplate: probe.chatTemplate,
		tuning,
		trainedContext: probe.trainedContext,
		...(probe.promptTokensPerSecond !== undefined ? { promptTokensPerSecond: probe.promptTokensPerSecond } : {}),
		evidence,
	};
}

/** A chat prompt gets a real answer: instruction-tuned, with a chat layout that is not the generic fallback. */
export function canChat(capabilities: ModelCapabilities): boolean {
	return capabilities.tuning === 'instruct' && capabilities.chatTemplate !== 'fallback';
}
