import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dependencyClosure } from '../../src/build/dependencyClosure.js';

/**
 * The packager's run-time closure over a small installed tree written to a temporary folder: optional
 * peer dependencies, other platforms' binaries and excluded packages stay out, and what only they
 * need goes with them.
 */
describe('dependencyClosure (the packages a VSIX ships)', function () {
	let project: string;

	function install(at: string, manifest: Record<string, unknown>): void {
		const directory = path.join(project, at);
		fs.mkdirSync(directory, { recursive: true });
		fs.writeFileSync(path.join(directory, 'package.json'), JSON.stringify(manifest));
	}
	const names = (directories: string[]) => directories.map((directory) => path.relative(project, directory).split(path.sep).join('/'));

	beforeEach(function () {
		project = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-closure-'));
		install('node_modules/engine', {
			name: 'engine',
			dependencies: { shared: '1', 'build-tool': '1', nested: '1' },
			optionalDependencies: { 'native-linux-x64': '1', 'native-linux-arm64': '1', 'native-darwin-arm64': '1' },
			peerDependencies: { compiler: '1', host: '1' },
			peerDependenciesMeta: { compiler: { optional: true } },
		});
		install('node_modules/shared', { name: 'shared' });
		install('node_modules/host', { name: 'host' });
		install('node_modules/compiler', { name: 'compiler' });
		install('node_modules/build-tool', { name: 'build-tool', dependencies: { 'only-for-building': '1', shared: '1' } });
		install('node_modules/only-for-building', { name: 'only-for-building' });
		install('node_modules/native-linux-x64', { name: 'native-linux-x64', os: ['linux'], cpu: ['x64'] });
		// Installed by hand (npm would skip it here): packaging for a target other than this machine.
		install('node_modules/native-linux-arm64', { name: 'native-linux-arm64', os: ['linux'], cpu: ['arm64'] });
		install('node_modules/engine/node_modules/nested', { name: 'nested' });
	});

	afterEach(function () {
		fs.rmSync(project, { recursive: true, force: true });
	});

	it("keeps the target's binaries and leaves out optional peers, excluded packages and other platforms' binaries", function () {
		const closure = dependencyClosure(project, 'engine', { os: 'linux', cpu: 'x64' }, (name) => name === 'build-tool');
		assert.deepEqual(names(closure), [
			'node_modules/engine',
			'node_modules/engine/node_modules/nested',
			'node_modules/host',
			'node_modules/native-linux-x64',
			'node_modules/shared',
		]);
	});

	it('picks the binaries of the target asked for, not of this machine', function () {
		const closure = dependencyClosure(project, 'engine', { os: 'linux', cpu: 'arm64' }, () => false);
		assert.deepEqual(names(closure), [
			'node_modules/build-tool',
			'node_modules/engine',
			'node_modules/engine/node_modules/nested',
			'node_modules/host',
			'node_modules/native-linux-arm64',
			'node_modules/only-for-building',
			'node_modules/shared',
		]);
	});

	it('fails on a required dependency that does not run on the target, or is not installed', function () {
		install('node_modules/shared', { name: 'shared', os: ['!linux'] });
		assert.throws(
			() => dependencyClosure(project, 'engine', { os: 'linux', cpu: 'x64' }, () => false),
			/shared .*does not run on linux-x64/,
		);
		fs.rmSync(path.join(project, 'node_modules/host'), { recursive: true });
		assert.throws(
			() => dependencyClosure(project, 'engine', { os: 'darwin', cpu: 'arm64' }, () => false),
			/host is needed at run time but is not installed/,
		);
	});
});
