import assert from 'node:assert/strict';
import { documentedFunctions, summaryF1, summaryOf } from '../../src/bench/actions/documentedFunctions.js';
import { separation } from '../../src/bench/actions/documentThisReplay.js';
import { parseDocumentThisOptions } from '../../src/bench/actions/documentThisMain.js';

describe("Document This's measurement: tasks with known answers, and how well confidence separates them", () => {
	it('finds documented functions and keeps the summary of their comment as the reference', () => {
		const ts =
			'const a = 1;\n/**\n * Adds two numbers.\n *\n * @param x the first\n */\nexport function add(x: number, y: number): number {\n\treturn x + y;\n}\n';
		const [found] = documentedFunctions(ts, 'typescript');
		assert.equal(found?.reference, 'Adds two numbers.');
		assert.equal(found?.code, 'export function add(x: number, y: number): number {\n\treturn x + y;\n}\n');
		assert.equal(found?.before, 'const a = 1;\n');
		const py = 'def add(x, y):\n    """Add two numbers.\n\n    Longer text.\n    """\n    return x + y\n\n\nz = 1\n';
		assert.deepEqual(
			documentedFunctions(py, 'python').map((task) => [task.code, task.reference]),
			[['def add(x, y):\n    return x + y\n', 'Add two numbers.']],
		);
		const go = '// Add returns the sum\n// of x and y.\nfunc Add(x, y int) int {\n\treturn x + y\n}\n';
		assert.equal(documentedFunctions(go, 'go')[0]?.reference, 'Add returns the sum of x and y.');
		const rust = 'impl A {\n    /// Makes an A.\n    pub fn new() -> Self {\n        A {}\n    }\n}\n';
		const [method] = documentedFunctions(rust, 'rust');
		assert.equal(method?.code, '    pub fn new() -> Self {\n        A {}\n    }\n');
		assert.equal(method?.reference, 'Makes an A.');
	});

	it('scores a summary by word overlap', () => {
		assert.equal(summaryF1('Adds two numbers', 'Adds two numbers.'), 1);
		assert.equal(summaryF1('', 'Adds two numbers.'), 0);
		assert.equal(summaryF1('Multiplies', 'Adds two numbers.'), 0);
		assert.ok(Math.abs(summaryF1('Adds numbers together', 'Adds two numbers') - 2 / 3) < 1e-9);
		assert.equal(summaryOf('/**\n * @returns nothing\n */'), '');
	});

	it('reports AUC 1 and a separating threshold when confidence separates perfectly, 0.5 when it says nothing, null without bad answers', () => {
		const perfect = separation([
			{ score: -0.1, good: true },
			{ score: -0.2, good: true },
			{ score: -1.5, good: false },
			{ score: -2, good: false },
		]);
		assert.equal(perfect.auc, 1);
		assert.ok(perfect.threshold! > -1.5 && perfect.threshold! < -0.2);
		assert.equal(perfect.badFlagged, 1);
		assert.equal(perfect.goodFlagged, 0);
		assert.equal(perfect.flaggedShare, 0.5);
		const useless = separation([
			{ score: -1, good: true },
			{ score: -1, good: false },
		]);
		assert.equal(useless.auc, 0.5);
		const inverted = separation([
			{ score: -2, good: true },
			{ score: -0.1, good: false },
		]);
		assert.equal(inverted.auc, 0);
		assert.deepEqual(
			separation([
				{ score: -1, good: true },
				{ score: null, good: false },
			]).auc,
			null,
		);
	});

	it('parses its bench options and refuses what it cannot use', () => {
		assert.deepEqual(parseDocumentThisOptions(['--document-this', '--per-language', '5', '--out', 'x.json']), {
			perLanguage: 5,
			threads: undefined,
			out: 'x.json',
		});
		assert.equal(parseDocumentThisOptions(['--document-this', '--help']), 'help');
		assert.throws(() => parseDocumentThisOptions(['--document-this', '--models', 'a.bin']), /one \.gguf file/);
		assert.throws(() => parseDocumentThisOptions(['--document-this', '--per-language', '0']));
	});
});
