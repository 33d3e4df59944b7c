// What a test does with the VS Code workbench, as a person would: keyboard and mouse
// through chromium, reading back only what is on screen (DOM) or on the clipboard.
// Selectors are for VS Code 1.100 (code-server 4.100.3); they live here and nowhere else.
import { appendFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { artifactPath, screenshotPath } from './artifacts.js';
import type { CodeServer } from './codeServer.js';
import { HarnessError, tailOfFile } from './errors.js';

// Callbacks given to page.evaluate run in the browser, but the project compiles without
// lib "dom"; the two browser shapes they use are declared here, for this module only.
declare const navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
interface Rendered {
	innerText: string;
	style: { top: string };
}

const SEL = {
	workbench: '.monaco-workbench',
	statusbar: '.part.statusbar',
	activitybar: '.part.activitybar',
	explorer: '.explorer-folders-view',
	statusItem: '.part.statusbar .statusbar-item',
	cursorStatus: '[id="status.editor.selection"]',
	quickInput: '.quick-input-widget',
	quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
	activeEditor: '.part.editor .editor-group-container.active .editor-instance .monaco-editor',
	menu: '.context-view .monaco-menu',
	toast: '.notifications-toasts .notification-list-item-message',
	/** The workbench's hover, used by status bar tooltips. */
	hover: '.monaco-hover.workbench-hover',
} as const;

export interface StatusBarItem {
	/** VS Code's element id; for an extension's item: `${publisher}.${name}.${itemId}`. */
	id: string;
	/** Visible text; codicons ($(check)) render as glyphs and are not in it. */
	text: string;
	ariaLabel: string;
}

export interface MenuEntry {
	label: string;
	keybinding: string;
	enabled: boolean;
}

export interface WorkbenchOptions {
	viewport?: { width: number; height: number };
	/** Default delay between keystrokes of typeText, ms. */
	typingDelayMs?: number;
	readyTimeoutMs?: number;
}

/** VS Code renders spaces in the editor as non-breaking spaces. */
function plain(text: string | null | undefined): string {
	return (text ?? '').replace(/\u00a0/g, ' ');
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}

let serial = 0;

export class Workbench {
	/** Milliseconds from navigation to a usable workbench. */
	readyMs = 0;

	private constructor(
		readonly page: Page,
		readonly context: BrowserContext,
		readonly server: CodeServer,
		readonly browserLog: string,
		private readonly typingDelayMs: number,
	) {}

	/** Opens the workbench of `server` in a new browser context and waits until it is usable. */
	static async open(browser: Browser, server: CodeServer, opts: WorkbenchOptions = {}): Promise<Workbench> {
		serial += 1;
		const browserLog = artifactPath(`browser-${serial}.log`);
		const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
		// documentText() goes through the clipboard.
		await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
		const page = await context.newPage();
		const log = (line: string): void => appendFileSync(browserLog, `${new Date().toISOString()} ${line}\n`);
		page.on('console', (m) => log(`console.${m.type()}: ${m.text()}`));
		page.on('pageerror', (e) => log(`pageerror: ${e.message}`));
		page.on('crash', () => log('page crashed'));
		const wb = new Workbench(page, context, server, browserLog, opts.typingDelayMs ?? 40);
		await wb.waitReady(opts.readyTimeoutMs ?? 90_000);
		return wb;
	}

	private async waitReady(timeoutMs: number): Promise<void> {
		const started = Date.now();
		try {
			await this.page.goto(this.server.workbenchUrl, { timeout: timeoutMs });
			const left = (): number => Math.max(1000, timeoutMs - (Date.now() - started));
			await this.page.locator(SEL.workbench).waitFor({ state: 'attached', timeout: left() });
			await this.page.locator(SEL.statusbar).waitFor({ state: 'visible', timeout: left() });
			await this.page.locator(SEL.activitybar).waitFor({ state: 'visible', timeout: left() });
			await this.page.locator(SEL.explorer).waitFor({ state: 'visible', timeout: left() });
		} catch (err) {
			let seen = '';
			try {
				seen = `page title "${await this.page.title()}", body: ${(await this.page.locator('body').innerText({ timeout: 2000 })).slice(0, 400)}`;
			} catch {
				seen = 'page unreadable';
			}
			const shot = await this.screenshot('workbench-not-ready').catch(() => '(no screenshot)');
			throw new HarnessError(
				`workbench never became ready at ${this.server.workbenchUrl}: ${(err as Error).message.split('\n')[0]}\n` +
					`${seen}\nscreenshot: ${shot}\ncode-server ${this.server.exited() ? 'HAS EXITED' : 'is running'}\n` +
					`--- last lines of ${this.server.logFile} ---\n${tailOfFile(this.server.logFile)}\n` +
					`--- last lines of ${this.browserLog} ---\n${tailOfFile(this.browserLog, 20)}\n---`,
			);
		}
		this.readyMs = Date.now() - started;
	}

	async close(): Promise<void> {
		await this.context.close().catch(() => undefined);
	}

	// ---- screenshots -------------------------------------------------------------------

	/** Saves the whole window as screenshots/NN-step.png in the run's folder; returns the path. */
	async screenshot(step: string): Promise<string> {
		const path = screenshotPath(step);
		await this.page.screenshot({ path });
		return path;
	}

	// ---- keyboard ----------------------------------------------------------------------

	/** Types like a person: one key at a time with a small delay (newlines press Enter). */
	async typeText(text: string, delayMs = this.typingDelayMs): Promise<void> {
		await this.page.keyboard.type(text, { delay: delayMs });
	}

	/** Presses a key or chord, Playwright names: 'Tab', 'Escape', 'Control+S'. */
	async press(key: string): Promise<void> {
		await this.page.keyboard.press(key);
	}

	// ---- editor ------------------------------------------------------------------------

	activeEditor(): Locator {
		return this.page.locator(SEL.activeEditor).first();
	}

	/** Opens a workspace file by its path relative to the workspace, through Quick Open (Ctrl+P). */
	async openFile(relPath: string, timeoutMs = 20_000): Promise<void> {
		const base = relPath.split('/').pop() ?? relPath;
		await this.openQuickInput('Control+P');
		await this.typeText(relPath, 10);
		const dir = relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '';
		// A result shows the file name as label and its folder as description; prefer the exact folder.
		const pick = (rows: Array<{ label: string; description: string }>): number => {
			const named = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.label === base);
			return (named.find(({ r }) => r.description.replace(/\\/g, '/') === dir) ?? named[0])?.i ?? -1;
		};
		await this.clickRow(pick, timeoutMs, `Quick Open has no result for "${relPath}"`);
		// Ready when the active tab names the file and its editor has focus.
		await this.waitForActiveEditor(base, timeoutMs);
	}

	/** Waits until the active editor tab is the one named `name` (e.g. "settings.json") and its editor has focus. */
	async waitForActiveEditor(name: string, timeoutMs = 20_000): Promise<void> {
		await this.waitForEditorFocus(timeoutMs, name);
	}

	/**
	 * Waits until the active group's text editor (the one whose tab is named `name`, when given)
	 * has the keyboard focus.
	 *
	 * A webview (the Hearth answer view) that had the focus, after a click in it, can take it back
	 * just after another editor got it: VS Code hands the focus to a webview's frame
	 * asynchronously, so a frame focused on the way (its group active for a moment, as when an
	 * editor opened over it closes) may win over the editor opened next, and make its own group
	 * the active one. When the focus sits in a frame, this clicks the tab of the editor wanted
	 * (`name`, else the active group's), as a person would to get back to the code: that focuses
	 * the editor without moving its cursor. Any other owner of the focus is waited out, and named
	 * on timeout.
	 */
	async waitForEditorFocus(timeoutMs = 20_000, name?: string): Promise<void> {
		const activeTab = this.page
			.locator('.part.editor .editor-group-container.active .tab.active', name ? { hasText: name } : {})
			.first();
		const focused = this.page.locator(`${SEL.activeEditor}.focused`).first();
		const tab = name ? this.page.locator('.part.editor .tab.active', { hasText: name }).first() : activeTab;
		const deadline = Date.now() + timeoutMs;
		let owner = '';
		for (;;) {
			if ((await activeTab.isVisible()) && (await focused.isVisible())) return;
			owner = await this.focusOwner();
			if (owner.startsWith('IFRAME')) {
				appendFileSync(
					this.browserLog,
					`[harness] the focus was in a frame (${owner}); clicking the tab of ${name ?? 'the active group'}\n`,
				);
				await tab.click({ timeout: 2000 }).catch(() => undefined);
			}
			if (Date.now() > deadline) break;
			await sleep(100);
		}
		const shot = await this.screenshot('editor-not-focused').catch(() => '(no screenshot)');
		const tabs = await this.page
			.locator('.part.editor .editor-group-container')
			.evaluateAll((groups) =>
				groups.map((g) => {
					const group = g as unknown as { className: string; querySelector(s: string): { innerText: string } | null };
					return `${group.className.includes(' active') ? 'active ' : ''}"${group.querySelector('.tab.active')?.innerText.trim() ?? ''}"`;
				}),
			)
			.then((groups) => groups.join(', '))
			.catch(() => '?');
		throw new HarnessError(
			`the active editor never got the keyboard focus within ${timeoutMs} ms; it was on ${owner} (groups' tabs: ${tabs}; screenshot: ${shot})`,
		);
	}

	/** What has the keyboard focus in the page: tag, class and label of document.activeElement. */
	private async focusOwner(): Promise<string> {
		return this.page
			.evaluate(
				`(() => { const e = document.activeElement; return e ? [e.tagName, e.className, e.getAttribute('aria-label') || e.getAttribute('title') || ''].join(' | ') : 'nothing'; })()`,
			)
			.then(String)
			.catch((err: Error) => `unreadable (${err.message.split('\n')[0]})`);
	}

	/**
	 * Cursor position from the status bar ("Ln 3, Col 7"), 1-based. The status bar follows
	 * the cursor about 100 ms late, so read until two readings 150 ms apart agree.
	 */
	async cursorPosition(): Promise<{ line: number; column: number }> {
		const read = async (): Promise<string> => {
			const text = await this.page.locator(SEL.cursorStatus).innerText({ timeout: 10_000 });
			if (!/Ln \d+, Col \d+/.test(text)) throw new HarnessError(`cannot read the cursor position from the status bar: "${text}"`);
			return text;
		};
		let text = await read();
		for (let i = 0; i < 15; i++) {
			await sleep(150);
			const again = await read();
			if (again === text) break;
			text = again;
		}
		const m = /Ln (\d+), Col (\d+)/.exec(text) as RegExpExecArray;
		return { line: Number(m[1]), column: Number(m[2]) };
	}

	/** Moves the cursor with Go to Line (Ctrl+G), 1-based, and waits until the status bar agrees. */
	async gotoLine(line: number, column = 1): Promise<void> {
		await this.openQuickInput('Control+G');
		await this.typeText(`${line}:${column}`, 10);
		await this.press('Enter');
		await this.page.locator(SEL.quickInput).waitFor({ state: 'hidden', timeout: 10_000 });
		await this.waitFor(
			async () => {
				const p = await this.cursorPosition();
				return p.line === line && p.column === column;
			},
			10_000,
			`cursor did not reach ${line}:${column}`,
		);
	}

	/** Puts the cursor at the end of a line (1-based). */
	async cursorToEndOfLine(line: number): Promise<void> {
		await this.gotoLine(line, 1);
		await this.press('End');
		// Let the move reach the status bar and the rendered cursor before anyone reads them.
		await this.cursorPosition();
	}

	/**
	 * The whole document of the active editor, exactly, via the clipboard: select all, copy,
	 * read, then Cursor Undo (Ctrl+U) to put the cursor back. Dismisses any ghost text.
	 */
	async documentText(): Promise<string> {
		await this.activeEditor().waitFor({ state: 'visible', timeout: 10_000 });
		const before = await this.cursorPosition();
		const sentinel = `\u0000hearth-e2e-${Date.now()}`;
		await this.page.evaluate((s) => navigator.clipboard.writeText(s), sentinel);
		await this.press('Control+A');
		await this.press('Control+C');
		let text = sentinel;
		for (let i = 0; i < 20 && text === sentinel; i++) {
			await sleep(50);
			text = await this.page.evaluate(() => navigator.clipboard.readText());
		}
		await this.press('Control+U');
		if (text === sentinel)
			throw new HarnessError('documentText: copying the editor contents did not reach the clipboard (is an editor focused?)');
		const back = async (): Promise<boolean> => {
			const p = await this.cursorPosition();
			return p.line === before.line && p.column === before.column;
		};
		if (!(await back())) await this.gotoLine(before.line, before.column);
		return text;
	}

	/**
	 * The lines the editor shows now, in order, without ghost text. Only what is rendered:
	 * fine for short files, use documentText() for the exact document.
	 */
	async visibleText(): Promise<string> {
		const lines = await this.activeEditor()
			.locator('.view-lines .view-line')
			.evaluateAll((els) =>
				els
					.map((el) => {
						const copy = el.cloneNode(true) as typeof el;
						for (const g of copy.querySelectorAll('.ghost-text-decoration, .ghost-text-decoration-preview')) g.remove();
						return { top: parseFloat((el as unknown as Rendered).style.top || '0'), text: copy.textContent ?? '' };
					})
					.sort((a, b) => a.top - b.top)
					.map((l) => l.text),
			);
		return plain(lines.join('\n'));
	}

	// ---- ghost text (inline suggestions) -------------------------------------------------

	/** Ghost text shown in the active editor now, '' when none. Multi-line ghost text joins with '\n'. */
	async ghostText(): Promise<string> {
		const text = await this.activeEditor().evaluate((root) => {
			const inline = [...root.querySelectorAll('.view-lines .ghost-text-decoration, .view-lines .ghost-text-decoration-preview')]
				.map((e) => e.textContent ?? '')
				.join('');
			// Further lines of a multi-line suggestion sit below in a view zone
			// (.view-zones .suggest-preview-text .view-line), their tokens classed .ghost-text.
			const more = [...root.querySelectorAll('.view-zones .view-line')]
				.filter((line) => line.querySelector('.ghost-text') !== null)
				.map((line) => line.textContent ?? '');
			return more.length ? [inline, ...more].join('\n') : inline;
		});
		return plain(text);
	}

	/**
	 * Waits until ghost text shows (optionally containing `expected`) and returns it. The
	 * lines of a multi-line suggestion render in separate passes, so the text must read the
	 * same twice, 100 ms apart.
	 */
	async waitForGhostText(expected?: string | RegExp, timeoutMs = 60_000): Promise<string> {
		let last = '';
		await this.waitFor(
			async () => {
				last = await this.ghostText();
				if (!last) return false;
				if (expected !== undefined && !(typeof expected === 'string' ? last.includes(expected) : expected.test(last))) return false;
				await sleep(100);
				return (await this.ghostText()) === last;
			},
			timeoutMs,
			() => `no ghost text${expected ? ` matching ${String(expected)}` : ''} within ${timeoutMs} ms (last seen: "${last}")`,
		);
		return last;
	}

	async waitForNoGhostText(timeoutMs = 10_000): Promise<void> {
		await this.waitFor(async () => (await this.ghostText()) === '', timeoutMs, 'ghost text did not go away');
	}

	/** Tab: accepts the shown inline suggestion. */
	async acceptGhostText(): Promise<void> {
		await this.waitForGhostText();
		const before = await this.cursorPosition();
		await this.press('Tab');
		// Not "until no ghost text": with prefetch the next suggestion may show the moment this one is
		// accepted. The cursor moving past the inserted text is what says it was accepted.
		await this.waitFor(
			async () => {
				const now = await this.cursorPosition();
				return now.line !== before.line || now.column !== before.column;
			},
			10_000,
			'Tab did not accept the ghost text (the cursor did not move)',
		);
	}

	/**
	 * Asks for an inline suggestion at the cursor without typing, through the command palette
	 * ("Trigger Inline Suggestion"; its Alt+\ shortcut does not reach the editor here).
	 */
	async triggerInlineSuggestion(): Promise<void> {
		await this.runCommand('Trigger Inline Suggestion');
		await this.waitForEditorFocus(10_000);
	}

	/** Escape: dismisses the shown inline suggestion. */
	async dismissGhostText(): Promise<void> {
		await this.press('Escape');
		await this.waitForNoGhostText();
	}

	// ---- context menu ------------------------------------------------------------------

	/**
	 * Right-clicks in the active editor (at the cursor, at the end of `line`, or with
	 * onSelection in the middle of the selected text, which keeps the selection) and returns
	 * the menu's entries without separators. The menu is closed again unless keepOpen.
	 */
	async editorContextMenu(opts: { line?: number; keepOpen?: boolean; onSelection?: boolean } = {}): Promise<MenuEntry[]> {
		if (opts.line !== undefined) await this.cursorToEndOfLine(opts.line);
		else await this.cursorPosition(); // settles a cursor that just moved
		let box: { x: number; y: number; width: number; height: number } | null;
		if (opts.onSelection) {
			// A right-click outside the selection would move the cursor there and drop it. The
			// selection is drawn as one or more pieces per line; the widest is safely inside it.
			const pieces = this.activeEditor().locator('.view-overlays .selected-text');
			await pieces
				.first()
				.waitFor({ state: 'visible', timeout: 5000 })
				.catch(() => undefined);
			box = null;
			for (const piece of await pieces.all()) {
				const b = await piece.boundingBox();
				if (b && b.height > 0 && (!box || b.width > box.width)) box = b;
			}
			if (!box) throw new HarnessError('editorContextMenu: nothing is selected in the active editor');
		} else {
			const cursor = this.activeEditor().locator('.cursors-layer .cursor').first();
			box = (await cursor.boundingBox()) ?? (await this.activeEditor().locator('.view-lines').boundingBox());
		}
		if (!box) throw new HarnessError('editorContextMenu: no editor on screen to right-click');
		await this.page.mouse.click(box.x + Math.max(1, box.width / 2), box.y + box.height / 2, { button: 'right' });
		const menu = this.page.locator(SEL.menu).first();
		await menu.waitFor({ state: 'visible', timeout: 10_000 });
		const entries = await menu.locator('.action-item').evaluateAll((items) =>
			items.map((item) => {
				const label = item.querySelector('.action-label');
				return {
					label: (label?.getAttribute('aria-label') || label?.textContent || '').trim(),
					keybinding: (item.querySelector('.keybinding')?.textContent ?? '').trim(),
					enabled: !item.classList.contains('disabled') && item.querySelector('[aria-disabled="true"]') === null,
				};
			}),
		);
		if (!opts.keepOpen) await this.closeMenu();
		return entries.filter((e) => e.label !== '');
	}

	/** Clicks an entry of the open context menu by its label. */
	async clickMenuEntry(label: string): Promise<void> {
		const entry = this.page.locator(`${SEL.menu} .action-item .action-label`, { hasText: label }).first();
		// A click that lands while the menu is still settling is sometimes ignored: retry until the menu closes.
		for (let attempt = 1; ; attempt++) {
			await entry.click({ timeout: 5_000 }).catch(() => undefined);
			const closed = await this.page
				.locator(SEL.menu)
				.first()
				.waitFor({ state: 'hidden', timeout: 2_000 })
				.then(
					() => true,
					() => false,
				);
			if (closed) return;
			if (attempt >= 3) throw new HarnessError(`the menu entry "${label}" did not respond to ${attempt} clicks`);
		}
	}

	async closeMenu(): Promise<void> {
		await this.press('Escape');
		await this.page.locator(SEL.menu).first().waitFor({ state: 'hidden', timeout: 5000 });
	}

	// ---- command palette ---------------------------------------------------------------

	/**
	 * Runs a command by its title as the palette shows it, e.g. "Hearth: Explain Selection". With
	 * `opensInput`, the command asks for input at once: the quick input stays on screen, emptied.
	 */
	async runCommand(title: string, timeoutMs = 15_000, opts: { opensInput?: boolean } = {}): Promise<void> {
		await this.openQuickInput('F1');
		await this.typeText(title, 10);
		await this.clickRow(
			(rows) => rows.findIndex((r) => r.label === title),
			timeoutMs,
			`the command palette has no command titled "${title}"`,
			opts.opensInput ? 'emptied' : 'hidden',
		);
	}

	/**
	 * Titles of commands the palette offers for `prefix` that start with it (case-insensitive),
	 * scrolling the list so none is missed. Closes the palette afterwards.
	 */
	async commandPaletteEntries(prefix: string, settleMs = 500): Promise<string[]> {
		await this.openQuickInput('F1');
		await this.typeText(prefix, 10);
		// The palette filters as one types; wait until the list stops changing.
		await this.settleQuickInputRows(settleMs / 4);
		const seen = new Map<number, string>();
		for (let i = 0; i < 50; i++) {
			const rows = await this.rows();
			for (const r of rows) seen.set(r.pos, r.label);
			const size = rows[0]?.size ?? 0;
			if (seen.size >= size) break;
			await this.press('PageDown');
			await sleep(100);
		}
		await this.press('Escape');
		const wanted = prefix.toLowerCase();
		return [...seen.entries()]
			.sort((a, b) => a[0] - b[0])
			.map(([, l]) => l)
			.filter((l) => l.toLowerCase().startsWith(wanted));
	}

	// ---- status bar and notifications ------------------------------------------------------

	async statusBarItems(): Promise<StatusBarItem[]> {
		const items = await this.page.locator(SEL.statusItem).evaluateAll((els) =>
			els.map((e) => ({
				id: e.id,
				text: (e as unknown as Rendered).innerText.trim(),
				ariaLabel: e.getAttribute('aria-label') ?? '',
			})),
		);
		return items.map((i) => ({ ...i, text: plain(i.text) }));
	}

	async statusBarTexts(): Promise<string[]> {
		return (await this.statusBarItems()).map((i) => i.text).filter((t) => t !== '');
	}

	/** The status bar item with this element id, or undefined when it is not shown. */
	async statusBarItem(id: string): Promise<StatusBarItem | undefined> {
		return (await this.statusBarItems()).find((i) => i.id === id);
	}

	/**
	 * Hovers the mouse over a status bar item and returns the text of the tooltip it shows
	 * (rendered, so Markdown escapes are gone). The mouse moves away again afterwards unless
	 * keepOpen, e.g. for a screenshot with the tooltip on it.
	 */
	async statusBarTooltip(id: string, opts: { keepOpen?: boolean; timeoutMs?: number } = {}): Promise<string> {
		const hover = this.page.locator(SEL.hover).first();
		await this.closeHover();
		await this.page.locator(`${SEL.statusbar} [id="${id}"]`).hover({ timeout: 10_000 });
		try {
			await hover.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? 10_000 });
		} catch {
			const shot = await this.screenshot('no-tooltip').catch(() => '(no screenshot)');
			throw new HarnessError(`no tooltip appeared over status bar item ${id} (screenshot: ${shot})`);
		}
		const text = plain(await hover.innerText());
		if (!opts.keepOpen) await this.closeHover();
		return text;
	}

	/** Clicks a status bar item (its command runs) and waits for a quick pick if it opens one. */
	async clickStatusBarItem(id: string, opts: { expectQuickPick?: boolean } = {}): Promise<void> {
		await this.closeHover();
		await this.page.locator(`${SEL.statusbar} [id="${id}"]`).click({ timeout: 10_000 });
		if (opts.expectQuickPick) await this.page.locator(SEL.quickInput).waitFor({ state: 'visible', timeout: 10_000 });
	}

	/** The rows of the open quick pick (labels with their icons' text removed), once they hold still. */
	async quickPickRows(): Promise<Array<{ label: string; description: string }>> {
		await this.settleQuickInputRows();
		return (await this.rows()).map(({ label, description }) => ({ label, description }));
	}

	/** Clicks the first quick pick row whose label matches, and waits for the quick pick to close. */
	async pickQuickPickRow(match: RegExp, timeoutMs = 15_000): Promise<void> {
		await this.clickRow((rows) => rows.findIndex((r) => match.test(r.label)), timeoutMs, `no quick pick row matching ${String(match)}`);
	}

	/** Moves the mouse to an empty spot of the editor area, so that a tooltip closes. */
	async closeHover(): Promise<void> {
		const hover = this.page.locator(SEL.hover).first();
		const area = await this.page.locator('.part.editor').boundingBox();
		await this.page.mouse.move(area ? area.x + area.width - 20 : 5, area ? area.y + area.height - 20 : 5);
		await hover.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
	}

	/** The status bar's selection entry, e.g. "Ln 6, Col 41 (40 selected)". */
	async selectionStatus(): Promise<string> {
		return plain(await this.page.locator(SEL.cursorStatus).innerText({ timeout: 10_000 })).trim();
	}

	/** Waits for a status bar item whose text (or id) matches, and returns it. */
	async waitForStatusBarItem(match: string | RegExp, timeoutMs = 30_000): Promise<StatusBarItem> {
		const hit = (i: StatusBarItem): boolean =>
			typeof match === 'string' ? i.text.includes(match) || i.id === match : match.test(i.text) || match.test(i.id);
		let found: StatusBarItem | undefined;
		let last: StatusBarItem[] = [];
		await this.waitFor(
			async () => {
				last = await this.statusBarItems();
				found = last.find(hit);
				return found !== undefined;
			},
			timeoutMs,
			() =>
				`no status bar item matching ${String(match)} within ${timeoutMs} ms; items: ${JSON.stringify(last.map((i) => i.text || i.id))}`,
		);
		return found as StatusBarItem;
	}

	/** Messages of the notification toasts on screen. */
	async notifications(): Promise<string[]> {
		return (await this.page.locator(SEL.toast).allInnerTexts()).map((t) => plain(t).trim());
	}

	/** Clicks a button of the notification toast whose message matches. */
	async clickNotificationButton(message: string | RegExp, button: string): Promise<void> {
		const toast = this.page.locator('.notifications-toasts .notification-list-item').filter({ hasText: message });
		await toast.first().locator('.monaco-button', { hasText: button }).first().click({ timeout: 10_000 });
	}

	/** The modal dialog on screen (message and detail), waiting for one up to `timeoutMs`. */
	async waitForDialog(match: string | RegExp, timeoutMs = 15_000): Promise<string> {
		let shown = '';
		await this.waitFor(
			async () => {
				shown = plain((await this.page.locator('.monaco-dialog-box').allInnerTexts()).join('\n')).trim();
				return typeof match === 'string' ? shown.includes(match) : match.test(shown);
			},
			timeoutMs,
			() => `no dialog matching ${String(match)}; shown: ${JSON.stringify(shown)}`,
		);
		return shown;
	}

	/** Clicks a button of the modal dialog and waits for the dialog to close. */
	async clickDialogButton(label: string): Promise<void> {
		const dialog = this.page.locator('.monaco-dialog-box');
		await dialog.locator('.dialog-buttons .monaco-button', { hasText: label }).first().click({ timeout: 10_000 });
		await dialog.waitFor({ state: 'detached', timeout: 10_000 });
	}

	/** The text of the Markdown preview (a webview) whose page contains `marker`; '' when none is shown. */
	async markdownPreviewText(marker: string): Promise<string> {
		// Webviews only: the workbench's own page names the preview in its tab label.
		for (const frame of this.page.frames().filter((f) => f !== this.page.mainFrame())) {
			const text = String(await frame.evaluate('document.body ? document.body.innerText : ""').catch(() => ''));
			if (text.includes(marker)) return text.trim();
		}
		return '';
	}

	/** Labels of the open editor tabs, in every group. */
	async tabLabels(): Promise<string[]> {
		return (await this.page.locator('.part.editor .tab .label-name').allInnerTexts()).map((t) => plain(t).trim());
	}

	async waitForNotification(match: string | RegExp, timeoutMs = 15_000): Promise<string> {
		let found = '';
		let last: string[] = [];
		await this.waitFor(
			async () => {
				last = await this.notifications();
				found = last.find((t) => (typeof match === 'string' ? t.includes(match) : match.test(t))) ?? '';
				return found !== '';
			},
			timeoutMs,
			() => `no notification matching ${String(match)}; shown: ${JSON.stringify(last)}`,
		);
		return found;
	}

	// ---- internals ---------------------------------------------------------------------

	private async openQuickInput(key: string): Promise<void> {
		const qi = this.page.locator(SEL.quickInput);
		if (await qi.isVisible()) {
			await this.press('Escape');
			await qi.waitFor({ state: 'hidden', timeout: 5000 });
		}
		await this.press(key);
		try {
			await qi.waitFor({ state: 'visible', timeout: 5_000 });
			return;
		} catch {
			// The key went where the workbench does not take it: a webview's frame held the focus (a
			// button clicked in the answer view), or nothing did after an editor closed. Give the
			// workbench the focus and press it again.
		}
		// A string: this project's TypeScript has no DOM types; it runs in the page.
		await this.page.evaluate("document.activeElement?.blur(); document.querySelector('.monaco-workbench')?.focus();");
		await this.press(key);
		await qi.waitFor({ state: 'visible', timeout: 10_000 });
	}

	private async rows(): Promise<Array<{ pos: number; size: number; label: string; aria: string; description: string }>> {
		const rows = await this.page.locator(SEL.quickInputRow).evaluateAll((els) =>
			els.map((e) => ({
				pos: Number(e.getAttribute('aria-posinset') ?? 0),
				size: Number(e.getAttribute('aria-setsize') ?? 0),
				label: e.querySelector('.label-name')?.textContent ?? '',
				aria: e.getAttribute('aria-label') ?? '',
				description: e.querySelector('.label-description')?.textContent ?? '',
			})),
		);
		return rows.map((r) => ({ ...r, label: plain(r.label).trim(), description: plain(r.description).trim() }));
	}

	/**
	 * Clicks the row `pick` finds and waits for the quick input to close. The list re-renders
	 * while results arrive (recently opened first, then file results), so a row found a moment
	 * ago may be gone: wait until the list holds still, and pick again if the click misses.
	 */
	private async clickRow(
		pick: (rows: Array<{ label: string; aria: string; description: string }>) => number,
		timeoutMs: number,
		failure: string,
		then: 'hidden' | 'emptied' = 'hidden',
	): Promise<void> {
		await this.waitForRow(pick, timeoutMs, failure);
		await this.settleQuickInputRows();
		for (let attempt = 1; ; attempt++) {
			const row = await this.waitForRow(pick, timeoutMs, failure);
			try {
				await row.click({ timeout: 3000 });
				break;
			} catch (err) {
				if (!(await this.page.locator(SEL.quickInput).isVisible())) break; // the click did land
				if (attempt >= 5) throw err;
			}
		}
		if (then === 'emptied') {
			const input = this.page.locator(`${SEL.quickInput} input`).first();
			await this.waitFor(
				async () => (await input.isVisible()) && (await input.inputValue()) === '',
				timeoutMs,
				'the command did not open its own input',
			);
			return;
		}
		await this.page.locator(SEL.quickInput).waitFor({ state: 'hidden', timeout: timeoutMs });
	}

	/** Waits until the quick input's rows read the same twice, `intervalMs` apart (at most 40 tries). */
	private async settleQuickInputRows(intervalMs = 150): Promise<void> {
		let previous = '';
		for (let i = 0; i < 40; i++) {
			await sleep(intervalMs);
			const now = JSON.stringify(await this.rows());
			if (now === previous) return;
			previous = now;
		}
	}

	/** Waits until `pick` finds a row (returns its index, or -1) and returns that row. */
	private async waitForRow(
		pick: (rows: Array<{ label: string; aria: string; description: string }>) => number,
		timeoutMs: number,
		failure: string,
	): Promise<Locator> {
		let index = -1;
		let last: Array<{ label: string }> = [];
		await this.waitFor(
			async () => {
				const rows = await this.rows();
				last = rows;
				index = pick(rows);
				return index >= 0;
			},
			timeoutMs,
			() => `${failure}; rows shown: ${JSON.stringify(last.map((r) => r.label))}`,
		);
		return this.page.locator(SEL.quickInputRow).nth(index);
	}

	/** Polls `check` until true; on timeout throws a HarnessError with `failure` and a screenshot. */
	async waitFor(check: () => Promise<boolean>, timeoutMs: number, failure: string | (() => string)): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			if (await check().catch(() => false)) return;
			if (Date.now() > deadline) {
				const shot = await this.screenshot('timeout').catch(() => '(no screenshot)');
				throw new HarnessError(`${typeof failure === 'string' ? failure : failure()} (screenshot: ${shot})`);
			}
			await sleep(100);
		}
	}
}
