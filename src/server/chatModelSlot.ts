import fs from 'node:fs/promises';
import path from 'node:path';
import type { RoutedModel } from '../engine/actions/actionRouting.js';
import type { ModelCapabilities } from '../engine/actions/modelCapabilities.js';
import type { ChatBackend } from '../engine/chat/chatBackend.js';
import { ChatEngine, DEFAULT_CHAT_CONTEXT_SIZE } from '../engine/chat/chatEngine.js';
import type { ChatRequest, ChatResult } from '../engine/chat/chatTypes.js';
import type { Logger } from '../engine/logger.js';
import { OpenAiChatBackend } from '../engine/remote/openAiChatBackend.js';
import { loadModel, type LoadedModel } from '../engine/runtime/loadModel.js';
import { loadedModelCapabilities } from '../engine/runtime/loadedModelCapabilities.js';
import { ModelLoadError } from '../engine/runtime/modelLoadError.js';
import { messageOf } from '../shared/errorMessage.js';
import type { ChatModelStatus } from '../shared/protocol.js';
import type { HearthSettings } from '../shared/settings.js';
import { SpeedMeter } from './modelSpeed.js';

/** What the slot is given on each apply: the settings, and the completion model it may share. */
export interface ChatSlotContext {
	settings: HearthSettings;
	/** The local completion model and its chat engine, when completions run on a GGUF here. */
	completion?: { loaded: LoadedModel; chat: () => ChatEngine | undefined };
	/** The completion server's API key, sent to a chat server too. */
	apiKey: string;
}

export interface ChatModelSlotOptions {
	/** The bundled model: `hearth.chatModel.path` empty names it. */
	defaultModelPath: string;
	logger: Logger;
	/** The slot's status or speed changed: publish it. */
	onChange: () => void;
}

/** A chat model's own completion context: never used for completions, so the smallest llama.cpp takes. */
const OWN_COMPLETION_CONTEXT = 256;

type Held =
	| { where: 'shared'; key: string; loaded: LoadedModel; chat: () => ChatEngine | undefined; capabilities: ModelCapabilities }
	| { where: 'local'; key: string; loaded: LoadedModel; engine: ChatEngine; capabilities: ModelCapabilities }
	| { where: 'server'; key: string; backend: OpenAiChatBackend; capabilities: ModelCapabilities };

/**
 * The chat model slot (`hearth.chatModel`): where Explain, Refactor and Clean Up Docs run when the user
 * chose one. `local`: a GGUF loaded beside the completion model with a small completion context (the
 * chat engine makes its 4096-token chat context on first use), or the completion model itself,
 * shared, when it is the same file; `server`: an OpenAI-compatible server's /chat/completions.
 *
 * Loads run one after the other in the slot's own queue, apart from the completion model's, so a
 * slow or failing chat model never holds up completions: a failure is kept as the slot's status
 * (`error` and why) and routing goes on without it.
 */
export class ChatModelSlot {
	private held: Held | undefined;
	private state: ChatModelStatus | undefined;
	private queue: Promise<void> = Promise.resolve();
	private readonly speed = new SpeedMeter();
	/** The measuring wrapper around the held backend, made once per held model. */
	private measured: { for: Held; backend: ChatBackend } | undefined;

	constructor(private readonly options: ChatModelSlotOptions) {}

	/** Loads (or connects, or shares) what the settings name; resolves once it is ready or failed. */
	apply(context: ChatSlotContext): Promise<void> {
		this.queue = this.queue.then(() => this.load(context));
		return this.queue;
	}

	/** Resolves once no load is queued or running. */
	settled(): Promise<void> {
		return this.queue;
	}

	/**
	 * Releases a local chat model for idleness (with the completion model); the next apply loads it
	 * again. A server slot holds no memory and stays.
	 */
	unload(message: string): Promise<void> {
		this.queue = this.queue.then(async () => {
			const held = this.held;
			if (!held || held.where === 'server' || !this.state) {
				return;
			}
			this.held = undefined;
			this.measured = undefined;
			if (held.where === 'local') {
				await this.release(held);
			}
			this.setState({ ...this.state, state: 'unloaded', message });
		});
		return this.queue;
	}

	/** Whether a local chat model of its own is loaded now (it keeps the idle clock running). */
	get holdsOwnModel(): boolean {
		return this.held?.where === 'local';
	}

