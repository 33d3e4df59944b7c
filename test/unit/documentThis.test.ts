import assert from 'node:assert/strict';
import { docCommentBody, documentThisPrompt, withDocComment } from '../../src/engine/actions/documentThis.js';

describe('Document This: the doc comment a FIM model fills in, in the language style', () => {
	it('asks for a JSDoc comment above a TypeScript function, replacing its old one', () => {
		const code = '\t/** old words */\n\tfunction clamp(v: number): number {\n\t\treturn v;\n\t}\n';
		const prompt = documentThisPrompt({ code, languageId: 'typescript', before: 'class A {\n' })!;
		assert.equal(prompt.prefix, 'class A {\n\t/**\n\t *');
		assert.equal(prompt.suffix, '\n\t */\n\tfunction clamp(v: number): number {\n\t\treturn v;\n\t}\n');
		const body = docCommentBody(' Clamps a value.\n\t * @param v the value\n\t */\n\tfunction', prompt.style, 12, prompt.seed);
		assert.deepEqual(body, ['Clamps a value.', '@param v the value']);
		assert.equal(
			withDocComment(prompt, body),
			'\t/**\n\t * Clamps a value.\n\t * @param v the value\n\t */\n\tfunction clamp(v: number): number {\n\t\treturn v;\n\t}\n',
		);
	});

	it('puts a Python docstring under the signature, across a multi-line signature', () => {
		const code = 'def read_lines(\n    path,\n):\n    """Old."""\n    return open(path).read().split("\\n")\n';
		const prompt = documentThisPrompt({ code, languageId: 'python' })!;
		assert.equal(prompt.prefix, 'def read_lines(\n    path,\n):\n    """');
		const body = docCommentBody('\n    Read the lines of a file.\n    """\n    return', prompt.style);
		assert.deepEqual(body, ['Read the lines of a file.']);
		assert.equal(
			withDocComment(prompt, body),
			'def read_lines(\n    path,\n):\n    """Read the lines of a file."""\n    return open(path).read().split("\\n")\n',
		);
	});

	it("starts a Go comment with the declared name, as Go's convention has it, and stops where code begins", () => {
		const prompt = documentThisPrompt({ code: 'func (s *Set) Sum() int {\n\treturn 0\n}\n', languageId: 'go' })!;
		assert.equal(prompt.prefix, '// Sum');
		const body = docCommentBody(' returns the total.\nfunc (s *Set) Sum() int {', prompt.style, 12, prompt.seed);
		assert.deepEqual(body, ['Sum returns the total.']);
	});

	it('stops at a line the model repeats, and has no style for a language without doc comments', () => {
		const prompt = documentThisPrompt({ code: 'function f() {}\n', languageId: 'javascript' })!;
		assert.deepEqual(docCommentBody(' @param {Range} r\n * @param {Range} r\n * @param {Range} r', prompt.style), ['@param {Range} r']);
		assert.equal(documentThisPrompt({ code: 'x', languageId: 'plaintext' }), undefined);
	});
});
