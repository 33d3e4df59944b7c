import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CheckCommentOnlyRequest } from '../../shared/protocol.js';
import type { LocalResultEscalation } from '../actions/localResultEscalation.js';
import type { RewriteProposals } from '../actions/rewriteProposals.js';
import { selectionTarget, type SelectionTarget } from '../actions/selectionTarget.js';
import type { AnswerView } from '../answerView/answerView.js';
import type { Notifier } from '../notifications/notifier.js';
import { checkEscalationAllowed } from './escalationGate.js';
import { confirmWithPreview } from './escalationPreview.js';
import { readEscalationSettings, endpointOrigin, type EscalationSettings } from './escalationSettings.js';
import { AuditLog, type AuditEntry } from './frontier/auditLog.js';
import { estimateCost } from './frontier/costEstimate.js';
import type { EscalationTask } from './frontier/escalationTask.js';
import { extractRewrite } from './frontier/extractRewrite.js';
import { FrontierError, streamFrontierAnswer, type FrontierAnswer } from './frontier/frontierClient.js';
import { buildOutgoingRequest, type OutgoingRequest } from './frontier/outgoingRequest.js';
import { FrontierAnswerPanel } from './frontierAnswerPanel.js';
import type { FrontierKeys } from './frontierKeys.js';
import { messageOf } from '../../shared/errorMessage.js';

/** Set while a local answer can be escalated, for the palette entry. */
const HAS_LOCAL_ANSWER_CONTEXT_KEY = 'hearth.hasLocalAnswer';
/** Notices that last until fixed: a rejected or missing key, and any other failed request. */
const KEY_PROBLEM = 'frontier-key';
const REQUEST_PROBLEM = 'frontier-request';
/** Rough characters per token, to turn the token limit into a selection size before any work. */
const CHARS_PER_TOKEN_FOR_LIMIT = 3;

interface Escalation {
	task: EscalationTask;
	target: SelectionTarget;
}

/**
 * "Ask Frontier Model…" and "Escalate…": the only way code leaves the machine, and only on the
 * user's command. In order: the workspace must be trusted, the file not excluded, the request within
 * limits and a key set for the endpoint; then the exact request is previewed and confirmed; then it is
 * sent once, streamed into the Hearth answer view, and recorded in the local audit log however it ended. A frontier
 * rewrite goes to the same proposals (diff, Accept, Reject) as a local one. A failure that lasts until
 * the user fixes it (a rejected key) is a status bar notice, withdrawn once it is fixed.
 *
 * Made before the local actions, which it is given to (as their LocalResultEscalation).
 */
export class EscalationCommands implements LocalResultEscalation, vscode.Disposable {
	private running: AbortController | undefined;
	private lastLocal: Escalation | undefined;
	private readonly settingsWatch: vscode.Disposable;

	constructor(
		private readonly client: LanguageClient,
		private readonly answers: AnswerView,
		private readonly proposals: RewriteProposals,
		private readonly keys: FrontierKeys,
		private readonly audit: AuditLog,
		private readonly notifier: Notifier,
		private readonly log: vscode.LogOutputChannel,
	) {
		// Bad values are said when they are set (and at start), as the server does for its settings.
		this.reportSettingProblems();
		this.settingsWatch = vscode.workspace.onDidChangeConfiguration((change) => {
			if (change.affectsConfiguration('hearth.escalation')) {
				// Whatever went wrong may be fixed now: the next request will tell.
				this.notifier.withdraw(REQUEST_PROBLEM);
				this.reportSettingProblems();
			}
		});
	}

	/** The selection (or the function at the cursor), with an optional question. */
	async askFrontier(): Promise<void> {
		const editor = vscode.window.activeTextEditor;
		if (!editor) {
			void this.notifier.show('info', 'Open a file and select the code to ask about.');
			return;
		}
		const settings = readEscalationSettings();
		const target = await selectionTarget(editor, {
			chars: settings.maxInputTokens * CHARS_PER_TOKEN_FOR_LIMIT,
			who: `the frontier request limit (hearth.escalation.maxInputTokens = ${settings.maxInputTokens.toLocaleString('en')} tokens)`,
		});
		if (typeof target === 'string') {
			void this.notifier.show('warning', target);
			return;
		}
		// Before asking anything: an excluded file or an untrusted workspace ends here.
		const gate = await checkEscalationAllowed(target.document, settings);
		if (!gate.open) {
			void this.refuse(gate.message, gate.openSettings);
			return;
		}
		const question = await vscode.window.showInputBox({
			title: `Hearth: Ask ${settings.model} about ${target.description}`,
			prompt: 'Your question (optional). Nothing is sent before you see and confirm the exact request.',
			placeHolder: 'Empty: explain the code',
			ignoreFocusOut: true,
		});
		if (question === undefined) {
			return;
		}
		const task: EscalationTask = {
			kind: 'ask',
			code: target.text,
			languageId: editor.document.languageId,
			filePath: vscode.workspace.asRelativePath(editor.document.uri),
			question: question.trim() || undefined,
		};
		await this.escalate(task, target);
	}

