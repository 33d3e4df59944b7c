import assert from 'node:assert/strict';
import { extractAnswerCode } from '../../src/engine/actions/extractAnswerCode.js';

const CODE = 'const a = 1;\nconst b = 2;\n';

describe('extractAnswerCode: fenced answers', function () {
	it('takes the single fenced block and drops the chatter around it', function () {
		assert.equal(
			extractAnswerCode('Sure! Here it is:\n```ts\nconst a = 1;\nconst b = 2;\n```\nHope this helps.', 'const a=1;\n'),
			CODE,
		);
		assert.equal(extractAnswerCode('```typescript\nconst a = 1;\n```', 'const a = 1;'), 'const a = 1;');
		assert.equal(extractAnswerCode('~~~\nx = 1\n~~~', 'x = 1\n'), 'x = 1\n');
	});

	it('with several blocks, takes the one most like the original, else the longest', function () {
		const answer =
			'Before:\n```ts\nconst a=1;\n```\nAfter:\n```ts\n// The first constant.\nconst a = 1;\nconst b = 2;\n```\nThe helper:\n```ts\nfunction helperThatIsMuchLongerThanTheRest() { return 42; }\n```';
		assert.equal(extractAnswerCode(answer, CODE), '// The first constant.\nconst a = 1;\nconst b = 2;\n');
		assert.equal(extractAnswerCode('```\nx\n```\nand\n```ts\nlonger();\n```', 'y'), 'longer();');
	});

	it('takes an unclosed block to the end of the answer (the answer was cut off)', function () {
		assert.equal(
			extractAnswerCode('Here you go:\n```python\ndef f():\n    return 1', 'def f():\n    return 1\n'),
			'def f():\n    return 1\n',
		);
	});

	it('takes a closing fence glued to the last line of code off it', function () {
		assert.equal(extractAnswerCode('```js\nf();\ng();```', 'f();\ng();'), 'f();\ng();');
	});

	it("removes the indentation of an indented fence, not the code's own", function () {
		assert.equal(extractAnswerCode('1. The code:\n   ```py\n   if x:\n       y()\n   ```', 'if x:\n    y()'), 'if x:\n    y()');
	});

	it('keeps fences that belong to the original (Markdown in a docstring)', function () {
		const original = 'def f():\n    """Example:\n\n    ```python\n    f()\n    ```\n    """\n';
		const unfenced = 'def f():\n    """An example:\n\n    ```python\n    f()\n    ```\n    """\n';
		assert.equal(extractAnswerCode(unfenced, original), unfenced);
		assert.equal(extractAnswerCode('````python\n' + unfenced + '````\n', original), unfenced);
		assert.equal(extractAnswerCode('Here it is:\n```python\n' + unfenced + '```', original), unfenced);
	});
});

describe('extractAnswerCode: answers without fences', function () {
	it('returns code alone unchanged', function () {
		assert.equal(extractAnswerCode(CODE, CODE), CODE);
		assert.equal(extractAnswerCode('# Setup:\nx = 1\n', '# setup\nx = 1\n'), '# Setup:\nx = 1\n');
	});

	it('drops a lead-in line and a sign-off paragraph', function () {
		assert.equal(
			extractAnswerCode('Here is the updated code:\n\nconst a = 1;\nconst b = 2;\n\nI only changed the comments.', CODE),
			CODE,
		);
		assert.equal(extractAnswerCode('Sure!\nconst a = 1;\nconst b = 2;\nHope this helps!', CODE), CODE);
	});

	it('keeps lines that could be code or comments', function () {
		assert.equal(extractAnswerCode('def f():\n    return 1\n', 'def f():\n    return 1\n'), 'def f():\n    return 1\n');
		assert.equal(
			extractAnswerCode('// Here is the helper:\nhelper();\n', '// helper\nhelper();\n'),
			'// Here is the helper:\nhelper();\n',
		);
		assert.equal(
			extractAnswerCode('x = 1\nThis is not a sign-off because there is no blank line', 'x = 1\n'),
			'x = 1\nThis is not a sign-off because there is no blank line\n',
		);
	});

	it('keeps prose that is part of the original', function () {
		const original = 'Here is the plan:\n\n- step one\n';
		assert.equal(extractAnswerCode('Here is the plan:\n\n- Step one.\n', original), 'Here is the plan:\n\n- Step one.\n');
	});

	it('unwraps a one-line answer in single backticks', function () {
		assert.equal(extractAnswerCode('`x = 1  # One.`', 'x = 1  # one'), 'x = 1  # One.');
	});
});

describe("extractAnswerCode: the original's layout", function () {
	it('keeps the final newline, or its absence', function () {
		assert.equal(extractAnswerCode('const b = 2;\n\n', 'x'), 'const b = 2;');
		assert.equal(extractAnswerCode('const b = 2;', 'x\n'), 'const b = 2;\n');
		assert.equal(extractAnswerCode('```\nb();\n\n```', 'a();\n\n'), 'b();\n\n');
	});

	it("keeps the original's leading blank lines and the indentation after its last line break", function () {
		assert.equal(extractAnswerCode('```\nb();\n```', '\na();\n    '), '\nb();\n    ');
		assert.equal(extractAnswerCode('\n\nb();', 'a();'), 'b();');
	});

	it('keeps CRLF line endings, and LF ones', function () {
		assert.equal(extractAnswerCode('```\na\nb\n```', 'x\r\ny\r\n'), 'a\r\nb\r\n');
		assert.equal(extractAnswerCode('```\r\na\r\nb\r\n```', 'x\ny\n'), 'a\nb\n');
		assert.equal(extractAnswerCode('a\r\nb', 'x\r\ny'), 'a\r\nb');
	});
});
