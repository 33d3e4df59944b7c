import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { zipEntries, type ZipEntry } from '../../src/bench/zipArchive.js';
import { currentTarget, NATIVE_PACKAGES } from '../../src/build/nativeTargets.js';
import { DECODE_ABORT_MODULE_NAME } from '../../src/engine/runtime/decodeAbort.js';
import { BUNDLED_MODEL_RELATIVE_PATH } from '../../src/shared/bundledModel.js';
import { buildExtensionVsix } from '../e2e/support/extensionVsix.js';
import { repoRoot } from '../helpers/paths.js';

/**
 * An allow-list over the files of the VSIX that `npm run package` makes for this machine (built by the
 * release packager once per change of its inputs, and shared with the e2e suite): every file is one the
 * extension runs, loads or must carry (licences), and nothing of what it never runs is there: no
 * TypeScript compiler, no build-only package, no other platform's binaries, no types or docs.
 */
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The extension's own files, outside node_modules. */
const EXTENSION_FILES = [
	/^extension\.vsixmanifest$/,
	/^\[Content_Types\]\.xml$/,
	/^extension\/package\.json$/,
	/^extension\/readme\.md$/,
	/^extension\/changelog\.md$/,
	/^extension\/LICENSE\.txt$/,
	/^extension\/dist\/(extension\.cjs|server\.mjs)$/,
	/^extension\/dist\/tree-sitter\/tree-sitter(-(typescript|javascript|python))?\.(js|wasm)$/,
	// The decode abort, for this machine's platform (src/engine/native/decodeAbort.cpp).
	new RegExp(`^extension/dist/native/${escape(DECODE_ABORT_MODULE_NAME)}$`),
	/^extension\/media\/[^/]+\.(svg|png)$/,
	/^extension\/media\/walkthrough\/[^/]+\.md$/,
	/^extension\/media\/answerView\.(js|css)$/,
	new RegExp(`^extension/${escape(BUNDLED_MODEL_RELATIVE_PATH)}$`),
];

/** Files under node_modules, by what they are: code and data, native libraries, grammars, licences, a package's command. */
const PACKAGE_FILES = [
	/\.(js|cjs|mjs|json)$/,
	/\.(node|so(\.\d+)*|dylib|dll|metal|metallib)$/,
	/\.g?bnf$/,
	/\/(licen[cs]e|copying|notice)(-[a-z]+)?(\.(txt|md))?$/i,
	/^extension\/node_modules\/node-llama-cpp\/bins\/_[^/]+\.moved\.txt$/,
	/\/bin\/[^/.]+$/,
];

/** What must never be in the VSIX, named so a failure says which. */
const NEVER = [
	{ what: 'the TypeScript compiler', pattern: /node_modules\/typescript\// },
	{ what: 'build-only packages', pattern: /node_modules\/(cmake-js|node-api-headers|node-addon-api|yargs|validate-npm-package-name)\// },
	{
		what: "llama.cpp's sources and build files",
		pattern: /node-llama-cpp\/llama\/(gitRelease\.bundle|addon|cmake|CMakeLists\.txt|patches|toolchains|xpack)/,
	},
	{ what: "node-llama-cpp's project templates", pattern: /node-llama-cpp\/templates\// },
	{ what: 'types, TypeScript sources, source maps and docs', pattern: /node_modules\/.*\.(d\.[cm]?ts|[cm]?ts|map|md|tsbuildinfo)$/ },
];

describe('VSIX contents (allow-list)', function () {
	const target = currentTarget();
	let entries: ZipEntry[];
	let files: string[];

	before(async function () {
		// Packaging bundles the extension for production and zips ~60 MB; reused while its inputs are unchanged.
		this.timeout(10 * 60_000);
		const vsix = await buildExtensionVsix();
		entries = zipEntries(fs.readFileSync(vsix.path));
		files = entries.filter((entry) => !entry.name.endsWith('/')).map((entry) => entry.name);
	});

	it('every file matches an allowed pattern', function () {
		const unexpected = files.filter((file) =>
			file.startsWith('extension/node_modules/')
				? !PACKAGE_FILES.some((pattern) => pattern.test(file))
				: !EXTENSION_FILES.some((pattern) => pattern.test(file)),
		);
		assert.deepEqual(unexpected, []);
	});

	it('holds nothing of what the extension never runs', function () {
		for (const { what, pattern } of NEVER) {
			assert.deepEqual(
				files.filter((file) => pattern.test(file)),
				[],
				what,
			);
		}
	});

	it(`carries this platform's CPU binaries (${target}) and no other platform's`, function () {
		const cpu = NATIVE_PACKAGES[target]!.cpu;
		const binaryPackages = new Set(
			files.map((file) => /node_modules\/(@node-llama-cpp\/[^/]+|@reflink\/[^/]+)\//.exec(file)?.[1]).filter(Boolean),
		);
		const nodeLlamaCpp = [...binaryPackages].filter((name) => name!.startsWith('@node-llama-cpp/'));
		assert.deepEqual(nodeLlamaCpp, [cpu]);
		const reflink = [...binaryPackages].filter((name) => name!.startsWith('@reflink/reflink-'));
		assert.deepEqual(
			reflink.filter((name) => !name!.startsWith(`@reflink/reflink-${target}`)),
			[],
		);
		assert.ok(
			files.some((file) => file.startsWith(`extension/node_modules/${cpu}/`) && file.endsWith('/llama-addon.node')),
			`${cpu}'s llama-addon.node is in the VSIX`,
		);
	});

	it("carries the Marketplace page's parts: the icon, the changelog and every file the walkthrough shows", function () {
		const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
			icon: string;
			contributes: { walkthroughs: { steps: { media: { markdown?: string; image?: string } }[] }[] };
		};
		const shown = manifest.contributes.walkthroughs.flatMap((walkthrough) =>
			walkthrough.steps.map((step) => step.media.markdown ?? step.media.image!),
		);
		assert.ok(shown.length >= 4, `walkthrough media: ${JSON.stringify(shown)}`);
		for (const file of ['changelog.md', manifest.icon, ...shown]) {
			assert.ok(files.includes(`extension/${file}`), `${file} is in the VSIX`);
		}
	});

	it('carries what the server loads: the bundles, the model and node-llama-cpp', function () {
		for (const file of [
			'extension/dist/extension.cjs',
			'extension/dist/server.mjs',
			'extension/dist/tree-sitter/tree-sitter.js',
			'extension/dist/tree-sitter/tree-sitter.wasm',
			'extension/dist/tree-sitter/tree-sitter-typescript.wasm',
			'extension/dist/tree-sitter/tree-sitter-javascript.wasm',
			'extension/dist/tree-sitter/tree-sitter-python.wasm',
			`extension/${BUNDLED_MODEL_RELATIVE_PATH}`,
			'extension/node_modules/node-llama-cpp/package.json',
			'extension/node_modules/node-llama-cpp/dist/index.js',
		]) {
			assert.ok(files.includes(file), `${file} is in the VSIX`);
		}
		// Built by `npm run build` where there is a C++ compiler (CI has one); the VSIX carries it when it was built.
		if (fs.existsSync(path.join(repoRoot, 'dist', 'native', DECODE_ABORT_MODULE_NAME))) {
			assert.ok(files.includes(`extension/dist/native/${DECODE_ABORT_MODULE_NAME}`), 'the decode abort module is in the VSIX');
		}
	});
});
