import assert from 'node:assert/strict';
import { splitOf } from '../../src/train/corpus/heldoutSplit.js';
import { languageBudgets } from '../../src/train/corpus/languageBudgets.js';
import { LANGUAGE_WEIGHTS, languageOfPath, type Language } from '../../src/train/corpus/languages.js';
import { estimatedJaccard, minHashSignature, NearDuplicateIndex } from '../../src/train/corpus/minHash.js';

const base = Array.from({ length: 50 }, (_, index) => `const value${index} = compute(${index}, "label ${index}") + offset;`).join('\n');

describe('corpus near duplicates (MinHash)', function () {
	it('estimates a high similarity for a file with one line changed, a low one for different code', function () {
		const changed = base.replace('compute(7, "label 7")', 'compute(7, "other")');
		assert.ok(estimatedJaccard(minHashSignature(base), minHashSignature(changed)) >= 0.85);
		const different = Array.from(
			{ length: 50 },
			(_, index) => `def handler_${index}(request):\n    return respond(request, status=${index})`,
		).join('\n');
		assert.ok(estimatedJaccard(minHashSignature(base), minHashSignature(different)) < 0.2);
	});

	it('ignores formatting: re-indented code is a near duplicate', function () {
		assert.equal(estimatedJaccard(minHashSignature(base), minHashSignature(base.replace(/\n/g, '\n    '))), 1);
	});

	it('the index returns the kept file that a new one repeats, and nothing for new code', function () {
		const index = new NearDuplicateIndex<string>(0.85);
		index.add('a.ts', minHashSignature(base));
		assert.equal(index.findNearDuplicate(minHashSignature(base.replace('offset;', 'offset2;')))?.key, 'a.ts');
		assert.equal(index.findNearDuplicate(minHashSignature('fn main() { println!("hello"); }\nfn other() { let x = 5; }')), undefined);
	});
});

describe('corpus held-out split', function () {
	it('is a pure function of origin and path, near the fraction', function () {
		assert.equal(splitOf('npm:x@1', 'x/a.js'), splitOf('npm:x@1', 'x/a.js'));
		let heldout = 0;
		for (let index = 0; index < 20000; index++) if (splitOf('npm:x@1', `x/file${index}.js`) === 'heldout') heldout++;
		assert.ok(heldout > 300 && heldout < 500, `${heldout} of 20000 held out at 2%`);
		assert.equal(splitOf('o', 'p', 1), 'heldout');
		assert.equal(splitOf('o', 'p', 0), 'train');
	});
});

describe('corpus language budgets', function () {
	it('shares the budget by weight and hands what a small language cannot use to the others', function () {
		const available = new Map<Language, number>([
			['typescript', 1000],
			['python', 1000],
			['shell', 10],
		]);
		const budgets = languageBudgets(600, available, LANGUAGE_WEIGHTS);
		assert.equal(budgets.get('shell'), 10);
		const typescript = budgets.get('typescript')!;
		const python = budgets.get('python')!;
		assert.ok(Math.abs(typescript + python + 10 - 600) <= 2);
		assert.ok(Math.abs(typescript / python - LANGUAGE_WEIGHTS.typescript / LANGUAGE_WEIGHTS.python) < 0.01);
	});

	it('never grants more than what is there', function () {
		const budgets = languageBudgets(
			10_000,
			new Map<Language, number>([
				['go', 300],
				['rust', 200],
			]),
			LANGUAGE_WEIGHTS,
		);
		assert.deepEqual([budgets.get('go'), budgets.get('rust')], [300, 200]);
	});

	it('knows languages by extension', function () {
		assert.equal(languageOfPath('a/b.d.ts'), 'typescript');
		assert.equal(languageOfPath('x.mjs'), 'javascript');
		assert.equal(languageOfPath('pkg/mod.rs'), 'rust');
		assert.equal(languageOfPath('README.md'), undefined);
		assert.equal(languageOfPath('.bashrc'), undefined);
	});
});
