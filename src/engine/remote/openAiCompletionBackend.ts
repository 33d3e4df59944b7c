/**
 * Completions from an OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM, or Hearth's own
 * `npm run serve`), so a team can share one machine with a real serving engine: the completion
 * pipeline over the tokens the server streams (OpenAiTokenSource). The answer is post-processed
 * exactly as a local one.
 */

import { CompletionPipeline } from '../completion/completionPipeline.js';
import type { CompletionRequest, CompletionResult } from '../completion/completionTypes.js';
import type { Logger } from '../logger.js';
import type { CompletionBackend } from '../runtime/completionBackend.js';
import type { ModelInfo } from '../runtime/modelInfo.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { describeHttpError, headersFor, hintFor, networkMessage } from './openAiHttp.js';
import { OpenAiTokenSource, type OpenAiServerOptions } from './openAiTokenSource.js';

export type { OpenAiServerOptions } from './openAiTokenSource.js';

const CONNECT_TIMEOUT_MS = 5_000;

export class OpenAiCompletionBackend implements CompletionBackend {
	private readonly pipeline: CompletionPipeline;

	private constructor(
		source: OpenAiTokenSource,
		logger: Logger,
		readonly info: ModelInfo,
	) {
		this.pipeline = new CompletionPipeline(source, logger);
	}

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
		return new OpenAiCompletionBackend(new OpenAiTokenSource({ ...options, baseUrl }, model), options.logger, info);
	}

	cachedCompletion(request: CompletionRequest): CompletionResult | undefined {
		return this.pipeline.cached(request);
	}

	complete(request: CompletionRequest): Promise<CompletionResult> {
		return this.pipeline.complete(request);
	}

	get queuedRequests(): number {
		return this.pipeline.queuedRequests;
	}

	forgetDocument(): void {
		// The server keeps its own caches.
	}

	async dispose(): Promise<void> {
		await this.pipeline.idle();
	}
}
