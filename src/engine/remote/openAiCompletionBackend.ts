/**
 * Completions from an OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM, or Hearth's own
 * `npm run serve`), so a team can share one machine with a real serving engine: the completion
 * pipeline over the tokens the server streams (OpenAiTokenSource). The answer is post-processed
 * exactly as a local one.
 *
 * connect() picks the fill-in-the-middle path from what the server says it is (`owned_by` in
 * `/models`, llama-server's `/props`) and `hearth.model.serverFimTemplate`: llama-server's `/infill`;
 * a client-side template for vLLM (whose `/completions` takes no `suffix`); `/completions` with
 * `suffix` for the rest (Ollama, Hearth's own server); or, where none can work, the prefix alone,
 * named as such in the model info the status bar shows.
 */

import { CompletionPipeline } from '../completion/completionPipeline.js';
import type { CompletionRequest, CompletionResult } from '../completion/completionTypes.js';
import type { Logger } from '../logger.js';
import type { CompletionBackend } from '../runtime/completionBackend.js';
import type { ModelInfo } from '../runtime/modelInfo.js';
import { ModelLoadError } from '../runtime/modelLoadError.js';
import { CompletionsProtocol, withoutSuffix, type CompletionsFim } from './completionsProtocol.js';
import { infillRefusal, LlamaServerInfillProtocol, serverRoot, stopTokenIds } from './llamaServerInfill.js';
import { headersFor, listServerModels, networkMessage, serverFetch } from './openAiHttp.js';
import { OpenAiTokenSource, type OpenAiServerOptions } from './openAiTokenSource.js';
import { SERVER_FIM_FAMILIES, templateOfFamily, type ServerFimFamily } from './serverFimTemplate.js';
import type { ServerProtocol } from './serverProtocol.js';

export type { OpenAiServerOptions } from './openAiTokenSource.js';

const CONNECT_TIMEOUT_MS = 5_000;

export class OpenAiCompletionBackend implements CompletionBackend {
	private readonly pipeline: CompletionPipeline;

	private constructor(
		private readonly source: OpenAiTokenSource,
		logger: Logger,
		private readonly baseInfo: Omit<ModelInfo, 'fimFamily' | 'fimOrder' | 'fimReason'>,
	) {
		this.pipeline = new CompletionPipeline(source, logger);
	}

	/** The model info, with the fill-in-the-middle path taken now. */
	get info(): ModelInfo {
		const fim = this.source.protocol.fim;
		return { ...this.baseInfo, fimFamily: fim.family, fimOrder: fim.order, fimReason: fim.reason };
	}

	/** Checks that the server answers and knows the model before anything switches to it. */
	static async connect(options: OpenAiServerOptions): Promise<OpenAiCompletionBackend> {
		const baseUrl = options.baseUrl.replace(/\/+$/, '');
		const { ids: listed, ownedBy } = await listServerModels(baseUrl, options.apiKey, 'completion');
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
		const engine = await identifyEngine(baseUrl, ownedBy, options.apiKey);
		const protocol = await chooseProtocol(engine, { ...options, baseUrl }, model);
		options.logger.info(
			`Completion server ${host} (${engine}): fill-in-the-middle through ${protocol.fim.family}: ${protocol.fim.reason}`,
		);
		return new OpenAiCompletionBackend(new OpenAiTokenSource({ ...options, baseUrl }, protocol), options.logger, {
			path: baseUrl,
			displayName: `${model} @ ${host}`,
			sizeBytes: 0,
			architecture: 'remote',
			quantization: 'server',
			contextSize: 0,
			trainContextSize: 0,
			threads: 0,
			backend: `OpenAI-compatible server ${host}${engine === 'other' ? '' : ` (${engine})`}`,
		});
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

type ServingEngine = 'llama-server' | 'vLLM' | 'other';

/** What the server is: `owned_by` in its model list ("llamacpp", "vllm"), else whether llama-server's `/props` answers. */
async function identifyEngine(baseUrl: string, ownedBy: readonly string[], apiKey: string | undefined): Promise<ServingEngine> {
	if (ownedBy.includes('llamacpp')) {
		return 'llama-server';
	}
	if (ownedBy.includes('vllm')) {
		return 'vLLM';
	}
	try {
		const response = await serverFetch(`${serverRoot(baseUrl)}/props`, {
			headers: headersFor(apiKey),
			signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
		});
		const props = (await response.json().catch(() => undefined)) as
			{ default_generation_settings?: unknown; build_info?: unknown } | undefined;
		return response.ok && props?.default_generation_settings !== undefined && props.build_info !== undefined ? 'llama-server' : 'other';
	} catch {
		return 'other';
	}
}

async function chooseProtocol(engine: ServingEngine, options: OpenAiServerOptions, model: string): Promise<ServerProtocol> {
	// vLLM leaves special tokens out of the text by default; a stop string that is one (<|file_sep|>) would then never match.
	const templateFields = engine === 'vLLM' ? { skip_special_tokens: false } : undefined;
	const completions = (fim: CompletionsFim) => new CompletionsProtocol({ ...options, model, templateFields }, fim);
	const setting = options.fimTemplate ?? 'auto';
	if (setting === 'none') {
		return completions({ kind: 'none', why: 'hearth.model.serverFimTemplate is "none"' });
	}
	if ((SERVER_FIM_FAMILIES as readonly string[]).includes(setting)) {
		const family = setting as ServerFimFamily;
		return completions({ kind: 'template', template: templateOfFamily(family), why: `hearth.model.serverFimTemplate is "${family}"` });
	}
	if (engine === 'llama-server') {
		const endpoint = { rootUrl: serverRoot(options.baseUrl), model, apiKey: options.apiKey };
		const refusal = await infillRefusal(endpoint, CONNECT_TIMEOUT_MS).catch((error: unknown) => networkMessage(error));
		if (refusal === undefined) {
			return new LlamaServerInfillProtocol(endpoint, await stopTokenIds(endpoint, CONNECT_TIMEOUT_MS));
		}
		// llama-server's /v1/completions takes no suffix either.
		return completions({ kind: 'none', why: `llama-server cannot infill with this model (/infill answered ${refusal})` });
	}
	if (engine === 'vLLM') {
		return completions(withoutSuffix(model, "vLLM's /completions takes no suffix"));
	}
	return completions({ kind: 'suffix' });
}
