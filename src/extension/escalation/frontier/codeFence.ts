/**
 * A Markdown fence for `code` that nothing inside it can close: one backtick more than the longest
 * run of backticks in the code, and never fewer than three.
 */
export function fenceFor(code: string): string {
	let longest = 0;
	for (const run of code.match(/`+/g) ?? []) {
		longest = Math.max(longest, run.length);
	}
	return '`'.repeat(Math.max(3, longest + 1));
}

/** `code` in a fenced block tagged with its language; the code itself is unchanged. */
export function fencedBlock(code: string, languageId: string): string {
	const fence = fenceFor(code);
	const body = code.endsWith('\n') ? code : `${code}\n`;
	return `${fence}${infoString(languageId)}\n${body}${fence}`;
}

/** The language as a fence info string: VS Code ids are already what Markdown expects ('typescript', 'python'). */
function infoString(languageId: string): string {
	return /^[\w#+.-]+$/.test(languageId) ? languageId : '';
}

export interface FencedBlock {
	/** The lines between the fences, joined with '\n' (no final line break). */
	content: string;
	/** Whether a closing fence was found (an answer cut short leaves the last block open). */
	closed: boolean;
}

/**
 * The fenced code blocks of a Markdown text, by CommonMark's rule: a block opened by N backticks
 * (or tildes) is closed only by a line of at least N of the same character, so a longer outer
 * fence keeps inner fences as content. Indentation of the fences up to three spaces is allowed.
 */
export function findFencedBlocks(markdown: string): FencedBlock[] {
	const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
	const blocks: FencedBlock[] = [];
	let open: { marker: string; length: number; indent: number; lines: string[] } | undefined;
	for (const line of lines) {
		if (!open) {
			const opening = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
			// A backtick fence's info string may not contain a backtick (that is inline code).
			if (opening && !(opening[2]![0] === '`' && opening[3]!.includes('`'))) {
				open = { marker: opening[2]![0]!, length: opening[2]!.length, indent: opening[1]!.length, lines: [] };
			}
			continue;
		}
		const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
		if (closing && closing[1]![0] === open.marker && closing[1]!.length >= open.length) {
			blocks.push({ content: open.lines.join('\n'), closed: true });
			open = undefined;
			continue;
		}
		// CommonMark removes up to the opening fence's indentation from each content line.
		open.lines.push(line.replace(new RegExp(`^ {0,${open.indent}}`), ''));
	}
	if (open) {
		blocks.push({ content: open.lines.join('\n'), closed: false });
	}
	return blocks;
}
