import {
	choice,
	flag,
	httpUrlOrEmpty,
	integer,
	languageSwitch,
	machineScoped,
	price,
	sectionDefaults,
	stringList,
	text,
	type SectionValues,
} from './settingRules.js';

/**
 * The user's settings, each written once: its default, bounds, choices and scope, in the same terms
 * as package.json's `contributes.configuration`, which declares them to VS Code. The types, the
 * defaults and the validation (parseSettings.ts) all come from this table, and
 * test/unit/settingsSchema.test.ts fails when it and package.json disagree in any setting.
 *
 * The server pulls the `hearth` section through `workspace/configuration` and reads the completion
 * sections; the extension reads `escalation` itself (machine values only). Model location,
 * performance, actions, escalation and tracing are machine-scoped so that a workspace cannot point
 * the extension at a file, a server or a thread count of its choosing, nor turn tracing on.
 */
export const SETTINGS_SECTION = 'hearth';

/**
 * Where completions are off until the user turns them on, as in Copilot: prose (plain text, Markdown,
 * the commit message box) and JSON, which holds VS Code's own settings files.
 */
const DEFAULT_LANGUAGES = { '*': true, plaintext: false, markdown: false, scminput: false, json: false, jsonc: false };

export const SETTINGS_SCHEMA = {
	model: machineScoped({
		path: text(''),
		/** Where completions come from: a GGUF file run in the server process, or an OpenAI-compatible server. */
		backend: choice(['local', 'server'], 'local'),
		/** Base URL of an OpenAI-compatible server (llama-server, Ollama, LM Studio, vLLM), e.g. http://127.0.0.1:8080/v1. */
		serverUrl: httpUrlOrEmpty(''),
		/** The model name that server expects in requests. */
		serverModel: text(''),
		/**
		 * The served model's FIM family, for a server whose /completions takes no suffix (vLLM): Hearth lays out
		 * the prompt with that family's template. "auto": llama-server's /infill, the model's name, or suffix.
		 */
		serverFimTemplate: choice(
			['auto', 'qwen2.5-coder', 'starcoder', 'starcoder2', 'deepseek-coder', 'codellama', 'codestral', 'codegemma', 'none'],
			'auto',
		),
		/** Minutes without a completion or an action after which the local model is unloaded; 0: never. */
		idleUnloadMinutes: integer(15, 0, 1440),
	}),
	/**
	 * The chat model: where Explain, Refactor and Clean Up Docs run when it is set. `none` (the default):
	 * they run on the completion model when it can chat, else as Document This on a base FIM model, else
	 * the editor offers a chat model and the frontier model's preview. `local`: a GGUF run in the server
	 * process (`path`; empty: the bundled model; the completion model's own file is shared, not loaded twice).
	 * `server`: an OpenAI-compatible server's /chat/completions (the completion server's API key is used).
	 */
	chatModel: machineScoped({
		backend: choice(['none', 'local', 'server'], 'none'),
		path: text(''),
		serverUrl: httpUrlOrEmpty(''),
		serverModel: text(''),
	}),
	inlineCompletion: {
		/** The pause switch: off stops every completion, whatever `enable` says. */
		enabled: flag(true),
		/** Per language: `"*"` for every language not named; prose and JSON settings files off by default. */
		enable: languageSwitch(DEFAULT_LANGUAGES),
		maxTokens: integer(64, 1, 512),
		mode: choice(['auto', 'single-line', 'multi-line'], 'auto'),
		timeBudgetMs: integer(3000, 100, 60_000),
		/** Bounds of the adaptive wait between a keystroke and the model call. */
		debounceMinMs: integer(0, 0, 2000),
		debounceMaxMs: integer(400, 0, 2000),
		/** Most prompt tokens per completion (the text around the cursor plus extra context). */
		contextBudget: integer(1536, 128, 131_072),
		/** Add recently edited and similar chunks of other open files ahead of the file. */
		extraContext: flag(true),
		/** Prepare the next suggestion while one is shown, as if it were accepted. */
		prefetch: flag(true),
		/**
		 * Suggestions the model is unsure of are held back: the least probability, in percent, that every
		 * token of a suggestion must have (after the unsure-token cut); 0 shows them all.
		 */
		minConfidence: integer(25, 0, 100),
		/**
		 * A suggestion ends before the first token the model gives less than this probability, in
		 * percent: the part it guessed is not shown; 0 never cuts.
		 */
		minTokenConfidence: integer(20, 0, 100),
	},
	performance: machineScoped({
		threads: integer(0, 0, 256),
		contextSize: integer(2048, 256, 131_072),
		gpu: choice(['auto', 'off'], 'auto'),
	}),
	/** Explain, refactor and clean up. */
	actions: machineScoped({
		/** Most tokens one answer may have, below the action's own limit (actionMaxTokens); 0: the action's own limit. */
		maxTokens: integer(0, 0, 16_384),
	}),
	/** The frontier model, read by the extension from the user's (machine's) settings only. */
	escalation: machineScoped({
		/** Not checked as a URL here: a bad one is refused where it is used (endpointOrigin), never replaced by another endpoint. */
		baseUrl: text('https://api.openai.com/v1'),
		model: text('gpt-4.1'),
		organization: text(''),
		skipPreview: flag(false),
		redactSecrets: flag(true),
		exclude: stringList([]),
		maxInputTokens: integer(32_000, 256, 2_000_000),
		maxOutputTokens: integer(4096, 16, 200_000),
		timeoutSeconds: integer(60, 5, 3600),
		/** The whole escalation, retries included, however steadily the endpoint sends. */
		totalTimeoutSeconds: integer(600, 10, 7200),
		pricePerMillionTokens: price(),
	}),
	/** Read by vscode-languageclient itself (the client's id is `hearth`). */
	trace: machineScoped({
		server: choice(['off', 'messages', 'verbose'], 'off'),
	}),
} as const;

