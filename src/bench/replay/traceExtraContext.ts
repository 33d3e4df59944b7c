/**
 * The extra context a trace is typed with, the same on both sides of the race: Hearth puts it in
 * its prompt as chunks ahead of the file, llama-server gets it as /infill's `input_extra`. Chosen
 * once per trace by Hearth's own selection (src/engine/context) at the starting cursor, with the
 * other source files of the traces open in other tabs, and the language server's budget.
 */

import fs from 'node:fs';
import path from 'node:path';
import { selectExtraContext } from '../../engine/context/index.js';
import type { ContextChunk } from '../../engine/fim/fimTypes.js';
import { traceDirectory } from '../traces/loadTraces.js';
import type { Trace } from '../traces/traceTypes.js';

/** The language server's budget for similar code (src/server/extraContextSource.ts) and its window around the cursor. */
const SIMILAR_CHARS = 1_200;
const NEAR_CURSOR_LINES = 12;
/** Generous, so that the choice never depends on the machine's speed. */
const SEARCH_TIME_BUDGET_MS = 5_000;

export function traceExtraContext(trace: Trace, directory = traceDirectory()): ContextChunk[] {
	const sources = path.join(directory, 'sources');
	const openDocuments = fs
		.readdirSync(sources)
		.filter((name) => !name.endsWith('.md') && `sources/${name}` !== trace.source.file)
		.sort()
		.map((name) => ({ path: name, text: fs.readFileSync(path.join(sources, name), 'utf8') }));
	const line = trace.initialCursor.line;
	const nearCursorText = trace.initialText
		.split('\n')
		.slice(Math.max(0, line - NEAR_CURSOR_LINES), line + NEAR_CURSOR_LINES)
		.join('\n');
	const selected = selectExtraContext({
		currentPath: trace.filePath,
		nearCursorText,
		recent: [],
		openDocuments,
		budgets: { recentChars: 0, similarChars: SIMILAR_CHARS },
		timeBudgetMs: SEARCH_TIME_BUDGET_MS,
	});
	return selected.chunks.map((chunk) => ({ path: chunk.path, text: chunk.text }));
}
