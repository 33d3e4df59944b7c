import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../../shared/settings.js';

export interface EscalationSettings {
	baseUrl: string;
	model: string;
	organization: string;
	skipPreview: boolean;
	redactSecrets: boolean;
	exclude: string[];
	maxInputTokens: number;
	maxOutputTokens: number;
	timeoutSeconds: number;
	/** The whole escalation, retries included, however steadily the endpoint sends. */
	totalTimeoutSeconds: number;
	price?: { inputPerMillion: number; outputPerMillion: number };
	/** Escalation settings a workspace or folder tried to set, which were ignored (for the log). */
	ignoredWorkspaceValues: string[];
}

/**
 * The escalation settings, read from the user's (machine's) settings only. VS Code already ignores
 * workspace values of machine-scoped settings; reading `globalValue` says so in code as well, so that
 * no workspace `settings.json` can redirect code to another server, turn the preview or redaction
 * off, or drop an exclusion, even if a scope in package.json were ever changed by mistake.
 */
export function readEscalationSettings(): EscalationSettings {
	const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
	const ignoredWorkspaceValues: string[] = [];
	const machine = <T>(key: string, fallback: T): T => {
		const inspected = configuration.inspect<T>(`escalation.${key}`);
		if (inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined) {
			ignoredWorkspaceValues.push(`${SETTINGS_SECTION}.escalation.${key}`);
		}
		return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
	};
	const price = machine<{ input?: unknown; output?: unknown }>('pricePerMillionTokens', {});
	const exclude = machine<unknown>('exclude', []);
	return {
		baseUrl: machine('baseUrl', 'https://api.openai.com/v1').trim(),
		model: machine('model', 'gpt-4.1').trim(),
		organization: machine('organization', '').trim(),
		skipPreview: machine<unknown>('skipPreview', false) === true,
		redactSecrets: machine<unknown>('redactSecrets', true) !== false,
		exclude: Array.isArray(exclude) ? exclude.filter((glob): glob is string => typeof glob === 'string') : [],
		maxInputTokens: positiveInteger(machine('maxInputTokens', 32_000), 32_000),
		maxOutputTokens: positiveInteger(machine('maxOutputTokens', 4096), 4096),
		timeoutSeconds: positiveInteger(machine('timeoutSeconds', 60), 60),
		totalTimeoutSeconds: positiveInteger(machine('totalTimeoutSeconds', 600), 600),
		price:
			typeof price.input === 'number' && typeof price.output === 'number' && price.input >= 0 && price.output >= 0
				? { inputPerMillion: price.input, outputPerMillion: price.output }
				: undefined,
		ignoredWorkspaceValues,
	};
}

function positiveInteger(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
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
