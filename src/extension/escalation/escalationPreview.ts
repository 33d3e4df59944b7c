import * as vscode from 'vscode';
import type { AnswerView } from '../answerView/answerView.js';
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
 * would go and what it may cost, in the Hearth answer view, then asks in a modal dialog. Nothing is
 * sent unless the answer is "Send"; closing the dialog or pressing Escape sends nothing. The preview
 * stays in the view's history, its first line saying whether it was sent.
 */
export async function confirmWithPreview(answers: AnswerView, facts: PreviewFacts): Promise<boolean> {
	const document = previewDocument(facts);
	const preview = answers.open({ title: 'Escalation preview', format: 'text', content: document });
	const host = hostOf(facts.endpointUrl);
	let send = false;
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
		send = choice === 'Send';
		return send;
	} finally {
		const [, ...rest] = document.split('\n');
		const verdict = send
			? `HEARTH ESCALATION REQUEST: sent to ${host} at ${new Date().toLocaleTimeString()}, as shown below.`
			: 'HEARTH ESCALATION PREVIEW: not sent.';
		preview.finish([verdict, ...rest].join('\n'));
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
