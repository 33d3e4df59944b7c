/**
 * Tokens from an OpenAI-compatible server: a streamed `/completions` request with the suffix in its
 * `suffix` field (a server that rejects the field is asked with the prefix alone from then on). The
 * HTTP request is aborted as soon as the pipeline is done with the run, so the server stops
 * generating too. A server that sends nothing within the first-byte timeout ends the run; failures
 * and recoveries are reported once each through `onHealthChange`.
 */

import type { SourcePrompt, SourceRun, SourceStep, TokenSource } from '../completion/tokenSource.js';
import type { Logger } from '../logger.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { describeHttpError, headersFor, hintFor, networkMessage } from './openAiHttp.js';
import { serverSentEventData } from './serverSentEvents.js';

export interface OpenAiServerOptions {
	/** e.g. http://127.0.0.1:8080/v1 */
	baseUrl: string;
	/** Sent as `model`; empty: the first model the server lists. */
	model: string;
	apiKey?: string;
	logger: Logger;
	/** Longest wait for the server's first byte before a request counts as failed (default 10 s). */
	firstByteTimeoutMs?: number;
	/** Called with a one-line problem when requests start failing, and with undefined once one succeeds again. */
	onHealthChange?: (problem: string | undefined) => void;
}

/** The server is sent this much text on each side of the cursor at most: it keeps its own cache. */
const MAX_PREFIX_CHARS = 12_000;
const MAX_SUFFIX_CHARS = 4_000;
const PREFIX_CUT_STEP_CHARS = 2_000;
const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 10_000;

export class OpenAiTokenSource implements TokenSource {
	readonly window = { maxPrefixChars: MAX_PREFIX_CHARS, maxSuffixChars: MAX_SUFFIX_CHARS, prefixCutStepChars: PREFIX_CUT_STEP_CHARS };
	/** The server applies its own stop strings. */
	readonly stopTexts: readonly string[] = [];
	private suffixSupported = true;
	private failing = false;

	/** `options.baseUrl` without a trailing slash; `model` as the server knows it. */
	constructor(
		private readonly options: OpenAiServerOptions,
		private readonly model: string,
	) {}

	/** The server stops at `max_tokens` itself (and its pieces need not be single tokens). */
	tokenLimit(): undefined {
		return undefined;
	}

	async *generate(prompt: SourcePrompt, run: SourceRun): AsyncGenerator<SourceStep> {
		const { stats } = run;
		const http = new AbortController();
		const stop = () => http.abort();
		run.signal.addEventListener('abort', stop, { once: true });
		let firstByteExpired = false;
		const firstByte = setTimeout(() => {
			firstByteExpired = true;
			http.abort();
		}, this.options.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS);
		let rawText = '';
		const text = () => rawText;
		let failed = false;
		try {
			if (run.signal.aborted) {
				http.abort();
			}
			const response = await this.post(prompt.prefix, prompt.suffix, prompt.maxTokens, http.signal);
			clearTimeout(firstByte);
			stats.promptMs = performance.now() - run.startedAt;
			if (!response.body) {
				throw new Error('the server sent no body');
			}
			for await (const data of serverSentEventData(response.body)) {
				if (data.trim() === '[DONE]') {
					break;
				}
				const chunk = parseChunk(data);
				if (chunk.usage) {
					stats.promptTokens = chunk.usage.prompt_tokens ?? stats.promptTokens;
					stats.evaluatedPromptTokens = stats.promptTokens;
				}
				const choice = chunk.choices?.[0];
				if (!choice) {
					continue;
				}
				if (typeof choice.text === 'string' && choice.text !== '') {
					rawText += choice.text;
					yield { kind: 'token', text };
				}
				if (choice.finish_reason) {
					yield { kind: 'finish', reason: choice.finish_reason === 'length' ? 'max-tokens' : 'end-of-generation' };
				}
			}
		} catch (error) {
			failed = true;
			if (firstByteExpired || run.signal.aborted) {
				if ((firstByteExpired || run.signal.reason === 'time-budget') && rawText === '') {
					this.reportHealth(`The completion server at ${this.options.baseUrl} did not answer in time.`);
				}
				if (firstByteExpired) {
					yield { kind: 'finish', reason: 'time-budget' };
				}
				return;
			}
			const problem = `The completion server at ${this.options.baseUrl} failed: ${error instanceof ModelLoadError ? error.userMessage : networkMessage(error)}`;
			this.reportHealth(problem);
			throw new Error(problem, { cause: error });
		} finally {
			clearTimeout(firstByte);
			run.signal.removeEventListener('abort', stop);
			if (!failed) {
				this.reportHealth(undefined);
			}
		}
	}

	private async post(prefix: string, suffix: string, maxTokens: number, signal: AbortSignal): Promise<Response> {
		const send = (withSuffix: boolean) =>
			fetch(`${this.options.baseUrl}/completions`, {
				method: 'POST',
				headers: { ...headersFor(this.options.apiKey), 'Content-Type': 'application/json' },
				body: JSON.stringify({
					model: this.model,
					prompt: prefix,
					...(withSuffix ? { suffix } : {}),
					max_tokens: maxTokens,
					temperature: 0,
					stream: true,
					stream_options: { include_usage: true },
				}),
				signal,
			});
		let response = await send(this.suffixSupported);
		if (response.status === 400 && this.suffixSupported) {
			const message = await describeHttpError(response);
			if (/suffix/i.test(message)) {
				this.suffixSupported = false;
				this.options.logger.warn(
					`The completion server rejects the suffix field (${message}); completing from the text before the cursor only.`,
				);
				response = await send(false);
			} else {
				throw new ModelLoadError('server-rejected', `/completions answered ${message}`);
			}
		}
		if (!response.ok) {
			throw new ModelLoadError(
				'server-rejected',
				`/completions answered ${await describeHttpError(response)}${hintFor(response.status)}`,
			);
		}
		return response;
	}

	private reportHealth(problem: string | undefined): void {
		const failing = problem !== undefined;
		if (failing === this.failing && !failing) {
			return;
		}
		this.failing = failing;
		if (problem) {
			this.options.logger.warn(problem);
		}
		this.options.onHealthChange?.(problem);
	}
}

interface CompletionChunk {
	choices?: { text?: unknown; finish_reason?: string | null }[];
	usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function parseChunk(data: string): CompletionChunk {
	try {
		const parsed = JSON.parse(data) as unknown;
		if (typeof parsed === 'object' && parsed !== null) {
			return parsed as CompletionChunk;
		}
	} catch {
		// fall through
	}
	throw new ModelLoadError('server-rejected', `the server streamed something that is not JSON: ${JSON.stringify(data.slice(0, 80))}`);
}
