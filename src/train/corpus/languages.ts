/**
 * Languages the corpus collects, recognised by file extension, and how much of the byte budget
 * each one gets.
 *
 * The starter model serves an editor whose users mostly write TypeScript and JavaScript, so those
 * get the largest share; Python next, then Go, Rust and Java, and a small share for whatever else
 * is source code. The weights are per-language byte budgets (see `languageBudgets.ts`): a language
 * with less material than its share gives the rest to the others, in proportion to their weights,
 * so the total budget is still spent. We do not repeat files to reach a share: on a corpus this
 * small, repeated files are memorised rather than learnt from.
 */

export type Language = 'typescript' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp' | 'shell';

export const LANGUAGE_WEIGHTS: Readonly<Record<Language, number>> = {
	typescript: 0.3,
	javascript: 0.2,
	python: 0.2,
	go: 0.12,
	rust: 0.1,
	java: 0.04,
	c: 0.02,
	cpp: 0.01,
	shell: 0.01,
};

const EXTENSIONS: Readonly<Record<string, Language>> = {
	'.ts': 'typescript',
	'.tsx': 'typescript',
	'.mts': 'typescript',
	'.cts': 'typescript',
	'.js': 'javascript',
	'.jsx': 'javascript',
	'.mjs': 'javascript',
	'.cjs': 'javascript',
	'.py': 'python',
	'.go': 'go',
	'.rs': 'rust',
	'.java': 'java',
	'.c': 'c',
	'.h': 'c',
	'.cc': 'cpp',
	'.cpp': 'cpp',
	'.cxx': 'cpp',
	'.hpp': 'cpp',
	'.hh': 'cpp',
	'.sh': 'shell',
	'.bash': 'shell',
};

/** The language of a file by its name, or undefined for anything that is not source code we collect. */
export function languageOfPath(filePath: string): Language | undefined {
	const name = filePath.slice(filePath.lastIndexOf('/') + 1).toLowerCase();
	const dot = name.lastIndexOf('.');
	if (dot <= 0) return undefined;
	return EXTENSIONS[name.slice(dot)];
}
