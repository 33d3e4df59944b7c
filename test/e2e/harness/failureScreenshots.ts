// One hook for every e2e suite: what was on screen when a step failed.
import type { Session } from './session.js';

/** Call inside a `describe`: after each failed test, saves a screenshot named after it. */
export function screenshotFailures(session: () => Session | undefined): void {
	afterEach(async function () {
		const current = session();
		if (this.currentTest?.state === 'failed' && current) {
			await current.workbench.screenshot(`FAILED-${this.currentTest.title}`).catch(() => undefined);
		}
	});
}
