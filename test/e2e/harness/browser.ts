// Debian's chromium under playwright-core. Playwright must never download a browser
// (no network here), so the executable is always given explicitly.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { HarnessError } from './errors.js';
import { CHROMIUM } from './paths.js';

export const CHROMIUM_ARGS: readonly string[] = [
	// Running as root in a container: the sandbox cannot start.
	'--no-sandbox',
	'--disable-gpu',
	// Without these chromium keeps dialling Google's hosts, and the closed network refuses them.
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];

export interface LaunchOptions {
	/** Default CHROMIUM (/usr/bin/chromium or HEARTH_E2E_CHROMIUM). */
	executablePath?: string;
	/** Default true; HEARTH_E2E_HEADED=1 also turns it off (needs a display, e.g. Xvfb). */
	headless?: boolean;
	timeoutMs?: number;
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
	const executablePath = opts.executablePath ?? CHROMIUM;
	try {
		accessSync(executablePath, constants.X_OK);
	} catch {
		throw new HarnessError(
			`chromium cannot start: ${executablePath} is missing or not executable (run bash test/e2e/setup/installCodeServer.sh, or set HEARTH_E2E_CHROMIUM)`,
		);
	}
	const headless = opts.headless ?? process.env.HEARTH_E2E_HEADED !== '1';
	try {
		return await chromium.launch({
			executablePath,
			headless,
			args: [...CHROMIUM_ARGS],
			timeout: opts.timeoutMs ?? 60_000,
		});
	} catch (err) {
		throw new HarnessError(`chromium cannot start (${executablePath}): ${(err as Error).message}`);
	}
}
