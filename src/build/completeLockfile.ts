#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../tooling/projectRoot.js';

/**
 * The npm registry mirror these machines reach serves node-llama-cpp's Linux binary packages only.
 * npm then leaves the macOS, Windows and riscv64 packages out of package-lock.json, and `npm ci`
 * rejects the lock as out of sync with package.json. This adds the entries npm writes against the
 * full registry (version, os, cpu, optional), so `npm ci` skips them here without fetching them and
 * installs them on the platforms they are for. Run it after any `npm install`: `npm run lock:complete`.
 */
const PLATFORMS: Record<string, { os: string; cpu: string }> = {
	'linux-x64': { os: 'linux', cpu: 'x64' },
	'linux-x64-cuda': { os: 'linux', cpu: 'x64' },
	'linux-x64-cuda-ext': { os: 'linux', cpu: 'x64' },
	'linux-x64-vulkan': { os: 'linux', cpu: 'x64' },
	'linux-arm64': { os: 'linux', cpu: 'arm64' },
	'linux-armv7l': { os: 'linux', cpu: 'arm' },
	'linux-riscv64': { os: 'linux', cpu: 'riscv64' },
	'mac-arm64-metal': { os: 'darwin', cpu: 'arm64' },
	'mac-x64': { os: 'darwin', cpu: 'x64' },
	'win-arm64': { os: 'win32', cpu: 'arm64' },
	'win-x64': { os: 'win32', cpu: 'x64' },
	'win-x64-cuda': { os: 'win32', cpu: 'x64' },
	'win-x64-cuda-ext': { os: 'win32', cpu: 'x64' },
	'win-x64-vulkan': { os: 'win32', cpu: 'x64' },
};

interface LockEntry {
	version?: string;
	optionalDependencies?: Record<string, string>;
	[key: string]: unknown;
}

const root = projectRoot();
const lockPath = path.join(root, 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as { packages: Record<string, LockEntry> };
const nodeLlamaCpp = lock.packages['node_modules/node-llama-cpp'];
if (!nodeLlamaCpp?.optionalDependencies) {
	console.error('package-lock.json has no node-llama-cpp entry with optional dependencies; run npm install first');
	process.exit(1);
}
const added: string[] = [];
for (const [name, version] of Object.entries(nodeLlamaCpp.optionalDependencies)) {
	const key = `node_modules/${name}`;
	const platform = PLATFORMS[name.replace('@node-llama-cpp/', '')];
	if (lock.packages[key] || !platform) {
		if (!platform) {
			console.error(`Unknown node-llama-cpp platform package ${name}: add its os and cpu to src/build/completeLockfile.ts`);
			process.exit(1);
		}
		continue;
	}
	lock.packages[key] = { version, cpu: [platform.cpu], license: 'MIT', optional: true, os: [platform.os], engines: { node: '>=20.0.0' } };
	added.push(name);
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `Added ${added.join(', ')}` : 'package-lock.json already lists every platform package');
