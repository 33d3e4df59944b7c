// One call for a test's before() hook: code-server with a fresh profile, chromium, and the
// workbench open and ready; one close() for after(). Stops what it started if a later step fails.
import type { Browser } from 'playwright-core';
import { launchChromium, type LaunchOptions } from './browser.js';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer.js';
import { Workbench, type WorkbenchOptions } from './workbench.js';

export interface SessionOptions extends CodeServerOptions {
	browser?: LaunchOptions;
	workbench?: WorkbenchOptions;
}

export interface Session {
	server: CodeServer;
	browser: Browser;
	workbench: Workbench;
	/** Milliseconds: code-server spawn to HTTP answer, and navigation to a usable workbench. */
	timings: { codeServerStartMs: number; workbenchReadyMs: number };
	close(): Promise<void>;
}

export async function startSession(opts: SessionOptions): Promise<Session> {
	const server = await startCodeServer(opts);
	let browser: Browser | undefined;
	try {
		browser = await launchChromium(opts.browser);
		const workbench = await Workbench.open(browser, server, opts.workbench);
		const b = browser;
		return {
			server,
			browser: b,
			workbench,
			timings: { codeServerStartMs: server.startMs, workbenchReadyMs: workbench.readyMs },
			close: async () => {
				await workbench.close();
				await b.close().catch(() => undefined);
				await server.stop();
			},
		};
	} catch (err) {
		await browser?.close().catch(() => undefined);
		await server.stop();
		throw err;
	}
}