	/** Remembers a local explain/refactor/clean-up result, so "Escalate…" can send the same task. */
	remember(task: EscalationTask, target: SelectionTarget): void {
		this.lastLocal = { task, target };
		void vscode.commands.executeCommand('setContext', HAS_LOCAL_ANSWER_CONTEXT_KEY, true);
	}

	async escalateLastLocal(): Promise<void> {
		if (!this.lastLocal) {
			void this.notifier.show(
				'info',
				'There is no local answer to escalate yet. Explain or refactor a selection first, or use “Ask Frontier Model…”.',
			);
			return;
		}
		await this.escalate(this.lastLocal.task, this.lastLocal.target);
	}

	async escalate(task: EscalationTask, target: SelectionTarget): Promise<void> {
		if (this.running) {
			void this.notifier.show(
				'warning',
				'A frontier request is still running. Stop it (Stop in the Hearth view, or its status bar item) before sending another.',
			);
			return;
		}
		const settings = readEscalationSettings();
		if (settings.ignoredWorkspaceValues.length > 0) {
			this.log.warn(`Ignored workspace settings (machine-scoped, user settings only): ${settings.ignoredWorkspaceValues.join(', ')}`);
		}
		const gate = await checkEscalationAllowed(target.document, settings);
		if (!gate.open) {
			void this.refuse(gate.message, gate.openSettings);
			return;
		}
		const request = buildOutgoingRequest(task, { redact: settings.redactSecrets });
		if (request.estimatedInputTokens > settings.maxInputTokens) {
			void this.refuse(
				`The request would be about ${request.estimatedInputTokens.toLocaleString('en')} tokens, more than hearth.escalation.maxInputTokens (${settings.maxInputTokens.toLocaleString('en')}). Select less. Nothing was sent.`,
				true,
			);
			return;
		}
		const apiKey = await this.keyFor(gate.origin);
		if (!apiKey) {
			return;
		}
		const what = `${target.description} of ${target.document.uri.path.split('/').pop() ?? 'the file'}`;
		if (settings.skipPreview) {
			this.log.info('Sending without a preview (hearth.escalation.skipPreview is on for this machine).');
		} else {
			const cost = estimateCost(settings.model, request.estimatedInputTokens, settings.maxOutputTokens, settings.price);
			const confirmed = await confirmWithPreview(this.answers, {
				endpointUrl: gate.chatCompletionsUrl,
				model: settings.model,
				request,
				cost,
				what,
				redactionEnabled: settings.redactSecrets,
			});
			if (!confirmed) {
				await this.record(task, settings, request, { outcome: 'declined', attempts: 0, durationMs: 0, charactersReceived: 0 });
				this.notifier.say('Nothing was sent.');
				return;
			}
		}
		await this.send(task, target, settings, request, apiKey);
	}

	async showKeyCommand(action: 'set' | 'clear'): Promise<void> {
		const endpoint = endpointOrigin(readEscalationSettings().baseUrl);
		if ('problem' in endpoint) {
			void this.refuse(endpoint.problem, true);
			return;
		}
		if (action === 'set') {
			if (await this.keys.askAndStore(endpoint.origin)) {
				// A rejected or missing key was the problem: it may be fixed now, and the next request will tell.
				this.notifier.withdraw(KEY_PROBLEM);
				this.notifier.say(`The API key for ${endpoint.origin} is stored in VS Code's secret storage.`);
			}
			return;
		}
		const had = await this.keys.clear(endpoint.origin);
		this.notifier.say(had ? `The API key for ${endpoint.origin} was removed.` : `No API key was stored for ${endpoint.origin}.`);
	}

