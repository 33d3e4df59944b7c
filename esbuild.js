// Bundles the two processes of the extension:
// - dist/extension.cjs: the extension host side (CommonJS, as VS Code loads it; `vscode` external);
// - dist/server.mjs: the language server (ESM, because node-llama-cpp is ESM-only; node-llama-cpp
//   stays external and ships in node_modules with its per-platform native binaries).
// Type checking is `tsc`'s job (`npm run build`); this only bundles.
import * as esbuild from 'esbuild';
import fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
	bundle: true,
	platform: 'node',
	target: 'node20',
	minify: production,
	sourcemap: production ? false : 'linked',
	sourcesContent: false,
	logLevel: 'warning',
};

const builds = [
	{
		...common,
		entryPoints: ['src/extension/main.ts'],
		outfile: 'dist/extension.cjs',
		format: 'cjs',
		external: ['vscode'],
	},
	{
		...common,
		entryPoints: ['src/server/main.ts'],
		outfile: 'dist/server.mjs',
		format: 'esm',
		external: ['node-llama-cpp'],
		// vscode-languageserver is CommonJS and calls require() for Node built-ins; an ESM bundle needs
		// a real require for that.
		banner: {
			js: "import { createRequire as __hearthCreateRequire } from 'node:module'; const require = __hearthCreateRequire(import.meta.url);",
		},
	},
];

// The syntax check's tree-sitter runtime and grammars (WebAssembly), loaded by the server from
// dist/tree-sitter/ (src/engine/syntax/syntaxCheck.ts); the VSIX ships exactly these files.
const TREE_SITTER_FILES = [
	'tree-sitter.js',
	'tree-sitter.wasm',
	'tree-sitter-typescript.wasm',
	'tree-sitter-javascript.wasm',
	'tree-sitter-python.wasm',
];
fs.mkdirSync('dist/tree-sitter', { recursive: true });
for (const file of TREE_SITTER_FILES) {
	fs.copyFileSync(`node_modules/@vscode/tree-sitter-wasm/wasm/${file}`, `dist/tree-sitter/${file}`);
}

if (watch) {
	for (const options of builds) {
		const context = await esbuild.context(options);
		await context.watch();
	}
	console.log('[esbuild] watching for changes');
} else {
	await Promise.all(builds.map((options) => esbuild.build(options)));
}
