import assert from 'node:assert/strict';
import { cutToParsable, parserFor, syntaxErrors, syntaxLanguageOf } from '../../src/engine/syntax/syntaxCheck.js';

describe('syntax check of multi-line suggestions (tree-sitter WASM)', function () {
	it('knows TypeScript, JavaScript and Python by extension, nothing else', () => {
		assert.equal(syntaxLanguageOf('src/a.ts'), 'typescript');
		assert.equal(syntaxLanguageOf('a.MJS'), 'javascript');
		assert.equal(syntaxLanguageOf('pkg/mod.py'), 'python');
		assert.equal(syntaxLanguageOf('main.go'), undefined);
		assert.equal(syntaxLanguageOf(undefined), undefined);
	});

	it('loads the three grammars and counts syntax errors', async () => {
		for (const language of ['typescript', 'javascript', 'python']) {
			assert.ok(await parserFor(language), `${language} loads`);
		}
		const python = (await parserFor('python'))!;
		assert.equal(syntaxErrors(python, 'def f(x):\n    return x\n'), 0);
		assert.ok(syntaxErrors(python, 'def f(x):\n    return x +\n') > 0);
	});

	it('keeps a suggestion that leaves the region parsable', async () => {
		const where = { prefix: 'def total(xs):\n    s = 0\n    for x in xs:', suffix: '\n\n\nprint(total([1]))\n', filePath: 'a.py' };
		const text = '\n        s += x\n    return s';
		assert.equal(await cutToParsable(text, where), text);
	});

	it('cuts a suggestion to its longest parsable run of lines', async () => {
		const where = { prefix: 'function sum(xs: number[]): number {\n\tlet s = 0;\n', suffix: '\n}\n', filePath: 'src/sum.ts' };
		// The third line opens a call it never closes: the region stops parsing there.
		const text = '\tfor (const x of xs) s += x;\n\treturn s;\n\tconsole.log(s, [';
		assert.equal(await cutToParsable(text, where), '\tfor (const x of xs) s += x;\n\treturn s;');
	});

	it('drops a suggestion whose first line already breaks the region', async () => {
		const where = { prefix: 'const items = [1, 2];\n', suffix: '\nexport {};\n', filePath: 'a.js' };
		assert.equal(await cutToParsable('items.map((x) => {{\n  x;', where), '');
	});

	it('judges against the region as it was: errors already there do not count against the suggestion', async () => {
		// The text before the cursor is half a statement that does not parse, with or without the suggestion.
		const where = { prefix: 'x = (1 +\n\ndef f():\n', suffix: '\n', filePath: 'a.py' };
		const text = '    a = 1\n    return a';
		assert.equal(await cutToParsable(text, where), text);
	});

	it('leaves single-line suggestions and languages without a grammar alone', async () => {
		assert.equal(await cutToParsable('foo((', { prefix: 'x = ', suffix: '\n', filePath: 'a.ts' }), 'foo((');
		assert.equal(await cutToParsable('{{\n}}}', { prefix: '', suffix: '', filePath: 'main.go' }), '{{\n}}}');
		assert.equal(await cutToParsable('{{\n}}}', { prefix: '', suffix: '' }), '{{\n}}}');
	});
});

describe('syntax check: a suggestion that opens a block still to be closed is not broken', function () {
	it('keeps an unfinished block', async () => {
		const where = { prefix: 'function f(xs: number[]) {\n\tlet s = 0;\n', suffix: '\treturn s;\n}\n', filePath: 'f.ts' };
		const text = '\tfor (const x of xs) {\n\t\ts += x;';
		assert.equal(await cutToParsable(text, where), text);
	});
});