export type SettingsSectionName = keyof typeof SETTINGS_SCHEMA;

/** The sections the language server reads. */
export interface HearthSettings {
	model: SectionValues<typeof SETTINGS_SCHEMA.model>;
	chatModel: SectionValues<typeof SETTINGS_SCHEMA.chatModel>;
	inlineCompletion: SectionValues<typeof SETTINGS_SCHEMA.inlineCompletion>;
	performance: SectionValues<typeof SETTINGS_SCHEMA.performance>;
	actions: SectionValues<typeof SETTINGS_SCHEMA.actions>;
}

export type EscalationSettingValues = SectionValues<typeof SETTINGS_SCHEMA.escalation>;
export type CompletionModeSetting = HearthSettings['inlineCompletion']['mode'];
export type GpuSetting = HearthSettings['performance']['gpu'];
export type ModelBackendSetting = HearthSettings['model']['backend'];
export type ChatModelBackendSetting = HearthSettings['chatModel']['backend'];

export const DEFAULT_SETTINGS: HearthSettings = {
	model: sectionDefaults(SETTINGS_SCHEMA.model),
	chatModel: sectionDefaults(SETTINGS_SCHEMA.chatModel),
	inlineCompletion: sectionDefaults(SETTINGS_SCHEMA.inlineCompletion),
	performance: sectionDefaults(SETTINGS_SCHEMA.performance),
	actions: sectionDefaults(SETTINGS_SCHEMA.actions),
};

/** Settings whose change means the model must be loaded again. */
export function modelReloadNeeded(before: HearthSettings, after: HearthSettings): boolean {
	return (
		before.model.path !== after.model.path ||
		before.model.backend !== after.model.backend ||
		before.model.serverUrl !== after.model.serverUrl ||
		before.model.serverModel !== after.model.serverModel ||
		before.model.serverFimTemplate !== after.model.serverFimTemplate ||
		before.performance.threads !== after.performance.threads ||
		before.performance.contextSize !== after.performance.contextSize ||
		before.performance.gpu !== after.performance.gpu
	);
}

/** Settings whose change means the chat model must be loaded (or connected) again. */
export function chatModelReloadNeeded(before: HearthSettings, after: HearthSettings): boolean {
	const a = before.chatModel;
	const b = after.chatModel;
	return (
		a.backend !== b.backend ||
		a.path !== b.path ||
		a.serverUrl !== b.serverUrl ||
		a.serverModel !== b.serverModel ||
		before.performance.threads !== after.performance.threads ||
		before.performance.gpu !== after.performance.gpu ||
		// A chat model that shares the completion model's file follows it.
		(b.backend === 'local' && (before.model.path !== after.model.path || before.model.backend !== after.model.backend))
	);
}
