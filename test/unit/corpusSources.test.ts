import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildCorpus } from '../../src/train/corpus/buildCorpus.js';
import { parseCorpusSources, parseNpmPackageSpec, type CorpusSources } from '../../src/train/corpus/corpusSources.js';
import {
	aptInstallCommand,
	installedFromDpkgQuery,
	npmPackagesToInstall,
	prepareCorpusSources,
} from '../../src/train/corpus/installSources.js';
import { repoRoot } from '../helpers/paths.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'corpus');
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const small = () => readJson(path.join(fixtures, 'sources', 'small.json')) as Record<string, unknown>;

/** The small fixture list with one part replaced, for the error cases. */
function withChange(change: (list: Record<string, unknown>) => void): Record<string, unknown> {
	const list = small();
	change(list);
	return list;
}

function rejects(list: unknown, message: RegExp): void {
	assert.throws(
		() => parseCorpusSources(list, repoRoot, 'test.json'),
		(error: Error) => {
			assert.match(error.message, /^test\.json: /);
			assert.match(error.message, message);
			return true;
		},
	);
}

async function writePackage(nodeModules: string, name: string, version: string): Promise<void> {
	const directory = path.join(nodeModules, ...name.split('/'));
	await mkdir(directory, { recursive: true });
	await writeFile(path.join(directory, 'package.json'), JSON.stringify({ name, version, license: 'MIT' }));
}

describe('corpus sources list', function () {
	it('reads a valid list: packages, roots resolved against the project root, build defaults', function () {
		const sources = parseCorpusSources(small(), repoRoot);
		assert.deepEqual(sources.debianPackages, ['golang-1.19-src', 'python3-django']);
		assert.deepEqual(sources.npmPackages, [
			{ name: '@tanstack/query-core', version: '5.108.4' },
			{ name: 'effect', version: '4.1.5' },
		]);
		assert.deepEqual(sources.roots, [
			{ kind: 'debian', directory: '/usr/share/go-1.19/src', base: '/usr/share/go-1.19' },
			{ kind: 'debian', directory: '/usr/lib/python3/dist-packages', base: '/usr/lib/python3/dist-packages' },
			{ kind: 'npm', directory: path.join(repoRoot, 'test', 'fixtures', 'corpus', 'packages') },
			{ kind: 'npm-packages' },
		]);
		assert.deepEqual(sources.build, {
			maxBytes: 1_000_000,
			maxFileBytes: undefined,
			heldoutFraction: 0.5,
			maxOriginShare: 0.1,
			seed: 3,
		});
	});

	it("the checked-in list is valid and pins the gpu-base corpus's versions", function () {
		const sources = parseCorpusSources(readJson(path.join(repoRoot, 'models', 'recipe', 'corpus-sources.json')), repoRoot);
		const npm = new Map(sources.npmPackages.map((spec) => [spec.name, spec.version]));
		assert.equal(npm.get('effect'), '4.1.5');
		assert.equal(npm.get('@tanstack/query-core'), '5.108.4');
		for (const name of ['golang-1.19-src', 'rust-src', 'libpython3.11-stdlib', 'python3-django', 'python3-numpy'])
			assert.ok(sources.debianPackages.includes(name), name);
		assert.ok(sources.roots.some((root) => root.kind === 'npm-packages'));
		assert.ok(sources.roots.some((root) => root.kind === 'npm' && root.directory === path.join(repoRoot, 'node_modules')));
		assert.equal(sources.build.maxBytes, 170_000_000);
		assert.equal(sources.build.heldoutFraction, 0.02);
	});

	it('parses npm specs with scopes and refuses anything but an exact version', function () {
		assert.deepEqual(parseNpmPackageSpec('@reduxjs/toolkit@2.16.0'), { name: '@reduxjs/toolkit', version: '2.16.0' });
		assert.deepEqual(parseNpmPackageSpec('left-pad@1.0.0-beta.2'), { name: 'left-pad', version: '1.0.0-beta.2' });
		for (const [spec, message] of [
			['lodash', /needs an exact version/],
			['@scope/only', /needs an exact version/],
			['lodash@^4.17.21', /not an exact version/],
			['zod@latest', /not an exact version/],
			['zod@3', /not an exact version/],
			['Big_Name@1.0.0', /not a valid npm package name/],
		] as const) {
			assert.throws(() => parseNpmPackageSpec(spec), message, spec);
		}
	});

	it('says which entry is wrong and why', function () {
		rejects(
			withChange((list) => (list['format'] = 'hearth-corpus-sources/0')),
			/"format" must be "hearth-corpus-sources\/1"/,
		);
		rejects(
			withChange((list) => ((list['npm'] as { packages: string[] }).packages[1] = 'effect@^4.1.5')),
			/npm\.packages\[1\]: .*"\^4\.1\.5" is not an exact version/,
		);
		rejects(
			withChange((list) => ((list['npm'] as { packages: string[] }).packages = ['effect@4.1.5', 'effect@4.1.4'])),
			/npm\.packages\[1\] "effect@4\.1\.4": effect is listed twice/,
		);
		rejects(
			withChange((list) => ((list['debian'] as { packages: string[] }).packages = ['Python3_Django'])),
			/debian\.packages\[0\] "Python3_Django" is not a Debian package name/,
		);
		rejects(
			withChange((list) => ((list['debian'] as { packages: string[] }).packages = ['rust-src', 'rust-src'])),
			/debian\.packages\[1\] "rust-src" is listed twice/,
		);
		rejects(
			withChange((list) => ((list['debian'] as { packages: unknown }).packages = 'rust-src')),
			/debian\.packages must be a list of strings/,
		);
		rejects(
			withChange((list) => (list['debain'] = { packages: [] })),
			/unknown field "debain"/,
		);
		rejects(
			withChange((list) => ((list['npm'] as Record<string, unknown>)['packges'] = [])),
			/npm has an unknown field "packges"/,
		);
		rejects(
			withChange((list) => (list['roots'] = [])),
			/"roots" must be a non-empty list/,
		);
		rejects(
			withChange((list) => ((list['roots'] as unknown[])[0] = { kind: 'pip', directory: '/x' })),
			/roots\[0\]\.kind must be "debian", "npm" or "npm-packages" \(found "pip"\)/,
		);
		rejects(
			withChange((list) => ((list['roots'] as unknown[])[1] = { kind: 'debian' })),
			/roots\[1\]\.directory must be a non-empty string/,
		);
		rejects(
			withChange(
				(list) => ((list['roots'] as unknown[])[0] = { kind: 'debian', directory: '/usr/share/go-1.19/src', base: '/usr/lib' }),
			),
			/roots\[0\]: directory .* is not inside its base/,
		);
		rejects(
			withChange((list) => ((list['roots'] as unknown[])[2] = { kind: 'npm', directory: 'x', base: 'y' })),
			/roots\[2\] has an unknown field "base"/,
		);
		rejects(
			withChange((list) => (list['roots'] = (list['roots'] as unknown[]).slice(0, 3))),
			/npm\.packages lists packages but no root is \{ "kind": "npm-packages" \}/,
		);
		rejects(
			withChange((list) => delete list['npm']),
			/roots\[3\] is "npm-packages" but npm\.packages is empty/,
		);
		rejects(
			withChange((list) => ((list['build'] as Record<string, unknown>)['maxOriginShare'] = 1.5)),
			/build\.maxOriginShare must be a number from 0 to 1/,
		);
		rejects(
			withChange((list) => ((list['build'] as Record<string, unknown>)['maxOriginShare'] = 0)),
			/build\.maxOriginShare must be above 0/,
		);
		rejects(
			withChange((list) => ((list['build'] as Record<string, unknown>)['maxBytes'] = '170 MB')),
			/build\.maxBytes must be a positive integer/,
		);
		rejects([], /the sources list must be an object/);
	});
});

