import assert from 'node:assert/strict';
import { parseSettings } from '../../src/shared/parseSettings.js';
import { languageEnabled } from '../../src/shared/settingRules.js';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';

/**
 * `hearth.inlineCompletion.enable`, the per-language switch in Copilot's shape: which languages get
 * completions by default, how a language's own entry and `"*"` decide, and that the boolean the
 * setting once was still works.
 */
describe('per-language switch (hearth.inlineCompletion.enable)', function () {
	const defaults = DEFAULT_SETTINGS.inlineCompletion.enable;

	it('is on for code and off for prose, the commit box and JSON settings files by default', function () {
		for (const language of ['typescript', 'python', 'rust', 'go', 'yaml', 'shellscript']) {
			assert.equal(languageEnabled(defaults, language), true, language);
		}
		for (const language of ['plaintext', 'markdown', 'scminput', 'json', 'jsonc']) {
			assert.equal(languageEnabled(defaults, language), false, language);
		}
	});

	it('lets a language entry win over "*", and "*" decide for the others', function () {
		const onlyPython = parseSettings({ inlineCompletion: { enable: { '*': false, python: true } } }).settings.inlineCompletion.enable;
		assert.equal(languageEnabled(onlyPython, 'python'), true);
		assert.equal(languageEnabled(onlyPython, 'typescript'), false);
		// Without "*", languages not named are on.
		const noMarkdown = parseSettings({ inlineCompletion: { enable: { markdown: false } } }).settings.inlineCompletion.enable;
		assert.equal(languageEnabled(noMarkdown, 'markdown'), false);
		assert.equal(languageEnabled(noMarkdown, 'plaintext'), true);
	});

	it('still takes a plain boolean, for every language', function () {
		const off = parseSettings({ inlineCompletion: { enable: false } });
		assert.deepEqual(off.problems, []);
		assert.deepEqual(off.settings.inlineCompletion.enable, { '*': false });
		assert.equal(languageEnabled(off.settings.inlineCompletion.enable, 'typescript'), false);
		const on = parseSettings({ inlineCompletion: { enable: true } }).settings.inlineCompletion.enable;
		assert.equal(languageEnabled(on, 'markdown'), true);
	});

	it('keeps the boolean entries of a map with bad ones, and names the bad value', function () {
		const parsed = parseSettings({ inlineCompletion: { enable: { '*': true, markdown: 'no', go: false } } });
		assert.deepEqual(parsed.settings.inlineCompletion.enable, { '*': true, go: false });
		assert.deepEqual(parsed.problems, [
			'Setting hearth.inlineCompletion.enable has an invalid value {"*":true,"markdown":"no","go":false}; using {"*":true,"go":false}.',
		]);
	});
});
