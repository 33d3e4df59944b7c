#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../shared/bundledModel.js';
import { projectRoot } from '../tooling/projectRoot.js';
import { dependencyClosure } from './dependencyClosure.js';
import { currentTarget, NATIVE_PACKAGES, targetPlatform } from './nativeTargets.js';
import { messageOf } from '../shared/errorMessage.js';

/**
 * Builds a VSIX for one platform, with the bundled starter model (BUNDLED_MODEL_RELATIVE_PATH). The extension's own code is bundled by esbuild; node-llama-cpp
 * cannot be (it loads native binaries), so it ships in node_modules with exactly one platform's
 * binaries. Everything goes into a staging folder first, so the VSIX holds only what is listed
 * here (an allow-list), never whatever happens to lie in the working tree.
 *
 * Usage: node out/src/build/packageVsix.js [--target linux-x64] [--gpu] [--out FILE]
 */
/** The syntax check's tree-sitter runtime and grammars, which esbuild.js copies beside the server bundle. */
const TREE_SITTER_FILES = [
	'tree-sitter.js',
	'tree-sitter.wasm',
	'tree-sitter-typescript.wasm',
	'tree-sitter-javascript.wasm',
	'tree-sitter-python.wasm',
].map((file) => `dist/tree-sitter/${file}`);
const STAGED_FILES = [
	'package.json',
	'README.md',
	'CHANGELOG.md',
	'LICENSE',
	'dist/extension.cjs',
	'dist/server.mjs',
	...TREE_SITTER_FILES,
	BUNDLED_MODEL_RELATIVE_PATH,
];
/**
 * Not needed at run time with prebuilt binaries: llama.cpp's sources and the addon's build files for
 * building from scratch, and the project templates of node-llama-cpp's `init` command.
 */
const NODE_LLAMA_CPP_BUILD_ONLY = [
	'llama/gitRelease.bundle',
	'llama/addon',
	'llama/cmake',
	'llama/CMakeLists.txt',
	'llama/patches',
	'llama/profiles',
	'llama/toolchains',
	'llama/xpack',
	// What a build from source (`node-llama-cpp source download`) leaves here: the llama.cpp source it
	// cloned and the addon it built for this machine. The VSIX keeps node-llama-cpp's prebuilt binaries.
	'llama/llama.cpp',
	'llama/localBuilds',
	'llama/lastBuild.json',
	'templates',
];
/**
 * node-llama-cpp's dependencies that only its build from source (run through `npm run cmake-js-llama`)
 * and its command line (dist/cli) use; the library the server imports never loads them. Whatever
 * only they need (tar, minipass, yargs-parser, …) goes with them.
 */
const BUILD_ONLY_PACKAGES = new Set(['cmake-js', 'node-addon-api', 'node-api-headers', 'yargs', 'validate-npm-package-name']);
/** What no package loads at run time (types, TypeScript sources, documentation, build and repository leftovers), besides source maps. */
const NEVER_LOADED = [
	'**/*.map',
	'node_modules/**/*.ts',
	'node_modules/**/*.mts',
	'node_modules/**/*.cts',
	'node_modules/**/*.md',
	'node_modules/**/*.tsbuildinfo',
	'node_modules/**/.*',
	'node_modules/**/yarn.lock',
	'node_modules/**/Makefile',
	'node_modules/**/*.gif',
];

function main(argv: string[]): void {
	const root = projectRoot();
	const target = optionValue(argv, '--target') ?? currentTarget();
	const natives = NATIVE_PACKAGES[target];
	if (!natives) {
		throw new Error(`Unknown target ${target}; one of ${Object.keys(NATIVE_PACKAGES).join(', ')}`);
	}
	const wanted = new Set([natives.cpu, ...(argv.includes('--gpu') ? natives.gpu : [])]);
	for (const file of STAGED_FILES) {
		if (!fs.existsSync(path.join(root, file))) {
			const hint =
				file === BUNDLED_MODEL_RELATIVE_PATH
					? 'the starter model is committed to git (models/starter/); restore it, or rebuild it with models/recipe (see models/README.md)'
					: 'run `npm run setup` (it builds the bundles) first';
			throw new Error(`${file} is missing: ${hint}`);
		}
	}
	// A fresh staging folder per run, so two packagers running at once cannot empty each other's.
	fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
	const stage = fs.mkdtempSync(path.join(root, '.cache', `vsix-${target}-`));
	try {
		stageAndPackage(root, stage, target, wanted, argv);
	} finally {
		fs.rmSync(stage, { recursive: true, force: true });
	}
}

