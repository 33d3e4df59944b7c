import assert from 'node:assert/strict';
import { processCompletion, type CompletionContext } from '../../src/engine/postprocess/index.js';
import { documentIndentUnit, reindentLine } from '../../src/engine/postprocess/indentation.js';

const multi = (prefix: string, suffix: string, extra: Partial<CompletionContext> = {}): CompletionContext => ({
	prefix,
	suffix,
	mode: 'multi-line',
	...extra,
});

describe('documentIndentUnit: the indentation the document uses around the cursor', () => {
	it('tabs when most indented lines start with a tab', () => {
		assert.equal(documentIndentUnit('function f() {\n\tif (x) {\n\t\ty();\n\t}\n', '}\n'), '\t');
	});

	it('spaces of the width by which lines step in', () => {
		assert.equal(documentIndentUnit('def f(x):\n    if x:\n        return 1\n    return 2\n', ''), '    ');
		assert.equal(documentIndentUnit('function f() {\n  if (x) {\n    y();\n  }\n', '}\n'), '  ');
		// the suffix counts too
		assert.equal(documentIndentUnit('class A:\n', '   def f(self):\n      pass\n'), '   ');
	});

	it('undefined when nothing is indented', () => {
		assert.equal(documentIndentUnit('x = 1\ny = 2\n', 'z = 3\n'), undefined);
		assert.equal(documentIndentUnit('', ''), undefined);
	});
});

describe('reindentLine: a generated line in the document unit', () => {
	it('tabs become the space unit, one level per tab', () => {
		assert.equal(reindentLine('\t\treturn x', '    ', 4), '        return x');
		assert.equal(reindentLine('\treturn x', '  ', 2), '  return x');
	});

	it('spaces become tabs in a tab-indented document, a partial level kept as spaces', () => {
		assert.equal(reindentLine('        return x', '\t', 4), '\t\treturn x');
		assert.equal(reindentLine('      return x', '\t', 4), '\t  return x');
	});

	it('leaves lines already in the document style, and blank lines, alone', () => {
		assert.equal(reindentLine('    return x', '    ', 4), '    return x');
		assert.equal(reindentLine('\treturn x', '\t', 4), '\treturn x');
		assert.equal(reindentLine('\t', '    ', 4), '\t');
		assert.equal(reindentLine('return x', '    ', 4), 'return x');
	});
});

describe('processCompletion: indentation from the document, never from the model', () => {
	const pythonPrefix = 'def add(a, b):\n';
	const pythonSuffix = '\n\ndef main():\n    print(add(1, 2))\n';

	it('a model that indents with tabs in a file indented with spaces writes spaces', () => {
		const ctx = multi(pythonPrefix, pythonSuffix);
		assert.equal(processCompletion('\treturn a + b\n', ctx).text, '    return a + b');
		assert.equal(processCompletion('\treturn a + b\n', { ...ctx, documentIndent: false }).text, '\treturn a + b');
	});

	it('a model that indents with spaces in a tab-indented file writes tabs, nested levels too', () => {
		const ctx = multi('function f(items) {\n\tfor (const item of items) {\n', '\t}\n}\n');
		assert.equal(processCompletion('        use(item);\n        log(item);\n', ctx).text, '\t\tuse(item);\n\t\tlog(item);\n');
	});

	it('the first line keeps its text when it continues the cursor line', () => {
		const ctx = multi('def f(x):\n    return', '\n');
		assert.equal(processCompletion(' x\t+ 1', ctx).text, ' x\t+ 1');
	});

	it('the block rules compare the rewritten indentation', () => {
		// Tab-indented document; the model writes its body with 4 spaces: the same level, not a dedent.
		const ctx = multi('function f() {\n\tif (x) {\n\t\ty();\n', '\t}\n}\n', { indentUnit: '\t' });
		assert.equal(processCompletion('        z();\n        w();\n', ctx).text, '\t\tz();\n\t\tw();\n');
	});
});
