/**
 * The sentences a small model puts around code it was told to return alone ("Here is the updated
 * code:", "I only changed the comments."). They are removed only when that is unambiguous: the line
 * reads as prose, sits at the very start or end of the answer, is not indented, does not look like a
 * comment, and is not a line of the original selection (which may itself be prose).
 */

const LEAD_IN =
	/^(?:sure|certainly|of course|okay|ok|absolutely|alright|here(?:'s| is| are)|below is|the following|this is the (?:updated|cleaned|revised|rewritten|improved)|i(?:'ve| have) (?:cleaned|updated|rewritten|fixed|improved|edited|revised|reworded|polished)|(?:updated|cleaned[- ]up|revised|rewritten|improved) (?:code|version|comments|docs|documentation))\b/i;

/** "Sure!" alone on its line. */
const INTERJECTION = /^(?:sure|certainly|of course|okay|ok|absolutely|alright|done)[!.,]?$/i;

/** Closing remarks: explanations of the change, offers of more help. */
const SIGN_OFF =
	/^(?:i(?:'ve| have)?\s|this\s|these\s|the (?:code|comments?|changes|docstrings?|documentation|rest|logic|behaviou?r)\b|notes?\b|changes?\b|key changes|summary\b|explanation\b|what (?:i|changed)\b|let me know|hope\b|feel free|all (?:comments|code|changes|other)\b|no (?:code|other|functional|logic|changes)\b|only (?:the )?comments\b|nothing else\b)/i;

/** Sign-offs so clear they need no blank line before them. */
const CLEAR_SIGN_OFF =
	/^(?:hope this helps|let me know|feel free|i(?:'ve| have)? only (?:changed|updated|edited|touched|reworded)|only (?:the )?comments (?:were|have been) (?:changed|updated|edited)|no code (?:was|has been) changed)/i;

const COMMENT_START = /^(?:\/\/|\/\*|\*|#|--|<!--|"""|'''|;|%|\{-|=begin)/;

export function stripChatter(answer: string, original: string): string {
	const lines = answer.split('\n');
	const originalLines = new Set(
		original
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line !== ''),
	);
	const originalIsProse = isProse(
		original
			.split('\n')
			.find((line) => line.trim() !== '')
			?.trim() ?? '',
	);
	const isChatter = (line: string): boolean =>
		line === line.trimStart() && !COMMENT_START.test(line.trim()) && !originalLines.has(line.trim()) && isProse(line.trim());

	let first = firstNonBlank(lines, 0);
	for (let taken = 0; taken < 2 && first < lines.length; taken++) {
		const line = lines[first]!;
		const leadIn = LEAD_IN.test(line.trim()) || (!originalIsProse && line.trim().endsWith(':'));
		if (!(leadIn && isChatter(line)) && !(INTERJECTION.test(line) && !originalLines.has(line.trim()))) break;
		first = firstNonBlank(lines, first + 1);
	}

	let last = lastNonBlank(lines, lines.length - 1);
	const signOff = signOffStart(lines, first, last, isChatter);
	if (signOff !== undefined) last = lastNonBlank(lines, signOff - 1);

	if (first === 0 && last === lines.length - 1) return answer;
	return last < first ? answer : lines.slice(first, last + 1).join('\n');
}

/**
 * Where a closing block of chatter (up to three prose lines at the end) starts: after a blank line
 * and opening with a sign-off phrase, or a single unmistakable sign-off line.
 */
function signOffStart(lines: string[], first: number, last: number, isChatter: (line: string) => boolean): number | undefined {
	if (last <= first || !isChatter(lines[last]!)) return undefined;
	let start = last;
	while (start - 1 > first && last - start < 2 && lines[start - 1]!.trim() !== '' && isChatter(lines[start - 1]!)) start--;
	for (let candidate = start; candidate <= last; candidate++) {
		if (lines[candidate - 1]!.trim() === '' && SIGN_OFF.test(lines[candidate]!.trim())) return candidate;
	}
	return CLEAR_SIGN_OFF.test(lines[last]!.trim()) ? last : undefined;
}

/** Reads like a sentence: a capitalised word and at least two more, and no code punctuation at the end. */
function isProse(line: string): boolean {
	return /^[A-Z]\S*(?:\s+\S+){2,}/.test(line) && !/[;{}([=,]$/.test(line) && !/\s=\s|=>|->|\(\)\s*[{:]/.test(line);
}

function firstNonBlank(lines: string[], from: number): number {
	let i = from;
	while (i < lines.length && lines[i]!.trim() === '') i++;
	return i;
}

function lastNonBlank(lines: string[], from: number): number {
	let i = from;
	while (i >= 0 && lines[i]!.trim() === '') i--;
	return i;
}
