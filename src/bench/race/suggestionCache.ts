import type { InfillContext } from './infillRequest.js';

/**
 * llama.vscode's result cache, as behaviour: answers are kept per (prefix, suffix, line prefix),
 * least recently used first out, and a keystroke that typed the start of a cached answer is
 * answered with the rest of it without asking the server.
 */
export class SuggestionCache {
	private readonly entries = new Map<string, string>();

	constructor(private readonly capacity: number) {}

	static key(inputPrefix: string, inputSuffix: string, prompt: string): string {
		// The lengths keep a '|' inside the text from making two different contexts collide.
		return `${inputPrefix.length}:${inputSuffix.length}:${inputPrefix}|${inputSuffix}|${prompt}`;
	}

	get size(): number {
		return this.entries.size;
	}

	get(key: string): string | undefined {
		const value = this.entries.get(key);
		if (value !== undefined) {
			this.entries.delete(key);
			this.entries.set(key, value);
		}
		return value;
	}

	put(key: string, value: string): void {
		this.entries.delete(key);
		this.entries.set(key, value);
		if (this.entries.size > this.capacity) {
			this.entries.delete(this.entries.keys().next().value!);
		}
	}

	/**
	 * The answer for `context`: an exact entry, or the entry of a shorter line prefix whose answer
	 * begins with the characters typed since, minus those characters.
	 */
	lookup(context: Pick<InfillContext, 'inputPrefix' | 'inputSuffix' | 'prompt'>): { text: string; typedThrough: boolean } | undefined {
		const { inputPrefix, inputSuffix, prompt } = context;
		const exact = this.get(SuggestionCache.key(inputPrefix, inputSuffix, prompt));
		if (exact !== undefined) {
			return { text: exact, typedThrough: false };
		}
		for (let cut = prompt.length - 1; cut >= 0; cut--) {
			const cached = this.get(SuggestionCache.key(inputPrefix, inputSuffix, prompt.slice(0, cut)));
			const typed = prompt.slice(cut);
			if (cached !== undefined && cached.startsWith(typed)) {
				return { text: cached.slice(typed.length), typedThrough: true };
			}
		}
		return undefined;
	}
}

/** The answer's lines without trailing blank ones (llama.vscode's removeTrailingNewLines). */
export function suggestionLines(content: string): string[] {
	const lines = content.split(/\r?\n/);
	while (lines.length > 0 && lines.at(-1)!.trim() === '') {
		lines.pop();
	}
	return lines;
}

/**
 * What llama.vscode keeps of an answer when text follows the cursor: the first line, without a
 * copy of that text at its end; at the end of a line, every line.
 */
export function fitToLine(lines: readonly string[], lineSuffix: string): string {
	if (lineSuffix.trim() !== '') {
		if (lines[0]!.endsWith(lineSuffix)) {
			return lines[0]!.slice(0, -lineSuffix.length);
		}
		if (lines.length > 1) {
			return lines[0]!;
		}
	}
	return lines.join('\n');
}

/** Drops up to `count` leading spaces or tabs: the indentation that was left out of the prompt. */
export function removeLeadingIndentation(text: string, count: number): string {
	let index = 0;
	while (index < text.length && index < count && (text[index] === ' ' || text[index] === '\t')) {
		index++;
	}
	return text.slice(index);
}
