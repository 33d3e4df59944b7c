import { detectSecrets } from './detectSecrets.js';
import type { RedactionResult, SecretFinding } from './secretFinding.js';

/** What replaces a secret: says what was there, and keeps quotes, names and line structure around it. */
export function redactionPlaceholder(finding: Pick<SecretFinding, 'kind'>): string {
	return `[REDACTED ${finding.kind}]`;
}

/** `text` with every secret value replaced by its placeholder; the findings keep their offsets into the original. */
export function redactSecrets(text: string): RedactionResult {
	const findings = detectSecrets(text);
	const parts: string[] = [];
	let copied = 0;
	for (const finding of findings) {
		parts.push(text.slice(copied, finding.start), redactionPlaceholder(finding));
		copied = finding.end;
	}
	parts.push(text.slice(copied));
	return { text: parts.join(''), findings };
}
