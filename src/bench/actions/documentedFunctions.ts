/**
 * Functions that carry a real doc comment, found in source text: the tasks with known answers on
 * which Document This and its confidence are measured. Each task is the function's code without its
 * comment, and the comment's summary (its first paragraph, tags left out) as the reference.
 */

import type { QualityLanguage } from '../quality/qualityFixtures.js';

export interface DocumentedFunction {
	language: QualityLanguage;
	/** The function as the user would select it, without its doc comment. */
	code: string;
	/** The real doc comment's summary: its first paragraph, markers and @tags removed. */
	reference: string;
	/** Text of the file before the function's comment, for context. */
	before: string;
}

/** Functions longer than this many lines are left out: a selection that big is not the usual case. */
const MAX_FUNCTION_LINES = 60;

export function documentedFunctions(text: string, language: QualityLanguage): DocumentedFunction[] {
	return language === 'python' ? pythonFunctions(text) : braceFunctions(text, language);
}

/** A doc comment above a `{ … }` body: JSDoc (TypeScript, JavaScript), `//` (Go), `///` (Rust). */
function braceFunctions(text: string, language: QualityLanguage): DocumentedFunction[] {
	const found: DocumentedFunction[] = [];
	const comment =
		language === 'go'
			? /^([ \t]*)((?:\/\/ .*\n)+)(?=[ \t]*func\b)/gm
			: language === 'rust'
				? /^([ \t]*)((?:[ \t]*\/\/\/.*\n)+)(?=[ \t]*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?fn\b)/gm
				: /^([ \t]*)(\/\*\*[\s\S]*?\*\/[ \t]*\n)(?=[ \t]*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\b|(?:(?:public|private|protected|static|async)\s+)*[A-Za-z_$][\w$]*\s*\([^)]*\)\s*(?::[^{]+)?\{))/gm;
	for (const match of text.matchAll(comment)) {
		const commentStart = match.index;
		const bodyStart = commentStart + match[0].length;
		const open = text.indexOf('{', bodyStart);
		const close = open < 0 ? -1 : matchingBrace(text, open);
		if (close < 0) {
			continue;
		}
		const lineEnd = text.indexOf('\n', close);
		const code = text.slice(bodyStart, lineEnd < 0 ? text.length : lineEnd + 1);
		const reference = summaryOf(match[2]!);
		if (reference && code.split('\n').length <= MAX_FUNCTION_LINES) {
			found.push({ language, code, reference, before: text.slice(0, commentStart) });
		}
	}
	return found;
}

/** A `def` whose body starts with a docstring. */
function pythonFunctions(text: string): DocumentedFunction[] {
	const found: DocumentedFunction[] = [];
	const def = /^([ \t]*)(?:async\s+)?def\s+\w+\s*\([\s\S]*?\)[^:\n]*:[ \t]*\n([ \t]+)("""|''')([\s\S]*?)\3[ \t]*\n/gm;
	for (const match of text.matchAll(def)) {
		const indent = match[1]!;
		const start = match.index;
		const docStart = start + match[0].indexOf(match[2]! + match[3]!);
		const docEnd = start + match[0].length;
		// The body runs while lines are blank or indented deeper than the def.
		const lines = text.slice(docEnd).split('\n');
		let bodyLines = 0;
		while (
			bodyLines < lines.length &&
			(lines[bodyLines]!.trim() === '' || lines[bodyLines]!.startsWith(indent + ' ') || lines[bodyLines]!.startsWith(indent + '\t'))
		) {
			bodyLines++;
		}
		while (bodyLines > 0 && lines[bodyLines - 1]!.trim() === '') {
			bodyLines--;
		}
		const code = text.slice(start, docStart) + lines.slice(0, bodyLines).join('\n') + '\n';
		const reference = summaryOf(match[4]!);
		if (reference && bodyLines > 0 && code.split('\n').length <= MAX_FUNCTION_LINES) {
			found.push({ language: 'python', code, reference, before: text.slice(0, start) });
		}
	}
	return found;
}

function matchingBrace(text: string, open: number): number {
	let depth = 0;
	for (let index = open; index < text.length; index++) {
		const ch = text[index];
		if (ch === '{') {
			depth++;
		} else if (ch === '}' && --depth === 0) {
			return index;
		}
	}
	return -1;
}

/** The first paragraph of a doc comment's text, its markers and tag lines removed, on one line. */
export function summaryOf(comment: string): string {
	const lines = comment.split('\n').map((line) =>
		line
			.replace(/^\s*(?:\/\*\*|\*\/|\*|\/\/\/|\/\/|#)?\s?/, '')
			.replace(/\*\/\s*$/, '')
			.trim(),
	);
	const paragraph: string[] = [];
	for (const line of lines) {
		if (line.startsWith('@') || line.startsWith(':param') || /^(Args|Returns|Parameters|Raises):?$/.test(line)) {
			break;
		}
		if (line === '') {
			if (paragraph.length > 0) {
				break;
			}
			continue;
		}
		paragraph.push(line);
	}
	return paragraph.join(' ');
}

/** Words of a text, lower-cased, for the overlap score. */
function words(text: string): string[] {
	return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/** Word-overlap F1 between a generated summary and the reference (0 when either is empty). */
export function summaryF1(generated: string, reference: string): number {
	const produced = words(generated);
	const wanted = words(reference);
	if (produced.length === 0 || wanted.length === 0) {
		return 0;
	}
	const counts = new Map<string, number>();
	for (const word of wanted) {
		counts.set(word, (counts.get(word) ?? 0) + 1);
	}
	let overlap = 0;
	for (const word of produced) {
		const left = counts.get(word) ?? 0;
		if (left > 0) {
			overlap++;
			counts.set(word, left - 1);
		}
	}
	if (overlap === 0) {
		return 0;
	}
	const precision = overlap / produced.length;
	const recall = overlap / wanted.length;
	return (2 * precision * recall) / (precision + recall);
}
