import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/**
 * The architecture's layering, enforced: the model work (engine) and the server process never see
 * VS Code, the extension host never loads node-llama-cpp (a native crash there would take the editor
 * down), and the protocol in shared/ depends on nothing else of ours.
 */
const RULES: { layer: string; forbidden: RegExp; why: string }[] = [
	{
		layer: 'src/engine',
		forbidden: /^vscode$|^vscode-languageclient|^vscode-languageserver|\/(server|extension)\//,
		why: 'the engine is plain TypeScript, runnable from a CLI',
	},
	{ layer: 'src/server', forbidden: /^vscode$|^vscode-languageclient|\/extension\//, why: 'the server process has no VS Code API' },
	{
		layer: 'src/shared',
		forbidden: /^vscode|^node-llama-cpp|\/(engine|server|extension|cli|build)\//,
		why: 'the protocol depends on nothing else',
	},
	{ layer: 'src/extension', forbidden: /^node-llama-cpp|\/engine\/|\/server\//, why: 'the extension host never loads the model' },
];

function importsOf(file: string): string[] {
	const source = fs.readFileSync(file, 'utf8');
	const specifiers: string[] = [];
	for (const match of source.matchAll(
		/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g,
	)) {
		specifiers.push(match[1] ?? match[2] ?? match[3]!);
	}
	return specifiers;
}

function typeScriptFiles(directory: string): string[] {
	return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(directory, entry.name);
		return entry.isDirectory() ? typeScriptFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
	});
}

describe('architecture layers', function () {
	for (const rule of RULES) {
		it(`${rule.layer} imports nothing it must not (${rule.why})`, function () {
			const files = typeScriptFiles(path.join(repoRoot, rule.layer));
			assert.ok(files.length > 0, `${rule.layer} has sources`);
			const violations = files.flatMap((file) =>
				importsOf(file)
					.filter((specifier) => rule.forbidden.test(specifier))
					.map((specifier) => `${path.relative(repoRoot, file)} imports ${specifier}`),
			);
			assert.deepEqual(violations, []);
		});
	}

	it('the import scanner sees imports (a check that cannot fail is no check)', function () {
		const extensionMain = path.join(repoRoot, 'src/extension/main.ts');
		assert.ok(importsOf(extensionMain).includes('vscode'));
	});
});
