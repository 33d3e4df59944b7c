import type { SecretFinding } from './secretFinding.js';
import type { SecretRule } from './secretRule.js';

/**
 * PEM private keys (PKCS#1 'RSA', SEC1 'EC', 'DSA', PKCS#8 plain and 'ENCRYPTED', 'OPENSSH', and
 * PGP's armoured 'PRIVATE KEY BLOCK'): the whole block from BEGIN to END is the secret. In code the
 * block is often one string with '\n' escapes; the search for END does not care. When the END line
 * is missing (a selection that stops inside the key), everything up to the last line that still
 * looks like key material is redacted.
 */

const HEADER = /-----BEGIN ((?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?)-----/g;
/** Enough base64 between the markers to be a key rather than documentation ('-----BEGIN PRIVATE KEY-----\n...'). */
const MIN_KEY_MATERIAL = 64;
/** A line of key material once quotes, concatenation and escapes are stripped, or an armour header ('Proc-Type: 4,ENCRYPTED'). */
const KEY_MATERIAL_LINE = /^[\s"'`+,;]*(?:\\[nr]|[A-Za-z0-9+/=])+[\s"'`+,;)]*$|^\s*[A-Za-z-]+: [^\n]*$|^\s*$/;

function base64Count(text: string): number {
	return (text.replace(/\\[nrt]/g, '').match(/[A-Za-z0-9+/]/g) ?? []).length;
}

/** End offset of the key material that follows an unterminated header. */
function endOfUnterminatedBlock(text: string, headerEnd: number): number {
	let end = headerEnd;
	let lineStart = headerEnd;
	let blankLines = 0;
	while (lineStart <= text.length) {
		const newline = text.indexOf('\n', lineStart);
		const lineEnd = newline === -1 ? text.length : newline;
		const line = text.slice(lineStart, lineEnd);
		if (!KEY_MATERIAL_LINE.test(line)) {
			break;
		}
		if (line.trim().length === 0) {
			if (++blankLines > 1) {
				break;
			}
		} else {
			// Up to the last base64 character on the line, so closing quotes and code stay.
			const lastMaterial = line.search(/[A-Za-z0-9+/=](?:\\[nr])*[^A-Za-z0-9+/=]*$/);
			end = lineStart + lastMaterial + 1;
		}
		if (newline === -1) {
			break;
		}
		lineStart = newline + 1;
	}
	return end;
}

const kind = 'private-key';
const label = 'Private key (PEM block)';

export const PRIVATE_KEY_RULE: SecretRule = {
	kinds: [{ kind, label }],
	*find(text: string): Iterable<SecretFinding> {
		const header = new RegExp(HEADER.source, 'g');
		let match: RegExpExecArray | null;
		while ((match = header.exec(text)) !== null) {
			const start = match.index;
			const headerEnd = start + match[0].length;
			const footer = `-----END ${match[1]}-----`;
			// The END is looked for only up to the next BEGIN (a BEGIN before the END means this block
			// was cut short), which also keeps the search linear in a text of many headers.
			const nextHeader = text.indexOf('-----BEGIN ', headerEnd);
			const footerAt = text.slice(headerEnd, nextHeader === -1 ? text.length : nextHeader).indexOf(footer);
			let end: number;
			if (footerAt !== -1) {
				end = headerEnd + footerAt + footer.length;
			} else {
				end = endOfUnterminatedBlock(text, headerEnd);
			}
			if (base64Count(text.slice(headerEnd, end)) >= MIN_KEY_MATERIAL) {
				yield { kind, label, start, end };
			}
			header.lastIndex = Math.max(end, headerEnd);
		}
	},
};
