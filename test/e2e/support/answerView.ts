// The Hearth answer view (a webview beside the editor) as a person sees it: the text of the answer
// shown, and its buttons (Back, Forward, Stop, Escalate…). Webviews render in frames of their own;
// the view is the frame whose page holds the expected text.
import type { Frame } from 'playwright-core';
import type { Workbench } from '../harness/index.js';

const BODY_TEXT = 'document.body ? document.body.innerText : ""';
const ANSWER_TEXT = 'document.getElementById("answer") ? document.getElementById("answer").innerText : ""';

/** The frame of the answer view while it shows `marker`, if it does. */
async function answerFrame(wb: Workbench, marker: string): Promise<Frame | undefined> {
	for (const frame of wb.page.frames().filter((f) => f !== wb.page.mainFrame())) {
		const text = String(await frame.evaluate(ANSWER_TEXT).catch(() => ''));
		if (text.includes(marker)) return frame;
	}
	return undefined;
}

/** The answer the view shows (without its toolbar) when it contains `marker`; '' when it does not. */
export async function answerText(wb: Workbench, marker: string): Promise<string> {
	const frame = await answerFrame(wb, marker);
	return frame ? String(await frame.evaluate(ANSWER_TEXT)).trim() : '';
}

/** The view's toolbar and answer together, e.g. to see which buttons it offers. */
export async function answerViewText(wb: Workbench, marker: string): Promise<string> {
	const frame = await answerFrame(wb, marker);
	return frame ? String(await frame.evaluate(BODY_TEXT)).trim() : '';
}

/** Clicks the toolbar button labelled `label` (Back, Forward, Stop, Escalate…) of the view showing `marker`. */
export async function clickAnswerButton(wb: Workbench, marker: string, label: string | RegExp): Promise<void> {
	const frame = await answerFrame(wb, marker);
	if (!frame) throw new Error(`the answer view does not show ${JSON.stringify(marker)}`);
	await frame.locator('nav button', { hasText: label }).first().click({ timeout: 10_000 });
}

/**
 * Waits for a Hearth message matching `match` wherever Hearth puts it: a notification, or, while
 * another Hearth notification is still open (at most one is), the status bar notice. Returns its text.
 */
export async function waitForHearthMessage(wb: Workbench, match: RegExp, timeoutMs = 15_000): Promise<string> {
	let found = '';
	let seen: string[] = [];
	await wb.waitFor(
		async () => {
			const notice = (await wb.statusBarItems())
				.filter((item) => item.id.endsWith('hearth.notice'))
				.map((item) => item.ariaLabel || item.text);
			seen = [...(await wb.notifications()), ...notice];
			found = seen.find((text) => match.test(text)) ?? '';
			return found !== '';
		},
		timeoutMs,
		() => `no Hearth message matching ${String(match)}; shown: ${JSON.stringify(seen)}`,
	);
	return found;
}
