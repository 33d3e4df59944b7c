/**
 * A syntax check of multi-line suggestions with tree-sitter. The parser and its grammars are
 * WebAssembly (@vscode/tree-sitter-wasm), so nothing is built natively; they run in the language
 * server's process. A suggestion that makes the text around the cursor less parsable than it was
 * without it is cut to its longest run of whole lines that is not, or dropped.
 *
 * Optional by design: a language without a grammar here, or a grammar that does not load (a VSIX
 * without the files, a broken file), skips the check and leaves the suggestion as it is.
 *
 * Where the files are: `dist/tree-sitter/` beside the server bundle (esbuild.js copies them there and
 * the VSIX ships them), else the package's own `wasm/` folder in node_modules (development, tests).
 * The runtime script is loaded from that folder with require(), not bundled: it finds its
 * `tree-sitter.wasm` beside itself.
 */

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';

type TreeSitterModule = typeof TreeSitter;

/** Grammar file (without `tree-sitter-` and `.wasm`) per file extension. */
const GRAMMARS: Readonly<Record<string, string>> = {
	'.ts': 'typescript',
	'.mts': 'typescript',
	'.cts': 'typescript',
	'.js': 'javascript',
	'.mjs': 'javascript',
	'.cjs': 'javascript',
	'.jsx': 'javascript',
	'.py': 'python',
};
/** The grammars the VSIX ships (esbuild.js copies these with the runtime). */
export const SHIPPED_GRAMMARS = ['typescript', 'javascript', 'python'] as const;

/** Characters of text on each side of the suggestion that are parsed with it. */
const REGION_CHARS = 3_000;
/** Suggestions with more lines are checked on their first lines only. */
const MAX_CHECKED_LINES = 24;

let runtime: Promise<{ module: TreeSitterModule; folder: string } | undefined> | undefined;
const parsers = new Map<string, Promise<TreeSitter.Parser | undefined>>();

/** The language checked for a file, or undefined when there is none. */
export function syntaxLanguageOf(filePath: string | undefined): string | undefined {
	return filePath === undefined ? undefined : GRAMMARS[path.extname(filePath).toLowerCase()];
}

/** The folder with `tree-sitter.js` and the grammars, or undefined when none is found. */
function wasmFolder(): string | undefined {
	const here = path.dirname(fileURLToPath(import.meta.url));
	const candidates = [path.join(here, 'tree-sitter')];
	try {
		candidates.push(path.dirname(createRequire(import.meta.url).resolve('@vscode/tree-sitter-wasm')));
	} catch {
		// Not installed (a packaged VSIX): only the bundled copy can serve.
	}
	return candidates.find(
		(folder) => fs.existsSync(path.join(folder, 'tree-sitter.js')) && fs.existsSync(path.join(folder, 'tree-sitter.wasm')),
	);
}

function loadRuntime(): Promise<{ module: TreeSitterModule; folder: string } | undefined> {
	runtime ??= (async () => {
		const folder = wasmFolder();
		if (folder === undefined) return undefined;
		const module = createRequire(import.meta.url)(path.join(folder, 'tree-sitter.js')) as TreeSitterModule;
		await module.Parser.init({ locateFile: (file: string) => path.join(folder, file) });
		return { module, folder };
	})().catch(() => undefined);
	return runtime;
}

/** A parser for `language`, loaded once; undefined when its grammar cannot be loaded. */
export function parserFor(language: string): Promise<TreeSitter.Parser | undefined> {
	let parser = parsers.get(language);
	if (parser === undefined) {
		parser = (async () => {
			const loaded = await loadRuntime();
			if (loaded === undefined) return undefined;
			const grammar = path.join(loaded.folder, `tree-sitter-${language}.wasm`);
			if (!fs.existsSync(grammar)) return undefined;
			const parser = new loaded.module.Parser();
			parser.setLanguage(await loaded.module.Language.load(grammar));
			return parser;
		})().catch(() => undefined);
		parsers.set(language, parser);
	}
	return parser;
}

/**
 * Loads the parser a file's suggestions will be checked with (a file was opened), so that the first
 * multi-line suggestion does not wait for the WebAssembly runtime and grammar to load.
 */
export async function preloadSyntaxCheck(filePath: string | undefined): Promise<void> {
	const language = syntaxLanguageOf(filePath);
	if (language !== undefined) {
		await parserFor(language);
	}
}

/**
 * Syntax errors in `text`: ERROR nodes. Nodes the parser invents (MISSING, e.g. a `}` at the end) do
 * not count: a suggestion that opens a block whose end is still to be written is not broken.
 */
export function syntaxErrors(parser: TreeSitter.Parser, text: string): number {
	const tree = parser.parse(text);
	if (tree === null) return 0;
	try {
		let errors = 0;
		const pending: TreeSitter.Node[] = [tree.rootNode];
		while (pending.length > 0) {
			const node = pending.pop()!;
			if (!node.hasError) continue;
			if (node.isError) errors++;
			for (const child of node.children) if (child !== null) pending.push(child);
		}
		return errors;
	} finally {
		tree.delete();
	}
}

/**
 * `text` (inserted between `prefix` and `suffix`) as far as it keeps the region around the cursor
 * as parsable as it was without it: whole, cut after its last line that does, or '' when not even
 * its first line does. Single-line text, and text in a language without a loadable grammar, is
 * returned as it is.
 */
export async function cutToParsable(text: string, where: { prefix: string; suffix: string; filePath?: string }): Promise<string> {
	if (!text.includes('\n')) return text;
	const language = syntaxLanguageOf(where.filePath);
	const parser = language === undefined ? undefined : await parserFor(language);
	if (parser === undefined) return text;
	const before = regionBefore(where.prefix);
	const after = regionAfter(where.suffix);
	const allowed = syntaxErrors(parser, before + after);
	const lines = text.split('\n').slice(0, MAX_CHECKED_LINES);
	for (let count = lines.length; count > 0; count--) {
		const candidate = lines.slice(0, count).join('\n');
		if (candidate.trim() === '') break;
		if (syntaxErrors(parser, before + candidate + after) <= allowed) {
			return count === text.split('\n').length ? text : candidate.trimEnd();
		}
	}
	return '';
}

/** The prefix's last REGION_CHARS, from a line start. */
function regionBefore(prefix: string): string {
	if (prefix.length <= REGION_CHARS) return prefix;
	const start = prefix.indexOf('\n', prefix.length - REGION_CHARS);
	return start === -1 ? prefix.slice(-REGION_CHARS) : prefix.slice(start + 1);
}

/** The suffix's first REGION_CHARS, to a line end. */
function regionAfter(suffix: string): string {
	if (suffix.length <= REGION_CHARS) return suffix;
	const end = suffix.lastIndexOf('\n', REGION_CHARS);
	return end === -1 ? suffix.slice(0, REGION_CHARS) : suffix.slice(0, end + 1);
}
