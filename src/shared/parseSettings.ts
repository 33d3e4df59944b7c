import { asRecord, readSection } from './settingRules.js';
import { SETTINGS_SCHEMA, type EscalationSettingValues, type HearthSettings } from './settings.js';

export interface ParsedSettings {
	settings: HearthSettings;
	/** One line per setting that was ignored, naming the key, the bad value and the value used. */
	problems: string[];
}

/**
 * Turns whatever `workspace/configuration` returned for `hearth` into the language server's typed
 * settings, each checked against its rule in SETTINGS_SCHEMA. A bad value never stops the server:
 * it is replaced by the default and reported, so the user sees what to fix.
 */
export function parseSettings(raw: unknown): ParsedSettings {
	const problems: string[] = [];
	const root = asRecord(raw);
	const settings: HearthSettings = {
		model: readSection('model', SETTINGS_SCHEMA.model, root.model, problems),
		chatModel: readSection('chatModel', SETTINGS_SCHEMA.chatModel, root.chatModel, problems),
		inlineCompletion: readSection('inlineCompletion', SETTINGS_SCHEMA.inlineCompletion, root.inlineCompletion, problems),
		performance: readSection('performance', SETTINGS_SCHEMA.performance, root.performance, problems),
		actions: readSection('actions', SETTINGS_SCHEMA.actions, root.actions, problems),
	};
	return { settings, problems };
}

/** The same for `hearth.escalation`, which the extension reads (from the user's settings only). */
export function parseEscalationSettings(raw: unknown): { settings: EscalationSettingValues; problems: string[] } {
	const problems: string[] = [];
	return { settings: readSection('escalation', SETTINGS_SCHEMA.escalation, raw, problems), problems };
}
