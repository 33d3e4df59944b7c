// What the end-to-end suite knows about the Hearth extension itself: its manifest, its status
// bar item, its language-server process and its log. Everything else goes through the
// generic harness (../harness), which knows nothing about Hearth.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shortModelName, STATUS_STATES } from '../../../src/extension/statusText.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../../src/shared/bundledModel.js';
import { artifactPath } from '../harness/artifacts.js';
import type { CodeServer } from '../harness/codeServer.js';
import { HarnessError } from '../harness/errors.js';
import { REPO_ROOT } from '../harness/paths.js';
import { extensionProcesses } from '../harness/processes.js';
import type { Workbench } from '../harness/workbench.js';

export interface ManifestCommand {
	command: string;
	title: string;
	category?: string;
}

export interface Manifest {
	name: string;
	publisher: string;
	version: string;
	contributes: {
		commands?: ManifestCommand[];
		menus?: Record<string, Array<{ command: string; when?: string; group?: string }>>;
	};
}

/** The repository's package.json: what the VSIX under test declares. */
export function readManifest(): Manifest {
	return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;
}

const manifest = readManifest();

export const HEARTH = {
	extensionId: `${manifest.publisher}.${manifest.name}`,
	/** The status bar item's element id: `${publisher}.${name}.${item id}` (src/extension/statusBar.ts). */
	statusItemId: `${manifest.publisher}.${manifest.name}.hearth.status`,
	/** The language server's entry inside the installed extension. */
	serverEntry: 'dist/server.mjs',
	/** Where the bundled default model lies inside the installed extension. */
	bundledModel: BUNDLED_MODEL_RELATIVE_PATH,
	/** The words the status bar item ends with, after " · " (the first word of "loading 40 %", "unloaded (idle)"). */
	states: STATUS_STATES,
} as const;

export type HearthState = (typeof HEARTH.states)[number];

/** The model name as the status bar item shows it (src/extension/statusText.ts). */
export { shortModelName };

export interface HearthStatus {
	/** Raw text, e.g. "Starter gpu-base · ready" (the icon is a glyph, not text). */
	text: string;
	model: string;
	state: string;
	/** The item's aria-label, which VS Code builds from the text and the tooltip. */
	ariaLabel: string;
}

/** The Hearth status bar item now, undefined when it is not on screen. */
export async function hearthStatus(wb: Workbench): Promise<HearthStatus | undefined> {
	const item = await wb.statusBarItem(HEARTH.statusItemId);
	if (!item) return undefined;
	const cut = item.text.lastIndexOf(' · ');
	return {
		text: item.text,
		model: cut < 0 ? item.text : item.text.slice(0, cut),
		// The first word: "loading 40 %" is the loading state with its progress.
		state: cut < 0 ? '' : item.text.slice(cut + 3).split(' ')[0]!,
		ariaLabel: item.ariaLabel,
	};
}

/**
 * Opens the status item's menu, then its Details (a second quick pick in the same place, so the widget
 * never closes in between), waits until the rows satisfy `ready`, takes the screenshot and closes it.
 * Returns the rows' labels.
 */
export async function statusDetails(
	wb: Workbench,
	ready: (rows: string[]) => boolean,
	what: string,
	screenshot: string,
): Promise<string[]> {
	await wb.clickStatusBarItem(HEARTH.statusItemId, { expectQuickPick: true });
	await wb.typeText('Details', 5);
	await wb.waitFor(async () => (await wb.quickPickRows()).some((row) => /Details/.test(row.label)), 10_000, 'no Details row');
	await wb.press('Enter');
	let details: string[] = [];
	await wb.waitFor(
		async () => ready((details = (await wb.quickPickRows()).map((row) => row.label))),
		10_000,
		() => `the details show no ${what}: ${JSON.stringify(details)}`,
	);
	await wb.screenshot(screenshot);
	await wb.press('Escape');
	return details;
}