function stageAndPackage(root: string, stage: string, target: string, wanted: Set<string>, argv: string[]): void {
	for (const file of STAGED_FILES) {
		copy(path.join(root, file), path.join(stage, file));
	}
	// The decode abort (src/engine/native/decodeAbort.cpp, src/engine/runtime/decodeAbort.ts), built
	// by `npm run build` for this machine's platform only.
	const decodeAbort = `dist/native/decodeAbort-${process.platform}-${process.arch}.node`;
	if (target === currentTarget() && fs.existsSync(path.join(root, decodeAbort))) {
		copy(path.join(root, decodeAbort), path.join(stage, decodeAbort));
	} else {
		console.warn(
			`no decode abort module for ${target} (built on Linux, for the building machine's platform): in this VSIX a cancellation stops llama.cpp between decodes only`,
		);
	}
	copy(path.join(root, 'media'), path.join(stage, 'media'));
	writeManifest(root, stage);

	const packages = dependencyClosure(
		root,
		'node-llama-cpp',
		targetPlatform(target),
		(name) => BUILD_ONLY_PACKAGES.has(name) || (name.startsWith('@node-llama-cpp/') && !wanted.has(name)),
	);
	for (const name of wanted) {
		if (!packages.some((directory) => directory.endsWith(path.join('node_modules', name)))) {
			throw new Error(`${name} (node-llama-cpp's binaries for ${target}) is not installed here; install it with npm first`);
		}
	}
	for (const directory of packages) {
		// Without the package's own node_modules: the closure lists the nested packages it needs by themselves.
		const nested = path.join(directory, 'node_modules');
		copy(directory, path.join(stage, path.relative(root, directory)), (file) => file !== nested);
		dropBuildOnlyDependencies(path.join(stage, path.relative(root, directory), 'package.json'));
	}
	for (const file of NODE_LLAMA_CPP_BUILD_ONLY) {
		fs.rmSync(path.join(stage, 'node_modules', 'node-llama-cpp', file), { recursive: true, force: true });
	}
	// Everything in the stage belongs in the VSIX except what is never loaded.
	fs.writeFileSync(path.join(stage, '.vscodeignore'), `${NEVER_LOADED.join('\n')}\n`);

	const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
	const out = path.resolve(optionValue(argv, '--out') ?? path.join(root, `${manifest.name}-${target}-${manifest.version}.vsix`));
	const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
	// The README's links to the repository's other files stay relative: the package names no repository to prefix them with.
	execFileSync(process.execPath, [vsce, 'package', '--target', target, '--no-rewrite-relative-links', '--out', out], {
		cwd: stage,
		stdio: 'inherit',
	});
	console.log(`${out} (${(fs.statSync(out).size / 1024 ** 2).toFixed(1)} MiB, ${packages.length} runtime packages)`);
}

/**
 * The published manifest: no scripts (vsce would run them), no development dependencies, and of the
 * run-time dependencies only node-llama-cpp, because esbuild bundled all the others.
 */
function writeManifest(root: string, stage: string): void {
	const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown> & {
		dependencies: Record<string, string>;
	};
	delete manifest.scripts;
	delete manifest.devDependencies;
	manifest.dependencies = { 'node-llama-cpp': manifest.dependencies['node-llama-cpp']! };
	fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * vsce checks the staged packages with `npm list`, which fails on a dependency that is not there: a
 * package's manifest in the VSIX no longer names the build-only packages left out of it.
 */
function dropBuildOnlyDependencies(manifestPath: string): void {
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string> };
	const names = Object.keys(manifest.dependencies ?? {}).filter((name) => BUILD_ONLY_PACKAGES.has(name));
	if (names.length === 0) {
		return;
	}
	for (const name of names) {
		delete manifest.dependencies![name];
	}
	fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

function copy(from: string, to: string, filter?: (file: string) => boolean): void {
	fs.mkdirSync(path.dirname(to), { recursive: true });
	fs.cpSync(from, to, { recursive: true, dereference: true, filter });
}

function optionValue(argv: string[], name: string): string | undefined {
	const index = argv.indexOf(name);
	return index === -1 ? undefined : argv[index + 1];
}

try {
	main(process.argv.slice(2));
} catch (error) {
	console.error(messageOf(error));
	process.exit(1);
}