	dispose(): void {
		this.running?.abort();
		this.settingsWatch.dispose();
	}

	private reportSettingProblems(): void {
		for (const problem of readEscalationSettings().problems) {
			this.log.warn(problem);
		}
	}

	private async send(
		task: EscalationTask,
		target: SelectionTarget,
		settings: EscalationSettings,
		request: OutgoingRequest,
		apiKey: string,
	): Promise<void> {
		const abort = new AbortController();
		this.running = abort;
		const panel = new FrontierAnswerPanel(this.answers, task, target, settings.model);
		const host = new URL(settings.baseUrl).host;
		let latest = '';
		const started = Date.now();
		let answer: FrontierAnswer;
		panel.open(() => abort.abort());
		const working = this.notifier.working(`Asking ${settings.model} at ${host}…`, () => abort.abort());
		try {
			answer = await streamFrontierAnswer(
				{
					baseUrl: settings.baseUrl,
					model: settings.model,
					organization: settings.organization || undefined,
					apiKey,
					timeoutMs: settings.timeoutSeconds * 1000,
					totalTimeoutMs: settings.totalTimeoutSeconds * 1000,
					maxOutputTokens: settings.maxOutputTokens,
				},
				request,
				{ signal: abort.signal, onText: (text) => panel.show((latest = text)) },
			);
		} catch (error) {
			working.dispose();
			this.running = undefined;
			const failure = error instanceof FrontierError ? error : undefined;
			const cancelled = abort.signal.aborted || failure?.kind === 'cancelled';
			const message = failure?.message ?? messageOf(error);
			const partial = failure?.partialText || latest;
			panel.finish(partial, cancelled ? 'Stopped.' : `The frontier model could not answer: ${message}`);
			await this.record(task, settings, request, {
				outcome: cancelled ? 'cancelled' : 'failed',
				error: cancelled ? undefined : message,
				attempts: failure?.attempts ?? 1,
				durationMs: Date.now() - started,
				charactersReceived: partial.length,
			});
			if (!cancelled) {
				this.log.error(`Escalation failed: ${message}`);
				// Not awaited: it must not hold anything up. A notice, not a notification: it is withdrawn
				// once fixed (a new key stored, the settings changed, or a request that gets through).
				const keyProblem = failure?.kind === 'unauthorized' || failure?.kind === 'no-key';
				const settingsProblem =
					failure?.kind === 'not-found' ||
					failure?.kind === 'unreachable' ||
					failure?.kind === 'redirected' ||
					failure?.kind === 'context-too-long';
				void this.notifier
					.problem(
						keyProblem ? KEY_PROBLEM : REQUEST_PROBLEM,
						'error',
						message,
						...(keyProblem ? ['Set API Key…' as const] : []),
						...(settingsProblem ? ['Open Settings' as const] : []),
					)
					.then((choice) => this.act(choice));
			}
			return;
		}
		working.dispose();
		// The request is over: a new one may be sent while this answer waits for Accept or Reject.
		this.running = undefined;
		this.notifier.withdraw(KEY_PROBLEM);
		this.notifier.withdraw(REQUEST_PROBLEM);
		const footer = answerFooter(settings.model, host, answer);
		panel.finish(answer.text, footer);
		this.log.info(`Escalation (${task.kind}) to ${host}: ${footer}`);
		await this.record(task, settings, request, {
			outcome: 'answered',
			attempts: answer.attempts,
			durationMs: answer.durationMs,
			charactersReceived: answer.text.length,
			promptTokens: answer.usage?.promptTokens,
			completionTokens: answer.usage?.completionTokens,
		});
		if (task.kind === 'refactor' || task.kind === 'cleanup') {
			await this.offerRewrite(task, target, answer, footer, settings.model);
		}
	}

