/**
 * OpenAI's streamed `/completions`, in the three ways a server can fill in the middle through it:
 * - `suffix`: the text after the cursor in the `suffix` field; the server applies the model's own
 *   template (Ollama, Hearth's own `npm run serve`, LM Studio);
 * - a client-side template: the FIM prompt laid out here with the served model's markers as text,
 *   sent as `prompt` with the template's stop strings as `stop` (vLLM, whose `/completions` has no
 *   `suffix`);
 * - none: the text before the cursor alone, for a server and model with no FIM Hearth knows of.
 * A server that answers the `suffix` field with HTTP 400 is asked the client-side way from then on
 * (the template from the model's name), or with the prefix alone, and says so in the log.
 */

import type { SourcePrompt } from '../completion/tokenSource.js';
import type { FimTemplate } from '../fim/fimTypes.js';
import { renderPromptForDisplay } from '../fim/promptPieces.js';
import type { Logger } from '../logger.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { describeHttpError, headersFor, hintFor, serverFetch } from './openAiHttp.js';
import { familyFromModelName, templateOfFamily } from './serverFimTemplate.js';
import type { ServerEvent, ServerFimPath, ServerProtocol } from './serverProtocol.js';

export type CompletionsFim = { kind: 'suffix' } | { kind: 'template'; template: FimTemplate; why: string } | { kind: 'none'; why: string };

export interface CompletionsEndpoint {
	/** e.g. http://127.0.0.1:8000/v1, without a trailing slash */
	baseUrl: string;
	model: string;
	apiKey?: string;
	logger: Logger;
	/** Engine-specific fields added to a client-side template's request (vLLM: `skip_special_tokens: false`). */
	templateFields?: Record<string, unknown>;
}

export const SUFFIX_PATH: ServerFimPath = {
	family: '/completions suffix',
	order: 'psm',
	reason: "the server applies the model's own fill-in-the-middle template to the suffix field",
};

export function describeCompletionsFim(fim: CompletionsFim): ServerFimPath {
	switch (fim.kind) {
		case 'suffix':
			return SUFFIX_PATH;
		case 'template':
			return {
				family: `client-side template (${fim.template.displayName})`,
				order: fim.template.order,
				reason: `Hearth lays out the ${fim.template.displayName} FIM prompt and sends it as the prompt: ${fim.why}`,
			};
		case 'none':
			return { family: 'none: prefix only', order: 'psm', reason: `the server is sent the text before the cursor alone: ${fim.why}` };
	}
}

export class CompletionsProtocol implements ServerProtocol {
	constructor(
		private readonly endpoint: CompletionsEndpoint,
		private mode: CompletionsFim,
	) {}

	get fim(): ServerFimPath {
		return describeCompletionsFim(this.mode);
	}

	get stopTexts(): readonly string[] {
		return this.mode.kind === 'template' ? this.mode.template.stopStrings : [];
	}

	/** The request body for a prompt, as the current mode lays it out. */
	body(prompt: SourcePrompt): Record<string, unknown> {
		const mode = this.mode;
		const fields =
			mode.kind === 'template'
				? {
						// Markers as text: the engine tokenizes its prompt with special tokens parsed.
						prompt: renderPromptForDisplay(
							mode.template.build({
								prefix: prompt.prefix,
								suffix: prompt.suffix,
								filePath: prompt.filePath,
								contextChunks: prompt.contextChunks,
							}),
						),
						...(mode.template.stopStrings.length > 0 ? { stop: mode.template.stopStrings } : {}),
						...this.endpoint.templateFields,
					}
				: { prompt: prompt.prefix, ...(mode.kind === 'suffix' ? { suffix: prompt.suffix } : {}) };
		return {
			model: this.endpoint.model,
			...fields,
			max_tokens: prompt.maxTokens,
			temperature: 0,
			stream: true,
			stream_options: { include_usage: true },
		};
	}

	async post(prompt: SourcePrompt, signal: AbortSignal): Promise<Response> {
		const send = () =>
			serverFetch(`${this.endpoint.baseUrl}/completions`, {
				method: 'POST',
				headers: { ...headersFor(this.endpoint.apiKey), 'Content-Type': 'application/json' },
				body: JSON.stringify(this.body(prompt)),
				signal,
			});
		let response = await send();
		if (response.status === 400 && this.mode.kind === 'suffix') {
			const message = await describeHttpError(response);
			if (!/suffix/i.test(message)) {
				throw new ModelLoadError('server-rejected', `/completions answered ${message}`);
			}
			this.mode = withoutSuffix(this.endpoint.model, `it rejects the suffix field (${message})`);
			const path = this.fim;
			this.endpoint.logger.warn(
				`The completion server rejects the suffix field (${message}); fill-in-the-middle from now on: ${path.family}.`,
			);
			response = await send();
		}
		if (!response.ok) {
			throw new ModelLoadError(
				'server-rejected',
				`/completions answered ${await describeHttpError(response)}${hintFor(response.status)}`,
			);
		}
		return response;
	}

	read(data: string): ServerEvent {
		if (data.trim() === '[DONE]') {
			return { done: true };
		}
		const chunk = parseJson(data) as CompletionChunk;
		const event: ServerEvent = {};
		if (chunk.usage?.prompt_tokens !== undefined) {
			event.promptTokens = chunk.usage.prompt_tokens;
		}
		const choice = chunk.choices?.[0];
		if (typeof choice?.text === 'string' && choice.text !== '') {
			event.text = choice.text;
		}
		if (choice?.finish_reason) {
			event.finish = choice.finish_reason === 'length' ? 'max-tokens' : 'end-of-generation';
		}
		return event;
	}
}

/** The mode for a server that takes no `suffix`: the template the model's name names, or the prefix alone. */
export function withoutSuffix(model: string, why: string): CompletionsFim {
	const family = familyFromModelName(model);
	return family
		? { kind: 'template', template: templateOfFamily(family), why: `${why}; the model name "${model}" names ${family}` }
		: {
				kind: 'none',
				why: `${why}, and the model name "${model}" names no FIM family Hearth knows (set hearth.model.serverFimTemplate to the model's family)`,
			};
}

interface CompletionChunk {
	choices?: { text?: unknown; finish_reason?: string | null }[];
	usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export function parseJson(data: string): object {
	try {
		const parsed = JSON.parse(data) as unknown;
		if (typeof parsed === 'object' && parsed !== null) {
			return parsed;
		}
	} catch {
		// fall through
	}
	throw new ModelLoadError('server-rejected', `the server streamed something that is not JSON: ${JSON.stringify(data.slice(0, 80))}`);
}
