import assert from 'node:assert/strict';
import { checkCommentOnlyChange } from '../../src/engine/actions/commentOnlyCheck.js';
import { extractAnswerCode } from '../../src/engine/actions/extractAnswerCode.js';

const TS = [
	'/** adds up teh totals */',
	'export function total(items: number[]): number {',
	'\t// loop over them',
	'\tconst pattern = /\\/\\*/; const url = "http://example.com"; // a regex and a string with markers',
	'\treturn items.reduce((a, b) => a / 1 + b, 0); // sum',
	'}',
	'',
].join('\n');

describe('clean-up check: only comments may change', function () {
	it('accepts reworded, reflowed, added and removed comments in TypeScript', function () {
		const rewritten = [
			'/**',
			' * Adds up the totals.',
			' * @param items The numbers to add.',
			' */',
			'export function total(items: number[]): number {',
			'\t// Loop over',
			'\t// them.',
			'\tconst pattern = /\\/\\*/; const url = "http://example.com"; // A regex and a string with markers.',
			'\treturn items.reduce((a, b) => a / 1 + b, 0);',
			'}',
			'',
		].join('\n');
		assert.deepEqual(checkCommentOnlyChange(TS, rewritten, 'typescript'), { ok: true });
	});

	const rejected: [string, string, RegExp][] = [
		['a changed operator', TS.replace('a / 1 + b', 'a / 1 - b'), /changed code on line 5/],
		['a renamed identifier', TS.replace('total(items', 'sum(items'), /changed code on line 2/],
		['changed indentation', TS.replace('\treturn', '    return'), /indentation or spacing of line 5/],
		['a changed string that looks like a comment', TS.replace('"http://example.com"', '"http://example.org"'), /line 4/],
		['a removed line of code', TS.replace('\treturn items.reduce((a, b) => a / 1 + b, 0); // sum\n', ''), /line 5/],
		['code moved into a comment', TS.replace('\treturn items', '\t// return items'), /line 5/],
		['a comment turned into code', TS.replace('\t// loop over them', '\tloopOverThem();'), /added code|changed code on line 4/],
	];
	for (const [what, rewritten, reason] of rejected) {
		it(`refuses ${what}, saying where`, function () {
			const verdict = checkCommentOnlyChange(TS, rewritten, 'typescript');
			assert.equal(verdict.ok, false);
			assert.match((verdict as { reason: string }).reason, reason);
		});
	}

	it('treats a Python docstring as documentation and a "#" inside a string as code', function () {
		const py = 'def inc(x):\n    """adds one"""\n    s = "# not a comment"\n    return x + 1  # plus\n';
		assert.deepEqual(checkCommentOnlyChange(py, py.replace('adds one', 'Add one to x.\n\n    Returns the sum.').replace('# plus', '# Plus one.'), 'python'), { ok: true });
		assert.equal(checkCommentOnlyChange(py, py.replace('# not a comment', '# changed'), 'python').ok, false);
	});

	it('handles nested block comments (Rust), SQL and HTML', function () {
		const rust = '/* outer /* inner */ still comment */\nfn main() { let s = "/* no */"; }\n';
		assert.deepEqual(checkCommentOnlyChange(rust, rust.replace('outer', 'Outer'), 'rust'), { ok: true });
		assert.equal(checkCommentOnlyChange(rust, rust.replace('"/* no */"', '"/* yes */"'), 'rust').ok, false);
		const sql = "-- find users\nSELECT * FROM users WHERE name = '-- x';\n";
		assert.deepEqual(checkCommentOnlyChange(sql, sql.replace('find users', 'Find all users.'), 'sql'), { ok: true });
		assert.equal(checkCommentOnlyChange(sql, sql.replace("'-- x'", "'-- y'"), 'sql').ok, false);
		const html = '<!-- nav -->\n<nav class="top"></nav>\n';
		assert.deepEqual(checkCommentOnlyChange(html, html.replace('nav -->', 'Navigation bar -->'), 'html'), { ok: true });
	});

	it('allows anything in prose, and refuses a language it cannot read', function () {
		assert.deepEqual(checkCommentOnlyChange('teh text', 'the text', 'markdown'), { ok: true });
		const unknown = checkCommentOnlyChange('x', 'x', 'cobol');
		assert.equal(unknown.ok, false);
		assert.match((unknown as { reason: string }).reason, /cannot tell comments from code in cobol/);
	});
});

describe('extracting the code from a model answer', function () {
	it('takes the longest fenced block and drops the chatter around it', function () {
		assert.equal(extractAnswerCode('Sure! Here it is:\n```ts\nconst a = 1;\nconst b = 2;\n```\nHope this helps.', 'const a=1;\n'), 'const a = 1;\nconst b = 2;\n');
		assert.equal(extractAnswerCode('```\nx\n```\nand\n```ts\nlonger();\n```', 'y'), 'longer();');
	});

	it('keeps the original final newline (or its absence) and its CRLF line endings', function () {
		assert.equal(extractAnswerCode('const b = 2;\n\n', 'x'), 'const b = 2;');
		assert.equal(extractAnswerCode('```\na\nb\n```', 'x\r\ny\r\n'), 'a\r\nb\r\n');
	});
});
