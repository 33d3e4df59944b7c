/**
 * Makes raw model output safe to insert into an editor: control characters (NUL included)
 * are dropped, line endings become "\n" (the caller converts to the document's EOL at the end),
 * and a trailing U+FFFD, which is what an incomplete multi-byte character looks like while
 * streaming, is held back until the rest of the character arrives.
 */

// C0 controls except tab and line feed, DEL, and C1 controls. "\r" is handled separately.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F-\u009F]/g;

export function sanitizeGenerated(raw: string): string {
	return raw
		.replace(/\r\n?/g, '\n')
		.replace(CONTROL_CHARACTERS, '')
		.replace(/\uFFFD+$/, '');
}

/** Converts "\n" line endings to the document's. */
export function toDocumentEol(text: string, eol: '\n' | '\r\n'): string {
	return eol === '\n' ? text : text.replace(/\n/g, '\r\n');
}
