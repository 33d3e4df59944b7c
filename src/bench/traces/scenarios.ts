import { seededRandom } from '../../tooling/seededRandom.js';
import { TraceBuilder, type Hole } from './traceBuilder.js';
import type { Trace, TraceSource } from './traceTypes.js';

/** Reads a file under test/fixtures/traces/ (injected so that tests and the generator share this). */
export type ReadFixture = (relativePath: string) => string;

const URL_STRING: TraceSource = {
	file: 'sources/UrlString.ts',
	origin: '@azure/msal-common 16.17.0, src/url/UrlString.ts (see sources/NOTICE.md)',
	license: 'MIT, Copyright (c) Microsoft Corporation',
};
const CONVERT_ENDIAN: TraceSource = {
	file: 'sources/gguf_convert_endian.py',
	origin: 'llama.cpp gguf-py/gguf/scripts/gguf_convert_endian.py, from node-llama-cpp 3.22.1 (see sources/NOTICE.md)',
	license: 'MIT, Copyright (c) 2023-2026 The ggml authors',
};
const URL_STRING_PATH = 'src/url/UrlString.ts';
const CONVERT_ENDIAN_PATH = 'gguf-py/gguf/scripts/gguf_convert_endian.py';

/** A person reading the ghost text before pressing Tab. */
const READ_SUGGESTION_MS: readonly [number, number] = [900, 1600];
const LEAD_IN_MS: readonly [number, number] = [300, 600];

/**
 * The recorded sessions, generated deterministically: each cuts parts out of a real file and types
 * them back the way a person would. Without accepts, a session ends with the original file again.
 */
export function buildTraces(read: ReadFixture): Trace[] {
	const urlString = read(URL_STRING.file);
	const convertEndian = read(CONVERT_ENDIAN.file);
	return [
		steadyTyping(urlString),
		backspacing(urlString),
		cursorJumps(urlString),
		acceptAndContinue(urlString),
		pythonTyping(convertEndian),
		pausedTyping(urlString),
		thinkingTyping(urlString),
		typeSuggestions(urlString),
	];
}

