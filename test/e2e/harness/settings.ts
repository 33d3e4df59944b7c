// User settings for the throwaway test profile: a quiet, deterministic VS Code where
// nothing covers the editor and nothing competes with inline suggestions.
export const TEST_USER_SETTINGS: Readonly<Record<string, unknown>> = {
	// The trust dialog would cover the editor.
	'security.workspace.trust.enabled': false,
	// TypeScript's suggest widget hides inline suggestions (ghost text).
	'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
	'editor.suggestOnTriggerCharacters': false,
	'editor.inlineSuggest.enabled': true,
	// Nothing may reach for the network: this machine has none.
	'telemetry.telemetryLevel': 'off',
	'update.mode': 'none',
	'update.showReleaseNotes': false,
	'extensions.autoCheckUpdates': false,
	'extensions.autoUpdate': false,
	'extensions.ignoreRecommendations': true,
	'workbench.enableExperiments': false,
	'typescript.disableAutomaticTypeAcquisition': true,
	'typescript.surveys.enabled': false,
	'npm.autoDetect': 'off',
	// No welcome page, tips or walkthroughs on top of the editor.
	'workbench.startupEditor': 'none',
	'workbench.tips.enabled': false,
	'workbench.welcomePage.walkthroughs.openOnInstall': false,
	'chat.commandCenter.enabled': false,
	// Less work for 2 cores, steadier screenshots, no prompts on close.
	'git.enabled': false,
	'editor.minimap.enabled': false,
	'editor.accessibilitySupport': 'off',
	'workbench.editor.enablePreview': false,
	'files.autoSave': 'off',
	'window.confirmBeforeClose': 'never',
};

export function userSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { ...TEST_USER_SETTINGS, ...extra };
}

// The machine's settings ("Remote" in code-server), where machine-scoped settings take effect for
// extensions: `workbench.welcomePage.walkthroughs.openOnInstall` is one, so an extension reading it
// (Hearth opens its walkthrough on the first run unless it is off) sees this value, not the user's.
export const TEST_MACHINE_SETTINGS: Readonly<Record<string, unknown>> = {
	'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

export function machineSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { ...TEST_MACHINE_SETTINGS, ...extra };
}
