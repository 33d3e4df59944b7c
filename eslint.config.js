/**
 * ESLint for Hearth's TypeScript (src/ and test/): typescript-eslint's recommended rules (without type
 * information, so a run stays a few seconds), no import cycles, and the layers of ARCHITECTURE.md.
 *
 * The layers: what ships (shared, engine, server, extension) never imports a tool (teamServer, tooling,
 * cli, bench, train, build), and each folder under src/ imports only the folders LAYERS allows it; every
 * folder under src/ must have an entry there, so a new folder cannot slip past the rules. Packages that
 * pin a process are kept where they belong: `vscode` in the extension host only, node-llama-cpp never in
 * the extension host (a native crash there would take the editor down) nor in shared/.
 */
import fs from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** Each folder under src/, the folders of ours it may import, and why. */
export const LAYERS = {
	'src/shared': { may: [], why: 'the protocol and settings shared by both processes depend on nothing else of ours' },
	'src/engine': { may: ['src/shared'], why: 'the engine is plain TypeScript over node-llama-cpp, runnable from a CLI' },
	'src/server': { may: ['src/engine', 'src/shared'], why: 'the language server wraps the engine' },
	'src/extension': { may: ['src/shared'], why: 'the extension host talks to the server over LSP and never loads the model' },
	'src/tooling': {
		may: ['src/engine', 'src/shared'],
		why: 'what the tools share (test models, GGUF writing, argument parsing, the project root) sits on top of the engine',
	},
	'src/teamServer': { may: ['src/engine', 'src/shared'], why: 'the OpenAI-compatible team server wraps the engine' },
	'src/train': { may: ['src/engine', 'src/shared', 'src/tooling'], why: 'training and its evaluation stand apart from the bench' },
	'src/cli': {
		may: ['src/engine', 'src/shared', 'src/tooling', 'src/train', 'src/teamServer'],
		why: 'the command lines start the engine, the tooling, training and the team server',
	},
	'src/bench': {
		may: ['src/engine', 'src/shared', 'src/tooling'],
		why: "the bench drives the engine and the bundled server, with the tools' shared helpers in src/tooling",
	},
	'src/build': { may: ['src/shared', 'src/tooling'], why: 'packaging reads the manifest and the bundled model' },
};

const sourceFolders = fs
	.readdirSync(path.join(root, 'src'), { withFileTypes: true })
	.filter((entry) => entry.isDirectory())
	.map((entry) => `src/${entry.name}`);
const unlisted = sourceFolders.filter((folder) => !(folder in LAYERS));
if (unlisted.length > 0) {
	throw new Error(`eslint.config.js: give ${unlisted.join(', ')} a layer in LAYERS (which folders may it import?)`);
}

/** import-x/no-restricted-paths zones: each folder may import itself and what LAYERS allows, never test/. */
const layerZones = Object.entries(LAYERS).flatMap(([folder, { may, why }]) => {
	const forbidden = Object.keys(LAYERS).filter((other) => other !== folder && !may.includes(other));
	const allowed = may.length > 0 ? `only ${may.join(', ')}` : 'nothing else of ours';
	return [
		...(forbidden.length > 0 ? [{ target: folder, from: forbidden, message: `${folder} imports ${allowed}: ${why}.` }] : []),
		{ target: folder, from: 'test', message: 'Shipping and tool code never imports from test/.' },
	];
});

const vscodeApi = { name: 'vscode', message: 'The VS Code API exists only in the extension host (src/extension) and its tests.' };
const languageClient = {
	group: ['vscode-languageclient', 'vscode-languageclient/*'],
	message: 'The language client belongs to the extension host (src/extension).',
};
const languageServer = {
	group: ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageserver-textdocument'],
	message: 'The language-server runtime belongs to src/server.',
};
const llama = {
	group: ['node-llama-cpp', 'node-llama-cpp/*'],
	message: 'node-llama-cpp never loads in the extension host (a native crash would take the editor down) nor in shared/.',
};

/** The packages each part of the tree must not import (no-restricted-imports options). */
function restrictedPackages(paths, patterns) {
	return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default defineConfig([
	globalIgnores([
		'out/',
		'dist/',
		'models/',
		'media/',
		'.cache/',
		'.vscode/',
		'test/fixtures/',
		'test/e2e/fixtures/',
		'**/*.js',
		'**/*.cjs',
		'**/*.mjs',
	]),
	{
		files: ['src/**/*.ts', 'test/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		plugins: { 'import-x': importX },
		settings: {
			// import-x reads imported files to follow cycles: it must know .ts files and parse them as TypeScript.
			'import-x/extensions': ['.ts'],
			'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
			'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
			'import-x/resolver-next': [createTypeScriptImportResolver({ project: path.join(root, 'tsconfig.json') })],
		},
		rules: {
			// tsc already reports unused locals and parameters (noUnusedLocals, noUnusedParameters); this keeps
			// the lint's view of them the same: a leading underscore marks one unused on purpose.
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
			],
			// The sanitizers (generated text, corpus files) match control characters on purpose.
			'no-control-regex': 'off',
			...restrictedPackages([vscodeApi], [languageClient]),
		},
	},
	{
		// Each custom LSP message is a namespace (`Foo.method`, `Foo.Params`), as in vscode-languageserver-protocol.
		files: ['src/shared/protocol.ts'],
		rules: { '@typescript-eslint/no-namespace': 'off' },
	},
	{
		files: ['src/**/*.ts'],
		rules: {
			'import-x/no-cycle': ['error', { ignoreExternal: true }],
			'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
		},
	},
	{ files: ['src/shared/**/*.ts'], rules: restrictedPackages([vscodeApi], [languageClient, languageServer, llama]) },
	{ files: ['src/engine/**/*.ts'], rules: restrictedPackages([vscodeApi], [languageClient, languageServer]) },
	{ files: ['src/extension/**/*.ts'], rules: restrictedPackages([], [languageServer, llama]) },
	{ files: ['test/vscode/**/*.ts', 'test/e2e/**/*.ts'], rules: { 'no-restricted-imports': 'off' } },
]);
