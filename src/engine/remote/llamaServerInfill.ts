/**
 * llama-server's own fill-in-the-middle endpoint, `POST /infill` at the server's root (not under
 * /v1): the text around the cursor as `input_prefix`/`input_suffix`, the extra-context chunks as
 * `input_extra`, and the server lays out the model's FIM prompt from the tokens its GGUF declares
 * (PSM, or SPM when started with --spm-infill). `cache_prompt` keeps the slot's KV cache of the
 * common prompt prefix between keystrokes. Streamed events carry `content`, the generated `tokens`,
 * `stop`, `stop_type` and, at the end, `tokens_evaluated` and `timings`.
 *
 * llama-server stops only at the model's end-of-generation tokens; a FIM model that emits another of
 * its markers (StarCoder's `<filename>`, say) has left the middle, and its text would be a new file.
 * Those markers are control tokens whose content is empty, so they are found by id: at connect time
 * the known FIM stop strings that the server's `/tokenize` makes one special token are looked up,
 * and a streamed token among them ends the run, as the local engine's stop tokens do.
 */

import type { SourcePrompt } from '../completion/tokenSource.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { parseJson } from './completionsProtocol.js';
import { describeHttpError, headersFor, hintFor, serverFetch } from './openAiHttp.js';
import { knownFimStopStrings } from './serverFimTemplate.js';
import type { ServerEvent, ServerFimPath, ServerProtocol } from './serverProtocol.js';

export interface LlamaServerEndpoint {
	/** The server's root, e.g. http://127.0.0.1:8080 (the OpenAI base URL without /v1). */
	rootUrl: string;
	model: string;
	apiKey?: string;
}

export const INFILL_PATH: ServerFimPath = {
	family: 'llama-server /infill',
	order: 'psm',
	reason: "llama-server lays out the model's FIM prompt from the FIM tokens its GGUF declares (input_prefix, input_suffix, input_extra)",
};

interface InfillEvent {
	content?: unknown;
	tokens?: unknown;
	stop?: unknown;
	stop_type?: unknown;
	tokens_evaluated?: unknown;
	timings?: { prompt_n?: unknown; cache_n?: unknown };
}

export class LlamaServerInfillProtocol implements ServerProtocol {
	readonly fim = INFILL_PATH;
	/** The server stops at the model's end-of-generation tokens itself. */
	readonly stopTexts: readonly string[] = [];

	constructor(
		private readonly endpoint: LlamaServerEndpoint,
		/** Ids of the model's FIM and file markers (see stopTokenIds). */
		private readonly stopTokens: ReadonlySet<number>,
	) {}

	body(prompt: SourcePrompt): Record<string, unknown> {
		return {
			model: this.endpoint.model,
			input_prefix: prompt.prefix,
			input_suffix: prompt.suffix,
			input_extra: (prompt.contextChunks ?? []).map((chunk) => ({ filename: chunk.path, text: chunk.text })),
			n_predict: prompt.maxTokens,
			// Greedy: llama.cpp samples the most likely token when the temperature is 0.
			temperature: 0,
			cache_prompt: true,
			stream: true,
		};
	}

	async post(prompt: SourcePrompt, signal: AbortSignal): Promise<Response> {
		const response = await serverFetch(`${this.endpoint.rootUrl}/infill`, {
			method: 'POST',
			headers: { ...headersFor(this.endpoint.apiKey), 'Content-Type': 'application/json' },
			body: JSON.stringify(this.body(prompt)),
			signal,
		});
		if (!response.ok) {
			throw new ModelLoadError('server-rejected', `/infill answered ${await describeHttpError(response)}${hintFor(response.status)}`);
		}
		return response;
	}

	read(data: string): ServerEvent {
		const chunk = parseJson(data) as InfillEvent & { error?: unknown };
		if (chunk.error !== undefined) {
			throw new ModelLoadError('server-rejected', `/infill streamed an error: ${JSON.stringify(chunk.error).slice(0, 200)}`);
		}
		const event: ServerEvent = {};
		if (Array.isArray(chunk.tokens) && chunk.tokens.some((token) => this.stopTokens.has(token as number))) {
			event.stopToken = true;
		}
		if (typeof chunk.content === 'string' && chunk.content !== '') {
			event.text = chunk.content;
		}
		if (typeof chunk.tokens_evaluated === 'number') {
			event.promptTokens = chunk.tokens_evaluated;
		}
		if (typeof chunk.timings?.prompt_n === 'number') {
			event.evaluatedPromptTokens = chunk.timings.prompt_n;
		}
		if (typeof chunk.timings?.cache_n === 'number') {
			event.reusedPromptTokens = chunk.timings.cache_n;
		}
		if (chunk.stop === true) {
			event.finish = chunk.stop_type === 'limit' ? 'max-tokens' : 'end-of-generation';
			event.done = true;
		}
		return event;
	}
}

/** The root of a server whose OpenAI base URL is given: llama-server's own endpoints live there. */
export function serverRoot(baseUrl: string): string {
	return baseUrl.replace(/\/v1$/, '');
}

/**
 * Whether llama-server can infill with the model it serves: it answers "Infill is not supported by
 * this model" for a vocabulary without FIM tokens. Returns the refusal, or undefined when it can.
 */
export async function infillRefusal(endpoint: LlamaServerEndpoint, timeoutMs: number): Promise<string | undefined> {
	const response = await serverFetch(`${endpoint.rootUrl}/infill`, {
		method: 'POST',
		headers: { ...headersFor(endpoint.apiKey), 'Content-Type': 'application/json' },
		body: JSON.stringify({
			model: endpoint.model,
			input_prefix: '',
			input_suffix: '',
			n_predict: 1,
			temperature: 0,
			cache_prompt: false,
		}),
		signal: AbortSignal.timeout(timeoutMs),
	});
	if (response.ok) {
		await response.body?.cancel();
		return undefined;
	}
	return describeHttpError(response);
}

/**
 * The ids of the known FIM stop strings that are one control token in the served model's vocabulary:
 * one token with special tokens parsed, and not that token when read as plain text.
 */
export async function stopTokenIds(endpoint: LlamaServerEndpoint, timeoutMs: number): Promise<Set<number>> {
	const tokenize = async (content: string, parseSpecial: boolean): Promise<unknown[]> => {
		const response = await serverFetch(`${endpoint.rootUrl}/tokenize`, {
			method: 'POST',
			headers: { ...headersFor(endpoint.apiKey), 'Content-Type': 'application/json' },
			body: JSON.stringify({ content, parse_special: parseSpecial }),
			signal: AbortSignal.timeout(timeoutMs),
		});
		if (!response.ok) {
			throw new ModelLoadError('server-rejected', `/tokenize answered ${await describeHttpError(response)}`);
		}
		const body = (await response.json()) as { tokens?: unknown };
		return Array.isArray(body.tokens) ? body.tokens : [];
	};
	const ids = new Set<number>();
	for (const marker of knownFimStopStrings()) {
		const special = await tokenize(marker, true);
		if (special.length === 1 && typeof special[0] === 'number') {
			const plain = await tokenize(marker, false);
			if (plain.length !== 1 || plain[0] !== special[0]) {
				ids.add(special[0]);
			}
		}
	}
	return ids;
}
