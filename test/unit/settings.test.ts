import assert from 'node:assert/strict';
import { parseSettings } from '../../src/shared/parseSettings.js';
import { DEFAULT_SETTINGS, modelReloadNeeded } from '../../src/shared/settings.js';

describe('settings', function () {
	it('uses the defaults when nothing is set', function () {
		assert.deepEqual(parseSettings(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
		assert.deepEqual(parseSettings({}).settings, DEFAULT_SETTINGS);
	});

	it('reads valid values', function () {
		const { settings, problems } = parseSettings({
			model: { path: '  /models/a.gguf ' },
			inlineCompletion: { enabled: false, maxTokens: 128, mode: 'single-line', timeBudgetMs: 500, debounceMinMs: 10, debounceMaxMs: 200, contextBudget: 900, extraContext: false, prefetch: false },
			performance: { threads: 6, contextSize: 4096, gpu: 'off' },
		});
		assert.deepEqual(problems, []);
		assert.equal(settings.model.path, '/models/a.gguf');
		assert.deepEqual(settings.inlineCompletion, { enabled: false, maxTokens: 128, mode: 'single-line', timeBudgetMs: 500, debounceMinMs: 10, debounceMaxMs: 200, contextBudget: 900, extraContext: false, prefetch: false });
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

	it('knows which changes need the model loaded again', function () {
		const changed = (patch: (s: typeof DEFAULT_SETTINGS) => void) => {
			const next = structuredClone(DEFAULT_SETTINGS);
			patch(next);
			return modelReloadNeeded(DEFAULT_SETTINGS, next);
		};
		assert.equal(changed((s) => (s.model.path = '/x.gguf')), true);
		assert.equal(changed((s) => (s.performance.threads = 3)), true);
		assert.equal(changed((s) => (s.performance.contextSize = 4096)), true);
		assert.equal(changed((s) => (s.inlineCompletion.maxTokens = 10)), false);
		assert.equal(changed((s) => (s.inlineCompletion.enabled = false)), false);
	});
});
