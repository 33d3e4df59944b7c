#!/usr/bin/env node
// `npm run test:vscode`: the in-editor suite in a real VS Code downloaded by @vscode/test-electron,
// at the oldest version the manifest allows and at the newest stable. Needs internet access to
// download VS Code, so it is not part of `npm test` on machines without it (the code-server suite
// in test/e2e covers a real editor there).
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { messageOf } from '../../src/shared/errorMessage.js';

const VERSIONS = ['1.100.0', 'stable'];

async function main(): Promise<number> {
	for (const bundle of ['dist/extension.cjs', 'dist/server.mjs']) {
		if (!fs.existsSync(path.join(repoRoot, bundle))) {
			console.error(`${bundle} is missing: run \`npm run setup\` first`);
			return 1;
		}
	}
	// VS Code loads the tests entry with require(): bundle the suite as CommonJS.
	const extensionTestsPath = path.join(repoRoot, 'out', 'vscode-tests', 'suite.cjs');
	await esbuild.build({
		entryPoints: [path.join(repoRoot, 'test/vscode/suite/index.ts')],
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: 'node20',
		outfile: extensionTestsPath,
		external: ['vscode', 'mocha'],
		logLevel: 'warning',
	});
	const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-vscode-tests-'));
	fs.writeFileSync(path.join(workspace, 'example.ts'), 'export const answer = 42;\n');
	for (const version of VERSIONS) {
		console.log(`== VS Code ${version}`);
		try {
			await runTests({
				version,
				extensionDevelopmentPath: repoRoot,
				extensionTestsPath,
				launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
			});
		} catch (error) {
			console.error(`VS Code ${version}: ${messageOf(error)}`);
			console.error('(This runner downloads VS Code; without internet access use `npm run test:e2e`, which runs code-server.)');
			return 1;
		}
	}
	return 0;
}

main().then((code) => process.exit(code));