/** Waits until the status bar item shows `state` (and satisfies `also`, when given). */
export async function waitForHearthState(
	wb: Workbench,
	state: HearthState,
	timeoutMs: number,
	also?: (s: HearthStatus) => boolean,
): Promise<HearthStatus> {
	let last: HearthStatus | undefined;
	await wb.waitFor(
		async () => {
			last = await hearthStatus(wb);
			return last?.state === state && (also ? also(last) : true);
		},
		timeoutMs,
		() => `the Hearth status bar item did not show "${state}" within ${timeoutMs} ms; last: ${JSON.stringify(last ?? '(not shown)')}`,
	);
	return last as HearthStatus;
}

export interface GhostTextOptions {
	/** Give up (and fail) after this long. Default 90 s: a 2-core machine shared with other jobs. */
	timeoutMs?: number;
	/** The ghost text must read the same for this long. Default 500 ms. */
	stableMs?: number;
	/**
	 * Return '' instead of failing once no completion has run and no ghost text has shown for
	 * this long (the model's answer was empty after post-processing). Default: never.
	 */
	noneAfterIdleMs?: number;
}

/**
 * Waits for ghost text the model produced for the cursor's current context and returns it:
 * non-empty, no completion running (status not "busy"), and unchanged for `stableMs`. While
 * keys are typed VS Code may briefly show a suggestion answered for an earlier keystroke
 * that still fits; the one that stays is the answer for the final text.
 */
export async function settledGhostText(wb: Workbench, opts: GhostTextOptions = {}): Promise<string> {
	const timeoutMs = opts.timeoutMs ?? 90_000;
	const stableMs = opts.stableMs ?? 500;
	let last = '';
	let since = Date.now();
	let idleSince = Date.now();
	let state = '';
	let none = false;
	await wb.waitFor(
		async () => {
			const ghost = await wb.ghostText();
			state = (await hearthStatus(wb))?.state ?? '(no status item)';
			if (state === 'busy' || ghost !== '') idleSince = Date.now();
			if (ghost !== last) {
				last = ghost;
				since = Date.now();
				return false;
			}
			if (ghost === '' && opts.noneAfterIdleMs !== undefined && Date.now() - idleSince >= opts.noneAfterIdleMs) {
				none = true;
				return true;
			}
			return ghost !== '' && state !== 'busy' && Date.now() - since >= stableMs;
		},
		timeoutMs,
		() => `no settled ghost text within ${timeoutMs} ms (last seen: ${JSON.stringify(last)}, Hearth state: ${state})`,
	);
	return none ? '' : last;
}

/** PIDs of Hearth language servers started from this code-server's extensions folder. */
export function languageServerPids(server: CodeServer): number[] {
	return extensionProcesses(server.extensionsDir, HEARTH.serverEntry).map((p) => p.pid);
}

/** The one Hearth language server of this code-server; fails when there is none or several. */
export function theLanguageServerPid(server: CodeServer): number {
	const pids = languageServerPids(server);
	if (pids.length !== 1)
		throw new HarnessError(
			`expected one Hearth language server under ${server.extensionsDir}, found ${pids.length}: ${pids.join(', ')}`,
		);
	return pids[0] as number;
}

/**
 * Copies the extension's log ("Output → Hearth": the client's and the server's messages) from
 * the test profile into the run's artifacts folder, before the profile is deleted.
 */
export function collectHearthLog(server: CodeServer, label = 'hearth'): string | undefined {
	const logs = join(server.userDataDir, 'logs');
	if (!existsSync(logs)) return undefined;
	let copied: string | undefined;
	for (const session of readdirSync(logs).sort()) {
		for (const host of readdirSync(join(logs, session), { withFileTypes: true })) {
			if (!host.isDirectory() || !host.name.startsWith('exthost')) continue;
			const file = join(logs, session, host.name, HEARTH.extensionId, 'Hearth.log');
			if (!existsSync(file)) continue;
			copied = artifactPath(`${label}-${session}-${host.name}.log`);
			copyFileSync(file, copied);
		}
	}
	return copied;
}