	/**
	 * A frontier rewrite gets the same diff-then-accept as a local one, and a clean-up the same
	 * comments-only rule (decided in the server). Secrets that were redacted are put back locally where
	 * the model kept their placeholders; any left over are said before the user accepts.
	 */
	private async offerRewrite(
		task: EscalationTask,
		target: SelectionTarget,
		answer: FrontierAnswer,
		footer: string,
		model: string,
	): Promise<void> {
		const rewrite = extractRewrite(answer.text, target.text);
		if (!rewrite || rewrite.code === target.text) {
			this.notifier.say(`${model} proposed no change to ${target.description}; its answer is in the Hearth view.`);
			return;
		}
		if (rewrite.truncated) {
			void this.notifier.show(
				'warning',
				`${model}'s answer was cut off inside its code (hearth.escalation.maxOutputTokens). Nothing was offered; the answer is in the Hearth view.`,
			);
			return;
		}
		if (task.kind === 'cleanup') {
			let verdict: CheckCommentOnlyRequest.Result;
			try {
				verdict = (await this.client.sendRequest(CheckCommentOnlyRequest.method, {
					original: target.text,
					proposal: rewrite.code,
					languageId: target.document.languageId,
				} satisfies CheckCommentOnlyRequest.Params)) as CheckCommentOnlyRequest.Result;
			} catch (error) {
				void this.notifier.show(
					'error',
					`The clean-up could not be checked (${messageOf(error)}), so it was not offered. Nothing was changed; the answer is in the Hearth view.`,
				);
				return;
			}
			if (!verdict.ok) {
				void this.notifier.show(
					'warning',
					`${model}'s clean-up was not offered because ${verdict.reason}. Nothing was changed; its answer is in the Hearth view.`,
				);
				return;
			}
		}
		const placeholders =
			rewrite.unrestoredPlaceholders > 0
				? ` · ${rewrite.unrestoredPlaceholders} redaction placeholder(s) left in the code: fix them before saving`
				: '';
		await this.proposals.offer(target, rewrite.code, {
			kind: task.kind === 'cleanup' ? 'cleanup' : 'refactor',
			by: model,
			footer: footer + placeholders,
		});
	}

	/** The endpoint's key, asking for one when none is stored; undefined when the user declined. */
	private async keyFor(origin: string): Promise<string | undefined> {
		const stored = await this.keys.get(origin);
		if (stored) {
			return stored;
		}
		const choice = await this.notifier.show('warning', `No API key is set for ${origin}. Nothing was sent.`, 'Set API Key…');
		if (choice !== 'Set API Key…' || !(await this.keys.askAndStore(origin))) {
			return undefined;
		}
		return this.keys.get(origin);
	}

	/** Nothing is sent, and why: said at once, as a notification (with the settings when they are the cause). */
	private async refuse(message: string, offerSettings = false): Promise<void> {
		await this.act(await this.notifier.show('error', message, ...(offerSettings ? ['Open Settings' as const] : [])));
	}

	private async act(choice: 'Open Settings' | 'Set API Key…' | undefined): Promise<void> {
		if (choice === 'Open Settings') {
			await vscode.commands.executeCommand('workbench.action.openSettings', 'hearth.escalation');
		} else if (choice === 'Set API Key…') {
			await this.showKeyCommand('set');
		}
	}

	private async record(
		task: EscalationTask,
		settings: EscalationSettings,
		request: OutgoingRequest,
		result: Pick<AuditEntry, 'outcome' | 'attempts' | 'durationMs' | 'charactersReceived'> &
			Partial<Pick<AuditEntry, 'error' | 'promptTokens' | 'completionTokens'>>,
	): Promise<void> {
		try {
			await this.audit.append({
				time: new Date().toISOString(),
				endpoint: settings.baseUrl,
				model: settings.model,
				task: task.kind,
				file: task.filePath,
				charactersSent: result.outcome === 'declined' ? 0 : request.characters,
				estimatedTokensSent: result.outcome === 'declined' ? 0 : request.estimatedInputTokens,
				redactions: request.redactions,
				...result,
			});
		} catch (error) {
			// The escalation happened either way; a log that cannot be written must be said out loud.
			this.log.error(`Could not write the escalation audit log: ${messageOf(error)}`);
			void this.notifier.show('warning', 'The escalation could not be recorded in the audit log. See the Hearth log.');
		}
	}
}

/** "Answered by gpt-4.1 at api.openai.com in 4.2 s · 812 tokens in, 240 out" */
function answerFooter(model: string, host: string, answer: FrontierAnswer): string {
	const usage = answer.usage ? ` · ${answer.usage.promptTokens} tokens in, ${answer.usage.completionTokens} out` : '';
	const retries = answer.attempts > 1 ? ` · ${answer.attempts} attempts` : '';
	return `Answered by ${model} at ${host} in ${(answer.durationMs / 1000).toFixed(1)} s${usage}${retries}`;
}
