/**
 * Cuts a long file into pieces of whole lines that each fit a token budget, so a file longer than
 * the document cap becomes several documents instead of being truncated (losing its end) or
 * dropped. Token counts of single lines are summed as an estimate; the caller re-checks each piece.
 */

export function splitIntoLines(text: string): string[] {
	return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function lineChunks(text: string, maxTokens: number, countTokens: (text: string) => number): string[] {
	const chunks: string[] = [];
	let current = '';
	let currentTokens = 0;
	const flush = () => {
		if (current !== '') chunks.push(current);
		current = '';
		currentTokens = 0;
	};
	for (const line of splitIntoLines(text)) {
		const lineTokens = countTokens(line);
		if (lineTokens > maxTokens) {
			// A single line longer than a document: cut it by characters (only possible in odd files
			// that passed the minified check, such as long data tables).
			flush();
			const step = Math.max(1, Math.floor((line.length * maxTokens) / lineTokens));
			for (let start = 0; start < line.length; start += step) chunks.push(line.slice(start, start + step));
			continue;
		}
		if (currentTokens + lineTokens > maxTokens) flush();
		current += line;
		currentTokens += lineTokens;
	}
	flush();
	return chunks;
}
