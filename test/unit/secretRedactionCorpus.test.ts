import assert from 'node:assert/strict';
import { restoreRedactedSecrets } from '../../src/extension/escalation/frontier/restoreRedactedSecrets.js';
import { redactSecrets } from '../../src/extension/escalation/redaction/index.js';
import { buildCorpus, GENERATORS } from './secretCorpus.js';

/**
 * The generated corpus (see secretCorpus.ts): realistic files in nine languages and formats, each
 * with the secrets a careless commit leaves in them. Every one must be gone after redaction, and
 * the redacted text must still read as the file it was and restore to it exactly.
 */
describe('secret redaction: a generated corpus of realistic secrets', function () {
	const corpus = buildCorpus();
	const secrets = corpus.flatMap((file) => file.secrets.map((secret) => ({ file: file.name, ...secret })));

	it('is large and varied: at least 150 secrets of at least 60 kinds, in TS, JS, Python, Go, YAML, JSON, shell, .env and INI', function () {
		assert.ok(secrets.length >= 150, `${secrets.length} secrets`);
		assert.ok(new Set(secrets.map((secret) => secret.kind)).size >= 60, `${new Set(secrets.map((secret) => secret.kind)).size} kinds`);
		const languages = new Set(corpus.map((file) => file.language));
		for (const language of ['ts', 'js', 'py', 'go', 'yaml', 'json', 'sh', 'env', 'ini']) {
			assert.ok(languages.has(language) || (language === 'yaml' && languages.has('yml')), `a ${language} file`);
		}
		assert.deepEqual(
			Object.keys(GENERATORS).filter((kind) => !secrets.some((secret) => secret.kind === kind)),
			[],
			'every generator is used',
		);
	});

	it('draws the same corpus on every run, and different values for different seeds', function () {
		assert.deepEqual(buildCorpus(), corpus);
		assert.notEqual(buildCorpus(7)[0]!.text, corpus[0]!.text);
	});

	for (const file of corpus) {
		it(`redacts all ${file.secrets.length} secrets in ${file.name}, keeping the rest readable and restorable`, function () {
			const result = redactSecrets(file.text);
			const left = file.secrets.filter((secret) => [secret.value, ...secret.pieces].some((piece) => result.text.includes(piece)));
			assert.deepEqual(
				left.map((secret) => `${secret.kind}: ${secret.value}`),
				[],
				'every secret, and every piece of a split one, is gone',
			);
			// Placeholders name what was there; the code around them is untouched.
			assert.ok(result.findings.length >= file.secrets.length);
			assert.equal(result.text.match(/\[REDACTED [a-z0-9-]+\]/g)?.length, result.findings.length);
			let unmasked = file.text;
			for (const piece of file.secrets.flatMap((secret) => secret.pieces)) {
				unmasked = unmasked.split(piece).join('\u0000');
			}
			for (const line of unmasked.split('\n').filter((line) => !line.includes('\u0000'))) {
				assert.ok(result.text.includes(line), `line kept as it was: ${line}`);
			}
			// An answer that keeps the placeholders gets the original values back, locally.
			const restored = restoreRedactedSecrets(result.text, file.text);
			assert.equal(restored.text, file.text);
			assert.equal(restored.unrestored, 0);
		});
	}
});
