import * as vscode from 'vscode';
import { parseEscalationSettings } from '../../shared/parseSettings.js';
import { SETTINGS_SCHEMA, SETTINGS_SECTION, type EscalationSettingValues } from '../../shared/settings.js';

export type EscalationSettings = Omit<EscalationSettingValues, 'pricePerMillionTokens'> & {
	/** From hearth.escalation.pricePerMillionTokens; undefined when it is not set. */
	price?: { inputPerMillion: number; outputPerMillion: number };
	/** Escalation settings a workspace or folder tried to set, which were ignored (for the log). */
	ignoredWorkspaceValues: string[];
	/** One line per setting whose value broke its rule in SETTINGS_SCHEMA and was replaced (for the log). */
	problems: string[];
};

/**
 * The escalation settings, read from the user's (machine's) settings only, and checked against
 * SETTINGS_SCHEMA like every other setting. VS Code already ignores workspace values of
 * machine-scoped settings; reading `globalValue` says so in code as well, so that no workspace
 * `settings.json` can redirect code to another server, turn the preview or redaction off, or drop an
 * exclusion, even if a scope in package.json were ever changed by mistake.
 */
export function readEscalationSettings(): EscalationSettings {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	const ignoredWorkspaceValues: string[] = [];
	const machineValues: Record<string, unknown> = {};
	for (const key of Object.keys(SETTINGS_SCHEMA.escalation)) {
		const inspected = configuration.inspect(`escalation.${key}`);
		if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined) {
			ignoredWorkspaceValues.push(`${SETTINGS_SECTION}.escalation.${key}`);
		}
		machineValues[key] = inspected?.globalValue;
	}
	const { settings, problems } = parseEscalationSettings(machineValues);
	const { pricePerMillionTokens: price, ...rest } = settings;
	return {
		...rest,
		price: 'input' in price ? { inputPerMillion: price.input, outputPerMillion: price.output } : undefined,
		ignoredWorkspaceValues,
		problems,
	};
}

/**
 * The endpoint's origin ("https://api.openai.com"), which keys are stored under, or why the base URL
 * cannot be used. Only http and https: anything else is a mistake or an attempt to smuggle a scheme.
 */
export function endpointOrigin(baseUrl: string): { origin: string } | { problem: string } {
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return {
			problem: `"${baseUrl}" is not a URL. Set hearth.escalation.baseUrl to the endpoint's base URL, e.g. https://api.openai.com/v1.`,
		};
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return {
			problem: `"${baseUrl}" is not an http(s) URL. Set hearth.escalation.baseUrl to the endpoint's base URL, e.g. https://api.openai.com/v1.`,
		};
	}
	if (url.username || url.password) {
		return {
			problem: 'hearth.escalation.baseUrl contains a user name or password; put the key in “Hearth: Set Frontier API Key…” instead.',
		};
	}
	return { origin: url.origin };
}