	/** Whether the slot was unloaded for idleness and waits for the next action. */
	get unloaded(): boolean {
		return this.state?.state === 'unloaded';
	}

	/** Bytes of the chat model's own file in memory (0 when shared, on a server, or none). */
	get ownModelBytes(): number {
		return this.held?.where === 'local' ? this.held.loaded.info.sizeBytes : 0;
	}

	/** The slot as the status shows it; undefined when no chat model is chosen. */
	get status(): ChatModelStatus | undefined {
		if (!this.state) {
			return undefined;
		}
		const speed = this.speed.speed;
		return speed ? { ...this.state, speed } : this.state;
	}

	/** Why the chosen chat model is not in use, when it failed. */
	get problem(): string | undefined {
		return this.state?.state === 'error' ? this.state.message : undefined;
	}

	/** The slot for action routing, with the backend its answers come from; undefined unless ready. */
	routed(): (RoutedModel & { backend: ChatBackend; where: ChatModelStatus['where'] }) | undefined {
		const held = this.held;
		if (!held || this.state?.state !== 'ready') {
			return undefined;
		}
		const inner = held.where === 'shared' ? held.chat() : held.where === 'local' ? held.engine : held.backend;
		if (!inner) {
			return undefined;
		}
		if (this.measured?.for !== held) {
			this.measured = { for: held, backend: this.measuring(inner) };
		}
		return {
			name: this.state.displayName,
			local: held.where !== 'server',
			capabilities: held.capabilities,
			backend: this.measured.backend,
			where: held.where,
		};
	}

	async dispose(): Promise<void> {
		await this.queue;
		const held = this.held;
		this.held = undefined;
		this.measured = undefined;
		if (held) {
			await this.release(held);
		}
	}

	private async load(context: ChatSlotContext): Promise<void> {
		const { settings } = context;
		const choice = settings.chatModel;
		if (choice.backend === 'none') {
			await this.replace(undefined);
			this.setState(undefined);
			return;
		}
		if (choice.backend === 'server') {
			await this.loadServer(context);
			return;
		}
		const modelPath = choice.path ? path.resolve(choice.path) : this.options.defaultModelPath;
		const completion = context.completion;
		if (completion && (await sameFile(modelPath, completion.loaded.info.path))) {
			const key = `shared:${completion.loaded.info.path}`;
			if (this.held?.where === 'shared' && this.held.loaded === completion.loaded) {
				return;
			}
			const capabilities = loadedModelCapabilities(completion.loaded);
			await this.replace({ where: 'shared', key, loaded: completion.loaded, chat: completion.chat, capabilities });
			this.setReady('shared', completion.loaded, capabilities);
			this.options.logger.info(
				`Chat model: ${completion.loaded.info.displayName}, shared with completions (the same file, loaded once)`,
			);
			return;
		}
		const threads = settings.performance.threads;
		const key = `local:${modelPath}:${threads}:${settings.performance.gpu}`;
		if (this.held?.key === key && this.state?.state === 'ready') {
			return;
		}
		await this.replace(undefined);
		const displayName = path.basename(modelPath);
		this.setState({ state: 'loading', where: 'local', displayName, location: modelPath, canChat: false, evidence: [] });
		this.options.logger.info(`Loading the chat model ${modelPath}`);
		let loaded: LoadedModel;
		try {
			loaded = await loadModel({
				modelPath,
				threads,
				gpu: settings.performance.gpu,
				logger: this.options.logger,
				sequences: 1,
				contextSize: OWN_COMPLETION_CONTEXT,
				// The memory it will need: the chat context the engine makes on first use, not this small one.
				memoryCheckContext: { contextSize: DEFAULT_CHAT_CONTEXT_SIZE, sequences: 1 },
			});
		} catch (error) {
			this.fail(
				'local',
				displayName,
				modelPath,
				error instanceof ModelLoadError ? error.userMessage : `Could not load ${modelPath}: ${messageOf(error)}`,
			);
			return;
		}
		const capabilities = loadedModelCapabilities(loaded);
		const engine = new ChatEngine(loaded, { logger: this.options.logger, threads: threads || undefined });
		await this.replace({ where: 'local', key, loaded, engine, capabilities });
		this.setReady('local', loaded, capabilities);
		this.options.logger.info(`Chat model ready: ${loaded.info.displayName} (${capabilities.evidence.join('; ')})`);
	}

