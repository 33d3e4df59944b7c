import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEscalationSettings, parseSettings } from '../../src/shared/parseSettings.js';
import { DEFAULT_SETTINGS, modelReloadNeeded } from '../../src/shared/settings.js';
import { repoRoot } from '../helpers/paths.js';

describe('settings', function () {
	it('uses the defaults when nothing is set', function () {
		assert.deepEqual(parseSettings(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
		assert.deepEqual(parseSettings({}).settings, DEFAULT_SETTINGS);
	});

	it('reads valid values', function () {
		const { settings, problems } = parseSettings({
			model: { path: '  /models/a.gguf ' },
			inlineCompletion: {
				enabled: false,
				enable: { '*': true, markdown: true },
				maxTokens: 128,
				mode: 'single-line',
				timeBudgetMs: 500,
				debounceMinMs: 10,
				debounceMaxMs: 200,
				contextBudget: 900,
				extraContext: false,
				prefetch: false,
				minConfidence: 40,
				minTokenConfidence: 30,
			},
			performance: { threads: 6, contextSize: 4096, gpu: 'off' },
		});
		assert.deepEqual(problems, []);
		assert.equal(settings.model.path, '/models/a.gguf');
		assert.deepEqual(settings.inlineCompletion, {
			enabled: false,
			enable: { '*': true, markdown: true },
			maxTokens: 128,
			mode: 'single-line',
			timeBudgetMs: 500,
			debounceMinMs: 10,
			debounceMaxMs: 200,
			contextBudget: 900,
			extraContext: false,
			prefetch: false,
			minConfidence: 40,
			minTokenConfidence: 30,
		});
		assert.deepEqual(settings.performance, { threads: 6, contextSize: 4096, gpu: 'off' });
	});

	it('replaces each bad value by its default and names it', function () {
		const { settings, problems } = parseSettings({
			model: { path: 42 },
			inlineCompletion: { maxTokens: -3, mode: 'sideways', enabled: 'yes' },
			performance: { threads: 2.5, contextSize: 'big', gpu: 'cuda' },
		});
		assert.deepEqual(settings, DEFAULT_SETTINGS);
		assert.equal(problems.length, 7);
		assert.ok(problems.some((p) => p.startsWith('Setting hearth.inlineCompletion.maxTokens has an invalid value -3; using 64.')));
		assert.ok(problems.some((p) => p.includes('hearth.performance.gpu') && p.includes('"cuda"')));
	});

	it("reads the limit of an action's answer, 0 (the action's own limit) by default, and refuses a bad one", function () {
		assert.equal(DEFAULT_SETTINGS.actions.maxTokens, 0);
		assert.deepEqual(parseSettings({ actions: { maxTokens: 48 } }), {
			settings: { ...DEFAULT_SETTINGS, actions: { maxTokens: 48 } },
			problems: [],
		});
		const bad = parseSettings({ actions: { maxTokens: -1 } });
		assert.equal(bad.settings.actions.maxTokens, 0);
		assert.deepEqual(bad.problems, ['Setting hearth.actions.maxTokens has an invalid value -1; using 0.']);
		assert.equal(parseSettings({ actions: { maxTokens: 2.5 } }).problems.length, 1);
	});

	it('checks the escalation settings by the same rules: bounds, kinds and fields, each named with the value used', function () {
		assert.deepEqual(parseEscalationSettings({ baseUrl: ' http://127.0.0.1:8080/v1 ', maxInputTokens: 4000 }).problems, []);
		assert.equal(parseEscalationSettings({ baseUrl: ' http://127.0.0.1:8080/v1 ' }).settings.baseUrl, 'http://127.0.0.1:8080/v1');
		const { settings, problems } = parseEscalationSettings({
			maxInputTokens: 100,
			timeoutSeconds: 2.5,
			skipPreview: 'yes',
			exclude: ['secrets/**', 7],
			pricePerMillionTokens: { input: 2 },
		});
		assert.deepEqual(problems, [
			'Setting hearth.escalation.skipPreview has an invalid value "yes"; using false.',
			'Setting hearth.escalation.exclude has an invalid value ["secrets/**",7]; using ["secrets/**"].',
			'Setting hearth.escalation.maxInputTokens has an invalid value 100; using 32000.',
			'Setting hearth.escalation.timeoutSeconds has an invalid value 2.5; using 60.',
			'Setting hearth.escalation.pricePerMillionTokens has an invalid value {"input":2}; using {}.',
		]);
		assert.equal(settings.skipPreview, false);
		assert.deepEqual(settings.exclude, ['secrets/**']);
		assert.deepEqual(settings.pricePerMillionTokens, {});
		assert.deepEqual(parseEscalationSettings({ pricePerMillionTokens: { input: 2, output: 8 } }).settings.pricePerMillionTokens, {
			input: 2,
			output: 8,
		});
	});

	it('leaves the escalation section to the extension: the server neither reads nor reports it', function () {
		assert.deepEqual(parseSettings({ escalation: { maxInputTokens: -1 }, trace: { server: 'loud' } }), {
			settings: DEFAULT_SETTINGS,
			problems: [],
		});
	});

	it('knows which changes need the model loaded again', function () {
		const changed = (patch: (s: typeof DEFAULT_SETTINGS) => void) => {
			const next = structuredClone(DEFAULT_SETTINGS);
			patch(next);
			return modelReloadNeeded(DEFAULT_SETTINGS, next);
		};
		assert.equal(
			changed((s) => (s.model.path = '/x.gguf')),
			true,
		);
		assert.equal(
			changed((s) => (s.performance.threads = 3)),
			true,
		);
		assert.equal(
			changed((s) => (s.performance.contextSize = 4096)),
			true,
		);
		assert.equal(
			changed((s) => (s.inlineCompletion.maxTokens = 10)),
			false,
		);
		assert.equal(
			changed((s) => (s.inlineCompletion.enabled = false)),
			false,
		);
		assert.equal(
			changed((s) => (s.actions.maxTokens = 32)),
			false,
		);
	});
});

describe('settings a workspace must not set', function () {
	/**
	 * What decides where code and text go (the model, a completion server, the frontier endpoint,
	 * the preview, redaction, exclusions) or what is logged (tracing logs document text): a cloned
	 * repository's .vscode/settings.json must not be able to change any of it. VS Code ignores
	 * workspace and folder values of settings whose scope is `machine` or `application`.
	 */
	const GUARDED = [
		'hearth.model.path',
		'hearth.model.backend',
		'hearth.model.serverUrl',
		'hearth.model.serverModel',
		'hearth.model.serverFimTemplate',
		'hearth.escalation.baseUrl',
		'hearth.escalation.model',
		'hearth.escalation.organization',
		'hearth.escalation.skipPreview',
		'hearth.escalation.redactSecrets',
		'hearth.escalation.exclude',
		'hearth.trace.server',
	];

	it('gives each of them a scope a workspace cannot set', function () {
		const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
			contributes: { configuration: { properties: Record<string, { scope?: string }> }[] };
		};
		const properties: Record<string, { scope?: string }> = Object.assign(
			{},
			...manifest.contributes.configuration.map((category) => category.properties),
		);
		const wrong = GUARDED.filter((key) => !['machine', 'application'].includes(properties[key]?.scope ?? 'window')).map(
			(key) => `${key}: ${properties[key] ? (properties[key].scope ?? 'window (the default)') : 'missing'}`,
		);
		assert.deepEqual(wrong, [], 'settings a workspace could set');
	});
});
