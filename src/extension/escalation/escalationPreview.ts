import * as vscode from 'vscode';
import type { VirtualDocuments } from '../actions/virtualDocuments.js';
import type { CostEstimate } from './frontier/costEstimate.js';
import type { OutgoingRequest } from './frontier/outgoingRequest.js';

export interface PreviewFacts {
	/** The full URL the request is posted to. */
	endpointUrl: string;
	model: string;
	request: OutgoingRequest;
	cost: CostEstimate;
	/** "the selection of inventory.ts". */
	what: string;
	/** False when the user turned redaction off (hearth.escalation.redactSecrets). */
	redactionEnabled: boolean;
}

/**
 * Shows exactly what would leave the machine (every character of every message, as sent), where it
 * would go and what it may cost, then asks in a modal dialog. Nothing is sent unless the answer is
 * "Send"; closing the dialog or pressing Escape sends nothing. The preview tab closes afterwards.
 */
export async function confirmWithPreview(documents: VirtualDocuments, facts: PreviewFacts): Promise<boolean> {
	const uri = vscode.Uri.from({
		scheme: documents.scheme,
		path: `/Escalation preview (nothing sent yet).txt`,
		query: String(Date.now()),
	});
	documents.set(uri, previewDocument(facts));
	await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
	const host = hostOf(facts.endpointUrl);
	try {
		const choice = await vscode.window.showWarningMessage(
			`Send ${facts.what} to ${host}?`,
			{
				modal: true,
				detail: previewSummary(facts)
					.map(([label, value]) => `${label}: ${value}`)
					.join('\n'),
			},
			'Send',
		);
		return choice === 'Send';
	} finally {
		await closeTabsOf(uri);
		documents.delete(uri);
	}
}

/** The preview document: the facts, then the messages exactly as the request carries them. */
export function previewDocument(facts: PreviewFacts): string {
	return [
		'HEARTH ESCALATION PREVIEW: nothing has been sent yet.',
		'',
		`Endpoint:  POST ${facts.endpointUrl}`,
		...previewSummary(facts).map(([label, value]) => `${`${label}:`.padEnd(10)} ${value}`),
		'',
		'Everything below this line, and nothing else, is sent (the messages of the chat request, in order).',
		'═'.repeat(80),
		facts.request.previewText,
	].join('\n');
}

function previewSummary({ model, request, cost, redactionEnabled }: PreviewFacts): [label: string, value: string][] {
	const redacted = request.redactions.reduce((sum, { count }) => sum + count, 0);
	return [
		['Model', model],
		[
			'Sends',
			`${request.characters.toLocaleString('en')} characters, about ${request.estimatedInputTokens.toLocaleString('en')} tokens (the answer may use up to ${cost.maxOutputTokens.toLocaleString('en')} tokens)`,
		],
		[
			'Cost',
			cost.usd
				? `about ${dollars(cost.usd.low)}–${dollars(cost.usd.high)}${cost.priceSource ? ` (${cost.priceSource})` : ''}`
				: 'no estimate (price of this model unknown; set hearth.escalation.pricePerMillionTokens)',
		],
		[
			'Redacted',
			!redactionEnabled
				? 'OFF: hearth.escalation.redactSecrets is false on this machine, secrets are sent as they are'
				: redacted === 0
					? 'nothing found'
					: `${redacted} secret${redacted === 1 ? '' : 's'}: ${request.redactions.map(({ kind, count }) => `${kind} ×${count}`).join(', ')} (replaced by placeholders)`,
		],
	];
}

function dollars(amount: number): string {
	return amount < 0.01 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
}

async function closeTabsOf(uri: vscode.Uri): Promise<void> {
	for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
		if (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()) {
			await vscode.window.tabGroups.close(tab);
		}
	}
}