describe('corpus sources installation', function () {
	let directory: string;

	beforeEach(async function () {
		directory = await mkdtemp(path.join(os.tmpdir(), 'hearth-corpus-sources-'));
	});

	afterEach(async function () {
		await rm(directory, { recursive: true, force: true });
	});

	it('reads dpkg-query output: only fully installed packages count', function () {
		const output = 'golang-1.19-src\tii \nrust-src\trc \npython3-numpy:amd64\tii \npython3-django\tun \n';
		assert.deepEqual([...installedFromDpkgQuery(output)].sort(), ['golang-1.19-src', 'python3-numpy']);
		assert.equal(
			aptInstallCommand(['rust-src', 'python3-django']),
			'apt-get update && apt-get install -y --no-install-recommends rust-src python3-django',
		);
	});

	it('finds npm packages missing from the scratch folder or there at another version', async function () {
		const nodeModules = path.join(directory, 'node_modules');
		await writePackage(nodeModules, '@tanstack/query-core', '5.108.4');
		await writePackage(nodeModules, 'effect', '4.1.4');
		const wanted = [
			{ name: '@tanstack/query-core', version: '5.108.4' },
			{ name: 'effect', version: '4.1.5' },
			{ name: 'zod', version: '3.25.76' },
		];
		assert.deepEqual(await npmPackagesToInstall(directory, wanted), wanted.slice(1));
	});

	it('without installing, names the npm command to run; with everything there, gives the roots to read', async function () {
		const sources: CorpusSources = {
			debianPackages: [],
			npmPackages: [{ name: 'effect', version: '4.1.5' }],
			roots: [{ kind: 'npm', directory: path.join(fixtures, 'packages') }, { kind: 'npm-packages' }],
			build: {},
		};
		await assert.rejects(prepareCorpusSources(sources, { scratch: directory, install: false }), (error: Error) => {
			assert.match(
				error.message,
				/1 npm packages are not in .*node_modules; run:\n {2}npm install --ignore-scripts --no-save --no-audit --no-fund --prefix \S+ effect@4\.1\.5$/,
			);
			return true;
		});
		await writePackage(path.join(directory, 'node_modules'), 'effect', '4.1.5');
		assert.deepEqual(await prepareCorpusSources(sources, { scratch: directory, install: false }), [
			{ kind: 'npm', directory: path.join(fixtures, 'packages') },
			{ kind: 'npm', directory: path.join(directory, 'node_modules') },
		]);
	});

	it('a root that is not there is an error naming it', async function () {
		const sources: CorpusSources = {
			debianPackages: [],
			npmPackages: [],
			roots: [{ kind: 'debian', directory: path.join(directory, 'go', 'src'), base: path.join(directory, 'go') }],
			build: {},
		};
		await assert.rejects(
			prepareCorpusSources(sources, { scratch: directory, install: false }),
			/debian root .*go\/src does not exist \(is the Debian package that provides it in debian\.packages and installed\?\)/,
		);
	});

	it('checks Debian packages with dpkg and names the apt-get command for the missing ones', async function () {
		if (!existsSync('/var/lib/dpkg')) this.skip();
		const sources = (packages: string[]): CorpusSources => ({
			debianPackages: packages,
			npmPackages: [],
			roots: [{ kind: 'npm', directory: path.join(fixtures, 'packages') }],
			build: {},
		});
		await prepareCorpusSources(sources(['dpkg']), { scratch: directory, install: false });
		await assert.rejects(
			prepareCorpusSources(sources(['dpkg', 'hearth-no-such-package']), { scratch: directory, install: false }),
			/1 Debian packages of the sources list are not installed; (as root, )?run:\n {2}apt-get update && apt-get install -y --no-install-recommends hearth-no-such-package$/,
		);
	});

	it("reads only the listed Debian packages' files from a Debian root", async function () {
		// A dpkg database and doc folder of two packages, each owning one Python file under the root.
		const root = path.join(directory, 'dist-packages');
		const info = path.join(directory, 'dpkg-info');
		const doc = path.join(directory, 'doc');
		for (const name of ['alpha', 'beta']) {
			const file = path.join(root, name, 'core.py');
			await mkdir(path.dirname(file), { recursive: true });
			await writeFile(
				file,
				`def ${name}_first(value):\n    return value + 1\n\n\ndef ${name}_second(value):\n    return ${name}_first(value) * 2\n`,
			);
			await mkdir(info, { recursive: true });
			await writeFile(path.join(info, `python3-${name}.list`), `${path.dirname(file)}\n${file}\n`);
			await mkdir(path.join(doc, `python3-${name}`), { recursive: true });
			await writeFile(
				path.join(doc, `python3-${name}`, 'copyright'),
				'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: MIT\n',
			);
		}
		const result = await buildCorpus({
			roots: [{ kind: 'debian', directory: root, base: root }],
			outDirectory: path.join(directory, 'out'),
			maxBytes: 100_000,
			seed: 1,
			debianLocations: { dpkgInfoDirectory: info, docDirectory: doc },
			debianPackages: ['python3-alpha'],
		});
		assert.deepEqual(
			result.sources.origins.map((origin) => origin.origin),
			['debian:python3-alpha'],
		);
		assert.deepEqual(result.skipped['debian-package-not-in-sources-list']?.examples, ['beta/core.py (python3-beta)']);
	});

	it('the command line reports a bad sources list in one line, without a stack', async function () {
		const list = path.join(directory, 'bad.json');
		await writeFile(
			list,
			JSON.stringify(withChange((value) => ((value['npm'] as { packages: string[] }).packages[0] = 'effect@~4.1'))),
		);
		const cli = path.join(repoRoot, 'out', 'src', 'cli', 'buildCorpus.js');
		const result = await promisify(execFile)(process.execPath, [cli, '--sources', list, '--out', path.join(directory, 'out')]).then(
			() => assert.fail('a bad sources list must fail'),
			(error: { code: number; stderr: string }) => error,
		);
		assert.equal(result.code, 1);
		assert.equal(
			result.stderr.trim(),
			`Building the corpus failed: ${list}: npm.packages[0]: npm package "effect@~4.1": "~4.1" is not an exact version (ranges and tags would bring back other files and another held-out split)`,
		);
		assert.equal(existsSync(path.join(directory, 'out')), false);
	});
});
