/**
 * The code to put in place of the selection, taken out of a model's answer: small models wrap code
 * in Markdown fences and add a sentence around it. The longest fenced block wins; without fences the
 * answer is used as it is, minus blank lines around it. The original's line endings and its final
 * newline (or its absence) are kept, so accepting never adds a stray line break.
 */
export function extractAnswerCode(answer: string, original: string): string {
	const normalized = answer.replace(/\r\n/g, '\n');
	const fences = [...normalized.matchAll(/^[ \t]*```[^\n`]*\n([\s\S]*?)\n?[ \t]*```[ \t]*$/gm)].map((match) => match[1]!);
	let code = fences.length > 0 ? fences.reduce((longest, block) => (block.length > longest.length ? block : longest)) : normalized.replace(/^\s*\n/, '').replace(/\n\s*$/, '');
	code = code.replace(/\n+$/, '');
	if (original.endsWith('\n')) {
		code += '\n';
	}
	return original.includes('\r\n') ? code.replace(/\n/g, '\r\n') : code;
}
