import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, SETTINGS_SECTION } from '../shared/settings.js';
import { ExplainCommand } from './actions/explainCommand.js';
import { RewriteCommands } from './actions/rewriteCommands.js';
import { RewriteProposals } from './actions/rewriteProposals.js';
import { VirtualDocuments } from './actions/virtualDocuments.js';
import { AnswerView } from './answerView/answerView.js';
import { EscalationCommands } from './escalation/escalationCommands.js';
import { showEscalationLog } from './escalation/escalationLogView.js';
import { AuditLog } from './escalation/frontier/auditLog.js';
import { FrontierKeys } from './escalation/frontierKeys.js';
import { showModelSwitcher } from './models/modelSwitcher.js';
import type { ServerCredentials } from './models/serverCredentials.js';
import type { ServerClient } from './serverClient.js';
import { messageOf } from '../shared/errorMessage.js';
import { Notifier } from './notifications/notifier.js';

/** Command ids, as declared in package.json (all under the "Hearth" category). */
export const Commands = {
	showMenu: 'hearth.showMenu',
	showLogs: 'hearth.showLogs',
	restartServer: 'hearth.restartServer',
	toggleInlineCompletions: 'hearth.toggleInlineCompletions',
	openSettings: 'hearth.openSettings',
	chooseModel: 'hearth.chooseModel',
	explain: 'hearth.explain',
	refactor: 'hearth.refactor',
	cleanUpDocs: 'hearth.cleanUpDocs',
	acceptProposal: 'hearth.acceptProposal',
	rejectProposal: 'hearth.rejectProposal',
	askFrontier: 'hearth.askFrontier',
	escalateLocalAnswer: 'hearth.escalateLocalAnswer',
	setFrontierApiKey: 'hearth.setFrontierApiKey',
	clearFrontierApiKey: 'hearth.clearFrontierApiKey',
	showEscalationLog: 'hearth.showEscalationLog',
} as const;

export function registerCommands(
	context: vscode.ExtensionContext,
	server: ServerClient,
	log: vscode.LogOutputChannel,
	credentials: ServerCredentials,
): void {
	const register = (id: string, run: () => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, run));
	// Hearth's one voice (at most one notification at a time) and its one place for answers.
	const notifier = new Notifier();
	const answers = new AnswerView(context.extensionUri);
	context.subscriptions.push(notifier, answers);

	register(Commands.showLogs, () => log.show(true));

	register(Commands.restartServer, async () => {
		log.info('Restarting the language server on request.');
		try {
			await server.restart();
		} catch (error) {
			log.error(`Could not restart the language server: ${messageOf(error)}`);
			void notifier.show('error', 'The language server could not be restarted. See the Hearth log.');
		}
	});

	register(Commands.toggleInlineCompletions, async () => {
		const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
		const enabled = configuration.get<boolean>('inlineCompletion.enabled', DEFAULT_SETTINGS.inlineCompletion.enabled);
		// Global: pausing is a choice about this machine and this user, not about one workspace.
		await configuration.update('inlineCompletion.enabled', !enabled, vscode.ConfigurationTarget.Global);
		log.info(enabled ? 'Inline completions paused.' : 'Inline completions resumed.');
	});

	register(Commands.openSettings, () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${context.extension.id}`));

	const actionItems = (): (vscode.QuickPickItem & { run?: () => Promise<void> })[] => {
		const enabled = vscode.workspace
			.getConfiguration(SETTINGS_SECTION)
			.get<boolean>('inlineCompletion.enabled', DEFAULT_SETTINGS.inlineCompletion.enabled);
		const run = (command: string) => async () => void (await vscode.commands.executeCommand(command));
		return [
			{ label: 'Hearth', kind: vscode.QuickPickItemKind.Separator },
			{
				label: enabled ? '$(debug-pause) Pause inline completions' : '$(play) Resume inline completions',
				run: run(Commands.toggleInlineCompletions),
			},
			{ label: '$(output) Show logs', run: run(Commands.showLogs) },
			{
				label: '$(history) Show escalation log',
				description: 'what was sent to a frontier model',
				run: run(Commands.showEscalationLog),
			},
			{ label: '$(debug-restart) Restart language server', run: run(Commands.restartServer) },
			{ label: '$(settings-gear) Open settings', run: run(Commands.openSettings) },
		];
	};

	// Proposed rewrites (a diff to accept or reject), from the local model and the frontier model alike.
	const proposalDocuments = new VirtualDocuments('hearth-proposal');
	const proposals = new RewriteProposals(proposalDocuments, notifier, log);
	context.subscriptions.push(proposalDocuments, proposals);

	// Escalation: the one path by which code leaves the machine, on these commands only. Made first,
	// so that the local actions are given it ("Escalate…" on their results).
	const auditPath = vscode.Uri.joinPath(context.globalStorageUri, 'escalations.jsonl').fsPath;
	const audit = new AuditLog(auditPath);
	const escalations = new EscalationCommands(server.client, answers, proposals, new FrontierKeys(context.secrets), audit, notifier, log);
	context.subscriptions.push(escalations);
	register(Commands.askFrontier, () => escalations.askFrontier());
	register(Commands.escalateLocalAnswer, () => escalations.escalateLastLocal());
	register(Commands.setFrontierApiKey, () => escalations.showKeyCommand('set'));
	register(Commands.clearFrontierApiKey, () => escalations.showKeyCommand('clear'));
	register(Commands.showEscalationLog, () => showEscalationLog(audit, auditPath, answers));

	// The local actions.
	const explain = new ExplainCommand(server.client, answers, notifier, log, escalations);
	const rewrites = new RewriteCommands(server.client, proposals, context.globalState, notifier, log, escalations);
	register(Commands.explain, () => explain.run());
	register(Commands.refactor, () => rewrites.refactor());
	register(Commands.cleanUpDocs, () => rewrites.cleanUpDocs());
	register(Commands.acceptProposal, () => proposals.accept());
	register(Commands.rejectProposal, () => proposals.reject());

	// `{ role: 'chat' }` (the actions' "Get a Local Chat Model…") opens the chat role's list directly.
	context.subscriptions.push(
		vscode.commands.registerCommand(Commands.chooseModel, (options?: { role?: unknown }) =>
			showModelSwitcher(
				{ client: server.client, credentials, log, actions: actionItems },
				options?.role === 'chat' ? 'chat' : 'completion',
			),
		),
	);

	register(Commands.showMenu, async () => {
		const items = [
			{ label: '$(symbol-class) Choose model…', run: async () => void (await vscode.commands.executeCommand(Commands.chooseModel)) },
			...actionItems(),
		];
		const picked = await vscode.window.showQuickPick(items, { title: 'Hearth' });
		await picked?.run?.();
	});
}