	private async loadServer(context: ChatSlotContext): Promise<void> {
		const { serverUrl, serverModel } = context.settings.chatModel;
		const key = `server:${serverUrl}:${serverModel}:${context.apiKey}`;
		if (this.held?.key === key && this.state?.state === 'ready') {
			return;
		}
		await this.replace(undefined);
		const location = serverUrl || '(no server URL set)';
		const displayName = serverModel || location;
		if (!serverUrl) {
			this.fail('server', displayName, location, 'hearth.chatModel.backend is "server" but hearth.chatModel.serverUrl is empty.');
			return;
		}
		this.setState({ state: 'loading', where: 'server', displayName, location, canChat: true, evidence: [] });
		try {
			const backend = await OpenAiChatBackend.connect({
				baseUrl: serverUrl,
				model: serverModel,
				apiKey: context.apiKey || undefined,
				logger: this.options.logger,
			});
			const capabilities = serverCapabilities(backend);
			await this.replace({ where: 'server', key, backend, capabilities });
			this.setState({
				state: 'ready',
				where: 'server',
				displayName: backend.displayName,
				location: backend.baseUrl,
				canChat: true,
				evidence: capabilities.evidence,
			});
			this.options.logger.info(`Chat model: ${backend.displayName} (/chat/completions)`);
		} catch (error) {
			this.fail('server', displayName, location, error instanceof ModelLoadError ? error.userMessage : messageOf(error));
		}
	}

	/** Replaces the held model, releasing the old one (a shared one belongs to the completion model). */
	private async replace(next: Held | undefined): Promise<void> {
		const previous = this.held;
		this.held = next;
		this.measured = undefined;
		if (previous !== next) {
			this.speed.reset();
		}
		if (previous && previous !== next) {
			await this.release(previous);
		}
	}

	private async release(held: Held): Promise<void> {
		try {
			if (held.where === 'local') {
				await held.engine.dispose();
				await held.loaded.dispose();
			} else if (held.where === 'server') {
				await held.backend.dispose();
			}
		} catch (error) {
			this.options.logger.warn(`Releasing the chat model: ${messageOf(error)}`);
		}
	}

	private setReady(where: 'local' | 'shared', loaded: LoadedModel, capabilities: ModelCapabilities): void {
		this.setState({
			state: 'ready',
			where,
			displayName: loaded.info.displayName,
			location: loaded.info.path,
			sizeBytes: loaded.info.sizeBytes,
			canChat: capabilities.tuning === 'instruct' && capabilities.chatTemplate !== 'fallback',
			evidence: capabilities.evidence,
		});
	}

	private fail(where: ChatModelStatus['where'], displayName: string, location: string, message: string): void {
		this.options.logger.error(`Chat model: ${message}`);
		this.setState({ state: 'error', where, displayName, location, canChat: false, evidence: [], message });
	}

	private setState(state: ChatModelStatus | undefined): void {
		this.state = state;
		this.options.onChange();
	}

	/** The backend, with each answer's figures counted into the slot's speed. */
	private measuring(inner: ChatBackend): ChatBackend {
		const record = (result: ChatResult) => {
			const { stats } = result;
			this.speed.add({
				promptTokens: stats.promptTokens - stats.reusedPromptTokens,
				promptMs: stats.promptMs,
				generatedTokens: stats.generatedTokens,
				generationMs: stats.totalMs - stats.promptMs,
			});
			this.options.onChange();
			return result;
		};
		return {
			get contextSize() {
				return inner.contextSize;
			},
			countTokens: (messages) => inner.countTokens(messages),
			generate: (request: ChatRequest) => inner.generate(request).then(record),
			dispose: () => inner.dispose(),
		};
	}
}

/** A server's chat model: chosen for this role by the user; the server applies the model's own chat template. */
function serverCapabilities(backend: OpenAiChatBackend): ModelCapabilities {
	return {
		fimFamily: 'prefix-only',
		fim: false,
		chatTemplate: 'gguf-template',
		tuning: 'instruct',
		trainedContext: backend.contextSize,
		evidence: [
			`an OpenAI-compatible server's /chat/completions at ${backend.baseUrl}`,
			"the server lays out the conversation with the served model's own chat template",
			'chosen by the user as the chat model',
		],
	};
}

async function sameFile(a: string, b: string): Promise<boolean> {
	const real = (file: string) => fs.realpath(file).catch(() => path.resolve(file));
	return (await real(a)) === (await real(b));
}
