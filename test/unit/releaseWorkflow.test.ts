import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { validateWorkflow, type ValidationError } from '@action-validator/core';
import { parse } from 'yaml';
import { NATIVE_PACKAGES } from '../../src/build/nativeTargets.js';
import { repoRoot } from '../helpers/paths.js';

/**
 * The release workflow (.github/workflows/release.yml) cannot run here, so it is checked statically:
 * against GitHub's workflow schema (action-validator, the schema SchemaStore publishes), and against
 * the project: its matrix is the packaging script's targets with their runners, and every command it
 * runs is an npm script of package.json with options the packager reads.
 */
interface Step {
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
}
interface Workflow {
	jobs: Record<string, { 'runs-on': string; strategy?: { matrix: { include: { target: string; runner: string }[] } }; steps: Step[] }>;
}

const workflowPath = path.join(repoRoot, '.github', 'workflows', 'release.yml');

function describeErrors(errors: ValidationError[]): string {
	return errors.map((error) => `${'path' in error ? error.path : ''} ${error.title}: ${error.detail ?? ''}`).join('\n');
}

/** The `npm run NAME -- ARGS` and `npm ci` commands of a step's script, one per line. */
function npmCommands(run: string): { script: string; args: string[] }[] {
	return run
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line.startsWith('npm '))
		.map((line) => {
			// Words split at spaces, except inside an expression: `hearth-${{ matrix.target }}.vsix` is one word.
			const words = line.match(/(?:[^\s$]|\$(?!\{\{)|\$\{\{.*?\}\})+/g) ?? ([] as string[]);
			if (words[1] === 'run') {
				const separator = words.indexOf('--');
				return { script: words[2]!, args: separator === -1 ? [] : words.slice(separator + 1) };
			}
			return { script: words[1]!, args: words.slice(2) };
		});
}

describe('release workflow (.github/workflows/release.yml)', function () {
	const source = fs.readFileSync(workflowPath, 'utf8');
	const workflow = parse(source) as Workflow;
	const job = workflow.jobs.vsix!;
	const scripts = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
		.scripts;

	it('is a valid GitHub Actions workflow', function () {
		const state = validateWorkflow(source);
		assert.equal(state.actionType, 'workflow');
		assert.deepEqual(state.errors, [], describeErrors(state.errors));
	});

	it('the validator rejects a broken workflow (so the check above can fail)', function () {
		const broken = source.replace('runs-on: ${{ matrix.runner }}', 'runs_on: ${{ matrix.runner }}');
		assert.notEqual(broken, source);
		assert.notDeepEqual(validateWorkflow(broken).errors, []);
	});

	it("builds every packaging target that has a runner, each on that target's runner", function () {
		const expected = Object.entries(NATIVE_PACKAGES)
			.filter(([, natives]) => natives.runner)
			.map(([target, natives]) => ({ target, runner: natives.runner }))
			.sort((a, b) => a.target.localeCompare(b.target));
		const matrix = [...job.strategy!.matrix.include].sort((a, b) => a.target.localeCompare(b.target));
		assert.deepEqual(matrix, expected);
		assert.equal(job['runs-on'], '${{ matrix.runner }}');
		assert.deepEqual(
			expected.map((entry) => entry.target),
			['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64'],
		);
	});

	it('runs only npm scripts that package.json has, with options the packager reads', function () {
		const commands = job.steps.flatMap((step) => (step.run ? npmCommands(step.run) : []));
		assert.deepEqual(
			commands.map((command) => command.script),
			['ci', 'package', 'smoke:vsix'],
		);
		for (const { script } of commands.filter((command) => command.script !== 'ci')) {
			assert.ok(scripts[script], `package.json has no script "${script}"`);
		}
		assert.match(
			scripts.package!,
			/node out\/src\/build\/packageVsix\.js$/,
			'the package script ends with the packager, so its arguments reach it',
		);
		assert.match(scripts['smoke:vsix']!, /^node out\/src\/bench\/smokeVsix\.js$/);
		const packager = fs.readFileSync(path.join(repoRoot, 'src', 'build', 'packageVsix.ts'), 'utf8');
		const packageArgs = commands.find((command) => command.script === 'package')!.args;
		for (const option of packageArgs.filter((arg) => arg.startsWith('--'))) {
			assert.ok(packager.includes(`'${option}'`), `src/build/packageVsix.ts reads no option ${option}`);
		}
		assert.deepEqual(packageArgs.slice(0, 2), ['--target', '${{ matrix.target }}']);
	});

	it('smoke-tests and uploads the very VSIX it packaged', function () {
		const commands = job.steps.flatMap((step) => (step.run ? npmCommands(step.run) : []));
		const packageArgs = commands.find((command) => command.script === 'package')!.args;
		const vsix = packageArgs[packageArgs.indexOf('--out') + 1];
		assert.equal(vsix, 'hearth-${{ matrix.target }}.vsix');
		assert.deepEqual(commands.find((command) => command.script === 'smoke:vsix')!.args, [vsix]);
		const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
		assert.equal(upload?.with?.path, vsix);
		const steps = job.steps.map((step) => step.uses ?? step.run ?? '');
		const order = ['npm ci', 'npm run package', 'npm run smoke:vsix', 'actions/upload-artifact@'].map((prefix) =>
			steps.findIndex((step) => step.startsWith(prefix)),
		);
		assert.deepEqual(
			order,
			[...order].sort((a, b) => a - b),
			`install, package, smoke-test, upload in that order: ${JSON.stringify(order)}`,
		);
		assert.ok(!order.includes(-1), `every step is there: ${JSON.stringify(order)}`);
	});
});
