import type { Logger } from '../logger.js';
import { chooseCompletionMode, clampContext, processCompletion } from '../postprocess/index.js';
import type { CompletionBackend } from '../runtime/completionBackend.js';
import { CachedRunQueue } from '../runtime/cachedRunQueue.js';
import { idleStats, type CompletionRequest, type CompletionResult, type StopReason } from '../runtime/completionEngine.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import type { ModelInfo } from '../runtime/modelInfo.js';
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
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Completions from an OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM, or Hearth's own
 * `npm run serve`), so a team can share one machine with a real serving engine. Fill-in-the-middle
 * goes through the `/completions` endpoint's `suffix` field; a server that rejects `suffix` is asked
 * with the prefix alone from then on. The answer is streamed and post-processed exactly as a local
 * one, and the HTTP request is aborted as soon as post-processing or the editor ends it, so the
 * server stops generating too.
 */
export class OpenAiCompletionBackend implements CompletionBackend {
	private readonly runs = new CachedRunQueue();
	private suffixSupported = true;
	private failing = false;

	private constructor(
		private readonly options: OpenAiServerOptions,
		private readonly model: string,
		readonly info: ModelInfo,
	) {}

	/** Checks that the server answers and knows the model before anything switches to it. */
	static async connect(options: OpenAiServerOptions): Promise<OpenAiCompletionBackend> {
		const baseUrl = options.baseUrl.replace(/\/+$/, '');
		let listed: string[];
		try {
			const response = await fetch(`${baseUrl}/models`, {
				headers: headersFor(options.apiKey),
				signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
			});
			if (!response.ok) {
				throw new ModelLoadError(
					'server-rejected',
					`${baseUrl}/models answered ${await describeHttpError(response)}${hintFor(response.status)}`,
				);
			}
			const body = (await response.json().catch(() => undefined)) as { data?: { id?: unknown }[] } | undefined;
			if (!body || !Array.isArray(body.data)) {
				throw new ModelLoadError(
					'server-rejected',
					`${baseUrl}/models did not answer with an OpenAI model list: is this an OpenAI-compatible server (the base URL usually ends in /v1)?`,
				);
			}
			listed = body.data.map((entry) => String(entry.id ?? '')).filter((id) => id !== '');
		} catch (error) {
			if (error instanceof ModelLoadError) {
				throw error;
			}
			throw new ModelLoadError(
				'server-unreachable',
				`Cannot reach the completion server at ${baseUrl}: ${networkMessage(error)}. Is it running?`,
				{ cause: error },
			);
		}
		const model = options.model || listed[0];
		if (!model) {
			throw new ModelLoadError(
				'server-rejected',
				`The server at ${baseUrl} lists no models; set hearth.model.serverModel to the model it serves.`,
			);
		}
		if (options.model && listed.length > 0 && !listed.includes(options.model)) {
			// Ollama and LM Studio accept names they do not list (tags, aliases): warn, do not refuse.
			options.logger.warn(
				`The server at ${baseUrl} does not list "${options.model}" (it lists ${listed.slice(0, 5).join(', ')}); trying it anyway.`,
			);
		}
		const host = new URL(baseUrl).host;
		const info: ModelInfo = {
			path: baseUrl,
			displayName: `${model} @ ${host}`,
			sizeBytes: 0,
			architecture: 'remote',
			quantization: 'server',
			contextSize: 0,
			trainContextSize: 0,
			threads: 0,
			backend: `OpenAI-compatible server ${host}`,
			fimFamily: 'server (/completions suffix)',
			fimOrder: 'psm',
			fimReason: 'the server applies its own fill-in-the-middle template',
		};
		return new OpenAiCompletionBackend({ ...options, baseUrl }, model, info);
	}

	cachedCompletion(request: CompletionRequest): CompletionResult | undefined {
		return this.runs.cached(request);
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		return this.runs.run(request, (queuedAt) => this.run(request, queuedAt));
	}

	get queuedRequests(): number {
		return this.runs.waiting;
	}

	forgetDocument(): void {
		// The server keeps its own caches.
	}

	async dispose(): Promise<void> {
		await this.runs.idle();
	}

