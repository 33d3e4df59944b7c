import fs from 'node:fs';
import path from 'node:path';
import type { ChatMessage } from '../../engine/chat/chatTypes.js';
import { traceDirectory } from '../traces/loadTraces.js';

/** The code a rewrite action is given: one real method, doc comment included, as a user would select it. */
export interface RewriteSource {
	/** Repository-relative path of the file it comes from. */
	file: string;
	name: string;
	code: string;
	lines: number;
}

export interface RewriteRequest {
	source: RewriteSource;
	messages: ChatMessage[];
	/** The fenced code exactly as the user message carries it: what a rewrite that changes nothing answers. */
	fencedCode: string;
}

const SOURCE_FILE = 'UrlString.ts';
/** About 70 lines with its doc comment: the size of selection a refactor is asked about. */
const METHOD = 'getUrlComponents';

const SYSTEM = 'You are Hearth, a careful senior software engineer helping inside a code editor. You are precise and brief.';

/**
 * A refactor-shaped request (system + user, the code fenced at the end of the user message, as the
 * editor's actions send it) about a real method from the trace sources, so the tokens are typical code.
 */
export function rewriteRequest(): RewriteRequest {
	const file = path.join(traceDirectory(), 'sources', SOURCE_FILE);
	const code = extractMethod(fs.readFileSync(file, 'utf8'), METHOD);
	const fencedCode = '```typescript\n' + code + '```';
	const user =
		`Rewrite this typescript code from src/url/${SOURCE_FILE} as follows: make it clearer without changing what it does.\n` +
		'Keep its behaviour, keep its indentation style, and answer with the complete rewritten code only, in one fenced code block, with no explanation.\n\n' +
		fencedCode;
	return {
		source: { file: `test/fixtures/traces/sources/${SOURCE_FILE}`, name: METHOD, code, lines: code.split('\n').length - 1 },
		messages: [
			{ role: 'system', content: SYSTEM },
			{ role: 'user', content: user },
		],
		fencedCode,
	};
}

/**
 * The method `name` of a class indented with four spaces: from the doc comment above its signature
 * to the closing brace at the same indentation, ending with a newline.
 */
export function extractMethod(text: string, name: string): string {
	const lines = text.split('\n');
	const pattern = new RegExp(`^    (?:static |public |private )*${name}\\(`);
	const signature = lines.findIndex((line) => pattern.test(line));
	if (signature < 0) {
		throw new Error(`method ${name} not found`);
	}
	let start = signature;
	if (lines[start - 1]?.trim() === '*/') {
		while (start > 0 && !lines[start]!.trim().startsWith('/**')) {
			start--;
		}
	}
	const end = lines.findIndex((line, index) => index > signature && line === '    }');
	if (end < 0) {
		throw new Error(`end of method ${name} not found`);
	}
	return lines.slice(start, end + 1).join('\n') + '\n';
}