/** The llama.vscode-style scenario: six lines of a real file typed again, without a mistake. */
function steadyTyping(original: string): Trace {
	const holes = [linesHole(original, 172, 177)];
	const builder = new TraceBuilder(original, holes, 0, seededRandom(1));
	builder.pause(LEAD_IN_MS).retype(0);
	return trace(builder, {
		name: 'ts-steady-typing',
		description: 'Re-types lines 172-177 of UrlString.ts (an object literal in the middle of a method) key by key, no typos.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

/** Typos that are backspaced at once, and a rethink that holds backspace over the last line. */
function backspacing(original: string): Trace {
	const holes = [linesHole(original, 113, 119)];
	const builder = new TraceBuilder(original, holes, 0, seededRandom(2));
	const lastLine = '            : `${url}&${queryString}`;';
	const beforeLastLine = holes[0]!.end - holes[0]!.start - lastLine.length;
	builder
		.pause(LEAD_IN_MS)
		.retype(0, { typoRate: 0.3 }, beforeLastLine + 24)
		.rewind(0, 10)
		.retype(0, { typoRate: 0.3 });
	return trace(builder, {
		name: 'ts-backspacing',
		description:
			'Re-types lines 113-119 of UrlString.ts with typos that are noticed and backspaced, then holds backspace over part of the last line and types it again.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

/** Edits in five places of one file, jumping between them with the mouse; one line is pasted. */
function cursorJumps(original: string): Trace {
	const holes = [
		spanHole(original, 34, 'correlationId;'),
		spanHole(original, 127, 'url.split'),
		linesHole(original, 190, 190),
		spanHole(original, 212, '.filter(', '0);'),
		spanHole(original, 239, 'match[2];'),
	];
	const builder = new TraceBuilder(original, holes, 3, seededRandom(3));
	builder
		.pause(LEAD_IN_MS)
		.retype(3, {}, 14)
		.moveTo(1)
		.retype(1)
		.moveTo(0)
		.retype(0)
		.moveTo(3)
		.retype(3)
		.moveTo(2)
		.paste(2)
		.moveTo(4)
		.retype(4);
	return trace(builder, {
		name: 'ts-cursor-jumps',
		description: 'Completes statements at lines 212, 127, 34, 212 again, 190 (pasted) and 239 of UrlString.ts, clicking between them.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

/** Starts a statement, takes the suggestion, goes on typing after it; three times. */
function acceptAndContinue(original: string): Trace {
	const holes = [linesHole(original, 228, 230)];
	const builder = new TraceBuilder(original, holes, 0, seededRandom(4));
	builder
		.pause(LEAD_IN_MS)
		.retype(0, {}, 'const regEx = RegExp('.length)
		.pause(READ_SUGGESTION_MS)
		.accept()
		.typeFree('\n\n        const match = url.match(')
		.pause(READ_SUGGESTION_MS)
		.accept()
		.typeFree('\n        const host = ')
		.pause(READ_SUGGESTION_MS)
		.accept()
		.typeFree(';\n        return host;');
	return trace(builder, {
		name: 'ts-accept-continue',
		description:
			'At line 228 of UrlString.ts: types the start of a statement, waits for the suggestion and accepts it (Tab), then types on after it; three times. ' +
			'The accepted text is whatever the model suggested, so the document after the first accept depends on the model.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

/** Python: five lines typed with a few typos, then a two-line block pasted further down. */
function pythonTyping(original: string): Trace {
	const holes = [linesHole(original, 144, 149), linesHole(original, 163, 164)];
	const builder = new TraceBuilder(original, holes, 0, seededRandom(5));
	builder.pause(LEAD_IN_MS).retype(0, { typoRate: 0.1 }).moveTo(1).paste(1);
	return trace(builder, {
		name: 'py-typing-paste',
		description:
			'Re-types lines 144-149 of gguf_convert_endian.py (a loop inside a function) with a few typos, then clicks to line 163 and pastes a comment and a statement.',
		language: 'python',
		filePath: CONVERT_ENDIAN_PATH,
		source: CONVERT_ENDIAN,
	});
}

/**
 * The race's trace: fourteen lines typed with the pauses real typing has (short ones after
 * punctuation, thinking pauses of seconds at line ends and after punctuation), so that each side
 * of the race delivers dozens of answers and latency percentiles rest on many samples.
 */
function pausedTyping(original: string): Trace {
	return trace(retypeWithPauses(original), {
		name: 'ts-paused-typing',
		description:
			'Re-types lines 172-185 of UrlString.ts (an object literal and a try/catch) with a thinking pause of 2.5-4.5 s at every line end and after most punctuation, and short pauses after other punctuation.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

/**
 * The keys of ts-paused-typing (the same seed, so the same keys and draws), with thinking pauses of
 * 12-16 s: a 1.5B model on two cores keeps llama-server busy 6-10 s per answer of 16 tokens as
 * llama.vscode drives it (a request it started is never stopped, and the key's own request waits
 * behind it), so only pauses this long let it deliver the 30 answers the race's latency verdict needs
 * (with pauses of 7-11 s it delivered 13 of 38).
 */
function thinkingTyping(original: string): Trace {
	return trace(retypeWithPauses(original, LONG_THINKING_MS), {
		name: 'ts-thinking-typing',
		description:
			'The keys of ts-paused-typing (lines 172-185 of UrlString.ts), with thinking pauses of 12-16 s instead of 2.5-4.5 s: long enough for llama-server to answer a 1.5B model, so that the race has 30 answers a side on slow models too.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

const LONG_THINKING_MS: readonly [number, number] = [12000, 16000];

function retypeWithPauses(original: string, thinkingMs?: readonly [number, number]): TraceBuilder {
	const holes = [linesHole(original, 172, 185)];
	const builder = new TraceBuilder(original, holes, 0, seededRandom(6));
	const pauses = { thinkAtLineEnd: 1, thinkAfterPunctuation: 0.7, shortAfterPunctuation: 0.4, ...(thinkingMs ? { thinkingMs } : {}) };
	return builder.pause(LEAD_IN_MS).retype(0, { pauses });
}

/**
 * Type-through with real suggestions: at six statements of UrlString.ts, from the last one up,
 * types the start, reads the ghost text, then types what it shows character by character
 * (`type-shown` keys), so a trained model's suggestions are really typed through.
 */
function typeSuggestions(original: string): Trace {
	const starts: [line: number, from: string, typed: number][] = [
		[127, 'UrlString.canonicalizeUri(', 'UrlString.'.length],
		[163, 'this.urlString.match(', 'this.'.length],
		[189, 'urlComponents.HostNameAndPort', 'urlComponents.'.length],
		[213, 'urlComponents.PathSegments', 'urlComponents.'.length],
		[230, 'url.match(', 'url.'.length],
		[239, 'match[2];', 'match'.length],
	];
	const holes = starts.map(([line, from]) => spanHole(original, line, from));
	const builder = new TraceBuilder(original, holes, holes.length - 1, seededRandom(7));
	builder.pause(LEAD_IN_MS);
	for (let hole = holes.length - 1; hole >= 0; hole--) {
		if (hole < holes.length - 1) {
			builder.moveTo(hole);
		}
		builder.retype(hole, {}, starts[hole]![2]).pause(READ_SUGGESTION_MS).typeShown(TYPED_SHOWN_KEYS);
	}
	return trace(builder, {
		name: 'ts-type-suggestions',
		description:
			`At lines 239, 230, 213, 189, 163 and 127 of UrlString.ts (from the last up): types the start of the statement, reads the suggestion, then types ${TYPED_SHOWN_KEYS} characters of whatever ghost text is shown. ` +
			'What is typed is the model’s own suggestion, so the document after the first type-shown key depends on the model.',
		language: 'typescript',
		filePath: URL_STRING_PATH,
		source: URL_STRING,
	});
}

/** Characters of the ghost text typed at each place of the type-through trace. */
const TYPED_SHOWN_KEYS = 14;

function trace(builder: TraceBuilder, meta: Omit<Trace, 'initialText' | 'initialCursor' | 'events'>): Trace {
	return { ...meta, initialText: builder.initialText, initialCursor: builder.initialCursor, events: builder.build() };
}

/** Offset of the start of a 1-based line. */
function lineStart(text: string, line: number): number {
	let offset = 0;
	for (let current = 1; current < line; current++) {
		const newline = text.indexOf('\n', offset);
		if (newline === -1) {
			throw new Error(`the text has fewer than ${line} lines`);
		}
		offset = newline + 1;
	}
	return offset;
}

function lineEnd(text: string, line: number): number {
	const newline = text.indexOf('\n', lineStart(text, line));
	return newline === -1 ? text.length : newline;
}

/** Lines `from`-`to` (1-based, inclusive) without the first line's indentation, which stays. */
export function linesHole(text: string, from: number, to: number): Hole {
	const start = lineStart(text, from);
	const indentation = /^[ \t]*/.exec(text.slice(start))![0].length;
	return { start: start + indentation, end: lineEnd(text, to) };
}

/** On one line: from the first `from` to the end of `through` after it, or to the end of the line. */
export function spanHole(text: string, line: number, from: string, through?: string): Hole {
	const startOfLine = lineStart(text, line);
	const lineText = text.slice(startOfLine, lineEnd(text, line));
	const start = lineText.indexOf(from);
	if (start === -1) {
		throw new Error(`line ${line} has no ${JSON.stringify(from)}`);
	}
	if (through === undefined) {
		return { start: startOfLine + start, end: startOfLine + lineText.length };
	}
	const last = lineText.indexOf(through, start);
	if (last === -1) {
		throw new Error(`line ${line} has no ${JSON.stringify(through)} after ${JSON.stringify(from)}`);
	}
	return { start: startOfLine + start, end: startOfLine + last + through.length };
}