	private async run(request: CompletionRequest, queuedAt: number): Promise<CompletionResult> {
		const startedAt = performance.now();
		const stats = idleStats({ queuedMs: startedAt - queuedAt });
		const clamped = clampContext(request.prefix, request.suffix, {
			maxPrefixChars: MAX_PREFIX_CHARS,
			maxSuffixChars: MAX_SUFFIX_CHARS,
			prefixCutStepChars: PREFIX_CUT_STEP_CHARS,
		});
		const mode =
			request.mode === undefined || request.mode === 'auto' ? chooseCompletionMode(clamped.prefix, clamped.suffix) : request.mode;
		const postContext = { prefix: clamped.prefix, suffix: clamped.suffix, mode };

		// One controller ends the HTTP request for every reason: the editor, post-processing, the time budget.
		const http = new AbortController();
		let ended: StopReason | undefined;
		const end = (reason: StopReason) => {
			ended ??= reason;
			http.abort();
		};
		const onAbort = () => end('cancelled');
		request.signal?.addEventListener('abort', onAbort, { once: true });
		const firstByte = setTimeout(() => end('time-budget'), this.options.firstByteTimeoutMs ?? 10_000);
		const budget = request.timeBudgetMs === undefined ? undefined : setTimeout(() => end('time-budget'), request.timeBudgetMs);

		let rawText = '';
		let text = '';
		let stopReason: StopReason = 'max-tokens';
		try {
			if (request.signal?.aborted) {
				return { text: '', rawText: '', stopReason: 'cancelled', stats };
			}
			const response = await this.post(clamped.prefix, clamped.suffix, request.maxTokens, http.signal);
			clearTimeout(firstByte);
			stats.promptMs = performance.now() - startedAt;
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
					stats.firstTokenMs ??= performance.now() - startedAt;
					stats.generatedTokens++;
					rawText += choice.text;
					const processed = processCompletion(rawText, postContext);
					if (processed.text !== text) {
						text = processed.text;
						request.onText?.(text);
					}
					if (processed.done) {
						stopReason = 'post-process';
						end('post-process');
						break;
					}
				}
				if (choice.finish_reason) {
					stopReason = choice.finish_reason === 'length' ? 'max-tokens' : 'end-of-generation';
				}
			}
			this.reportHealth(undefined);
		} catch (error) {
			if (ended === undefined) {
				const problem = `The completion server at ${this.options.baseUrl} failed: ${error instanceof ModelLoadError ? error.userMessage : networkMessage(error)}`;
				this.reportHealth(problem);
				throw new Error(problem, { cause: error });
			}
			if (ended === 'time-budget' && stats.firstTokenMs === undefined) {
				this.reportHealth(`The completion server at ${this.options.baseUrl} did not answer in time.`);
			}
		} finally {
			clearTimeout(firstByte);
			clearTimeout(budget);
			request.signal?.removeEventListener('abort', onAbort);
			stats.totalMs = performance.now() - startedAt;
		}
		if (ended === 'cancelled') {
			return { text: '', rawText, stopReason: 'cancelled', stats };
		}
		if (ended === 'time-budget') {
			stopReason = 'time-budget';
		}
		return { text, rawText, stopReason, stats };
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

function headersFor(apiKey: string | undefined): Record<string, string> {
	return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

async function describeHttpError(response: Response): Promise<string> {
	const body = await response.text().catch(() => '');
	let detail = body.trim().slice(0, 200);
	try {
		const parsed = JSON.parse(body) as { error?: { message?: string } | string };
		detail = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? detail);
	} catch {
		// not JSON: the raw text is the best detail there is
	}
	return `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
}

function hintFor(status: number): string {
	switch (status) {
		case 401:
		case 403:
			return ' (set or check the API key: Hearth: Choose Model → Use an OpenAI-compatible server…)';
		case 404:
			return ' (is the base URL right? It usually ends in /v1)';
		case 429:
			return ' (the server is busy; try again shortly)';
		default:
			return '';
	}
}

function networkMessage(error: unknown): string {
	if (error instanceof Error) {
		const cause = (error as { cause?: { code?: string; message?: string } }).cause;
		if (error.name === 'TimeoutError') {
			return 'no answer in time';
		}
		return cause?.code ?? cause?.message ?? error.message;
	}
	return String(error);
}
