/**
 * Tokens from a completion server: a streamed request in the server's protocol (`/completions`
 * with `suffix`, with a client-side FIM template, or prefix only; llama-server's `/infill`). The
 * HTTP request is aborted as soon as the pipeline is done with the run, so the server stops
 * generating too. A server that sends nothing within the first-byte timeout ends the run; failures
 * and recoveries are reported once each through `onHealthChange`.
 */

import type { SourcePrompt, SourceRun, SourceStep, TokenSource } from '../completion/tokenSource.js';
import type { Logger } from '../logger.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { networkMessage } from './openAiHttp.js';
import { serverSentEventData } from './serverSentEvents.js';
import { applyPromptFigures, type ServerProtocol } from './serverProtocol.js';

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
	/**
	 * `hearth.model.serverFimTemplate`: the served model's FIM family, for an engine whose
	 * `/completions` takes no `suffix`; "none" for prefix only; "auto" or absent: from the server and the model's name.
	 */
	fimTemplate?: string;
	/** Called when a server refused the `suffix` field and the fill-in-the-middle path changed (the model info says which). */
	onFimPathChange?: () => void;
}

/** The server is sent this much text on each side of the cursor at most: it keeps its own cache. */
const MAX_PREFIX_CHARS = 12_000;
const MAX_SUFFIX_CHARS = 4_000;
const PREFIX_CUT_STEP_CHARS = 2_000;
const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 10_000;

export class OpenAiTokenSource implements TokenSource {
	readonly window = { maxPrefixChars: MAX_PREFIX_CHARS, maxSuffixChars: MAX_SUFFIX_CHARS, prefixCutStepChars: PREFIX_CUT_STEP_CHARS };
	private failing = false;

	/** `options.baseUrl` without a trailing slash. */
	constructor(
		private readonly options: OpenAiServerOptions,
		readonly protocol: ServerProtocol,
	) {}

	/** The protocol's stop strings (a client-side template's; a server applies its own). */
	get stopTexts(): readonly string[] {
		return this.protocol.stopTexts;
	}

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
			const pathBefore = this.protocol.fim;
			const response = await this.post(prompt, http.signal);
			if (this.protocol.fim.family !== pathBefore.family) {
				this.options.onFimPathChange?.();
			}
			clearTimeout(firstByte);
			stats.promptMs = performance.now() - run.startedAt;
			if (!response.body) {
				throw new Error('the server sent no body');
			}
			for await (const data of serverSentEventData(response.body)) {
				const event = this.protocol.read(data);
				applyPromptFigures(event, stats);
				if (event.stopToken) {
					yield { kind: 'stop-token' };
					return;
				}
				if (event.text !== undefined) {
					rawText += event.text;
					yield { kind: 'token', text };
				}
				if (event.finish) {
					yield { kind: 'finish', reason: event.finish };
				}
				if (event.done) {
					break;
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

	/**
	 * Posts the request; once more on a fresh connection when a kept-alive one turns out closed (the
	 * server restarted or went away since the last request), so that the error is the server's state.
	 */
	private async post(prompt: SourcePrompt, signal: AbortSignal): Promise<Response> {
		try {
			return await this.protocol.post(prompt, signal);
		} catch (error) {
			const code = (error as { cause?: { code?: unknown } }).cause?.code;
			if (signal.aborted || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) {
				throw error;
			}
			return this.protocol.post(prompt, signal);
		}
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
