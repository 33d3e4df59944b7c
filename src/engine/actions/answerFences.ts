/**
 * Markdown code fences in a model's answer (``` or ~~~, with or without a language), as small models
 * write them: sometimes indented, sometimes never closed (the answer was cut off), sometimes with the
 * closing fence glued to the last line of code.
 */

export interface FencedBlock {
	/** The lines between the fences, without the fences' own indentation, joined with "\n". */
	content: string;
	/** The language after the opening fence ("ts", "python"), possibly empty. */
	info: string;
	/** Line indexes of the opening and closing fence in the answer (the closing one is the last line when unclosed). */
	openLine: number;
	closeLine: number;
}

const OPENING = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const CLOSING = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;

/** Fence lines in `text` (LF line endings), paired in order as Markdown pairs them. */
export function findFencedBlocks(text: string): FencedBlock[] {
	const lines = text.split('\n');
	const blocks: FencedBlock[] = [];
	for (let i = 0; i < lines.length; i++) {
		const opening = OPENING.exec(lines[i]!);
		if (!opening) continue;
		const [, indent, fence, info] = opening as unknown as [string, string, string, string];
		if (fence.startsWith('`') && info.includes('`')) continue; // inline code such as ```a``` is not a fence
		let close = i + 1;
		while (close < lines.length) {
			const closing = CLOSING.exec(lines[close]!);
			if (closing && closing[1]![0] === fence[0] && closing[1]!.length >= fence.length) break;
			close++;
		}
		const content = lines.slice(i + 1, close);
		if (close >= lines.length && content.length > 0 && content.at(-1)!.trimEnd().endsWith(fence)) {
			// "return x```": the model glued the closing fence to the code
			const last = content.at(-1)!.trimEnd();
			content[content.length - 1] = last.slice(0, last.length - fence.length);
		}
		blocks.push({
			content: dedent(content, indent.length).join('\n'),
			info: info.trim(),
			openLine: i,
			closeLine: Math.min(close, lines.length - 1),
		});
		i = close;
	}
	return blocks;
}

/** Whether `text` has a line that opens or closes a fence. */
export function hasFenceLine(text: string): boolean {
	return /^[ \t]*(?:`{3,}|~{3,})/m.test(text);
}

/** Removes up to `width` leading spaces or tabs (the fence's own indentation) from each line. */
function dedent(lines: string[], width: number): string[] {
	if (width === 0) return lines;
	return lines.map((line) => line.replace(new RegExp(`^[ \\t]{0,${width}}`), ''));
}
