import assert from 'node:assert/strict';
import { chooseCompletionMode, isProbablyBinary, processCompletion, type CompletionContext } from '../../src/engine/postprocess/index.js';
import { clampContext } from '../../src/engine/prompt/promptWindow.js';

const multi = (prefix: string, suffix: string, extra: Partial<CompletionContext> = {}): CompletionContext => ({
	prefix,
	suffix,
	mode: 'multi-line',
	...extra,
});
const single = (prefix: string, suffix: string): CompletionContext => ({ prefix, suffix, mode: 'single-line' });

describe('chooseCompletionMode', () => {
	it('multi-line at the end of a line, in an empty document, or before closing brackets only', () => {
		assert.equal(chooseCompletionMode('function f() {\n  ', '\n}'), 'multi-line');
		assert.equal(chooseCompletionMode('', ''), 'multi-line');
		assert.equal(chooseCompletionMode('foo(', ')'), 'multi-line');
		assert.equal(chooseCompletionMode('items.map((x) => {', '});\n'), 'multi-line');
		assert.equal(chooseCompletionMode('x = [', '  ],  \nnext'), 'multi-line');
	});

	it('single-line when real text follows the cursor on its line', () => {
		assert.equal(chooseCompletionMode('const total = ', 'price * qty;\n'), 'single-line');
		assert.equal(chooseCompletionMode('if (', 'ready) {'), 'single-line');
	});

	it('single-line inside an unclosed string literal', () => {
		assert.equal(chooseCompletionMode('print("hello ', ''), 'single-line');
		assert.equal(chooseCompletionMode("const s = 'it\\'s ", '\n'), 'single-line');
		// quotes inside a // comment do not count
		assert.equal(chooseCompletionMode("x(); // don't ", ''), 'multi-line');
	});

	it('handles CRLF documents', () => {
		assert.equal(chooseCompletionMode('a\r\n', '\r\nb'), 'multi-line');
		assert.equal(chooseCompletionMode('x', 'yz\r\n'), 'single-line');
	});
});

describe('processCompletion: single-line mode', () => {
	it('stops at the first newline', () => {
		assert.deepEqual(processCompletion('42;\nconsole.log(x);', single('let x = ', '')), {
			text: '42;',
			done: true,
			reason: 'single-line',
		});
	});

	it('while streaming, an unfinished line is shown but does not stop generation', () => {
		assert.deepEqual(processCompletion('4', single('let x = ', '')), { text: '4', done: false });
	});

	it('at the end of a line, a completion starting with a newline keeps that newline and the next line', () => {
		const r = processCompletion('\n  return 1;\n}', single('if (x) {', ''));
		assert.deepEqual(r, { text: '\n  return 1;', done: true, reason: 'single-line' });
	});

	it('with text after the cursor, a leading newline yields nothing (it would split the line)', () => {
		assert.deepEqual(processCompletion('\nbaz', single('foo(', 'bar)')), { text: '', done: true, reason: 'single-line' });
	});

	it('keeps a meaningful trailing space when text follows the cursor', () => {
		assert.equal(processCompletion('a, ', single('f(', 'b)')).text, 'a, ');
	});

	it('strips trailing whitespace at the end of a line', () => {
		assert.equal(processCompletion('42;   ', single('let x = ', '')).text, '42;');
	});
});

describe('processCompletion: suffix echo', () => {
	it('trims a closing bracket the suffix already has', () => {
		assert.equal(processCompletion('a, b)', single('foo(', ')')).text, 'a, b');
		assert.equal(processCompletion('a, b)\n', multi('foo(', ')')).text, 'a, b');
	});

	it('trims a partial overlap with the start of the suffix', () => {
		assert.equal(processCompletion('compute(x)', single('y = ', ');\n')).text, 'compute(x');
		assert.equal(processCompletion('compute(x));', single('y = ', ');\n')).text, 'compute(x)');
	});

	it('trims a longer textual overlap', () => {
		assert.equal(processCompletion('sum - total + 1;', single('x = ', 'total + 1;')).text, 'sum - ');
	});

	it('does not trim a one-letter coincidence', () => {
		assert.equal(processCompletion('a + b', single('const c = ', 'b;')).text, 'a + b');
	});

	it('returns nothing when the suggestion only repeats the text after the cursor', () => {
		assert.equal(processCompletion('com', single('let x = ', 'compute();')).text, '');
		assert.equal(processCompletion('\n    return total', multi('    x += 1', '\n    return total\n')).text, '');
	});

	it('stops before a generated line that equals the next line of the suffix', () => {
		const ctx = multi('function f() {\n  ', '\n  return x;\n}');
		assert.deepEqual(processCompletion('const y = 1;\n  return x;\n}', ctx), {
			text: 'const y = 1;',
			done: true,
			reason: 'suffix-duplicate',
		});
	});

	it('a still-growing line equal to the suffix line is hidden but does not stop generation', () => {
		const ctx = multi('function f() {\n  ', '\n  return x;\n}');
		assert.deepEqual(processCompletion('const y = 1;\n  return x;', ctx), { text: 'const y = 1;', done: false });
		// ...and comes back once it differs
		assert.equal(processCompletion('const y = 1;\n  return x + y;', ctx).text, 'const y = 1;\n  return x + y;');
	});
});

describe('processCompletion: repetition', () => {
	it('stops when the same line comes three times, keeping the first', () => {
		const r = processCompletion('a();\nb();\nb();\nb();\nc();', multi('', ''));
		assert.deepEqual(r, { text: 'a();\nb();', done: true, reason: 'repetition' });
	});

	it('two identical lines are fine', () => {
		const r = processCompletion('b();\nb();\nc();\n', multi('', ''));
		assert.deepEqual(r, { text: 'b();\nb();\nc();', done: false });
	});
});

describe('processCompletion: multi-line block end', () => {
	it('Python: a dedent below the block ends the completion', () => {
		const ctx = multi('def f(x):\n    ', '');
		assert.deepEqual(processCompletion('y = x * 2\n    return y\n\ndef g():\n    pass', ctx), {
			text: 'y = x * 2\n    return y',
			done: true,
			reason: 'block-end',
		});
	});

	it('Python: after a block opener the body sets the level; a partial dedented line is hidden, and ends it once it shows code', () => {
		const ctx = multi('def f(x):', '');
		assert.deepEqual(processCompletion('\n    return x\n\n', ctx), { text: '\n    return x', done: false });
		// Its indentation can no longer change: decided without waiting for the line's end.
		assert.deepEqual(processCompletion('\n    return x\n\ndef g', ctx), { text: '\n    return x', done: true, reason: 'block-end' });
		// A closing bracket may still become `} else {`: hidden only.
		assert.deepEqual(processCompletion('\n    return x\n}', ctx), { text: '\n    return x', done: false });
		assert.deepEqual(processCompletion('\n    return x\n\ndef g():\n', ctx), {
			text: '\n    return x',
			done: true,
			reason: 'block-end',
		});
	});

	it('a new statement dedented below the cursor line ends the completion', () => {
		const ctx = multi('def f():\n    return x', '');
		assert.deepEqual(processCompletion('\n\ndef g():\n', ctx), { text: '', done: true, reason: 'block-end' });
	});

	it('keeps the closing brace when the document does not have it yet (end of document)', () => {
		const ctx = multi('function f() {\n  ', '');
		assert.deepEqual(processCompletion('return 1;\n}\n\nfunction g() {}', ctx), {
			text: 'return 1;\n}',
			done: true,
			reason: 'block-end',
		});
	});

	it('does not duplicate a closing brace the suffix already has', () => {
		const ctx = multi('function f() {\n  ', '\n}\n');
		assert.deepEqual(processCompletion('return 1;\n}\n', ctx), { text: 'return 1;', done: true, reason: 'suffix-duplicate' });
	});

	it('stops at the end of the line that closes a bracket opened before the cursor', () => {
		const r = processCompletion('a, b)\nbar()', multi('foo(', ''));
		assert.deepEqual(r, { text: 'a, b)', done: true, reason: 'brackets-closed' });
		// not before the line is complete
		assert.deepEqual(processCompletion('a, b)', multi('foo(', '')), { text: 'a, b)', done: false });
	});

	it('multi-line argument lists closed on their own line', () => {
		const r = processCompletion('\n  a,\n  b\n)\nnext()', multi('foo(', ')'));
		// The echoed ")" is trimmed; the line break before it stays, so the document's own ")"
		// lands on its own line: "foo(\n  a,\n  b\n)".
		assert.deepEqual(r, { text: '\n  a,\n  b\n', done: true, reason: 'block-end' });
	});

	it('brackets inside strings do not end the completion', () => {
		assert.deepEqual(processCompletion('x + ")"\ny()', multi('log(', '')), { text: 'x + ")"\ny()', done: false });
		assert.deepEqual(processCompletion('x + ")")\n', multi('log(', '')), {
			text: 'x + ")")',
			done: true,
			reason: 'brackets-closed',
		});
	});

	it('apostrophes that are not quotes (Rust lifetimes) do not end the completion', () => {
		const ctx = multi('impl Foo {\n    ', '\n}');
		const generated = "fn get<'a>(&'a self) -> &'a str {\n        &self.name\n    }\n";
		assert.deepEqual(processCompletion(generated, ctx), {
			text: "fn get<'a>(&'a self) -> &'a str {\n        &self.name\n    }",
			done: false,
		});
		assert.deepEqual(processCompletion(generated + '}\n', ctx), {
			text: "fn get<'a>(&'a self) -> &'a str {\n        &self.name\n    }",
			done: true,
			reason: 'suffix-duplicate',
		});
	});

	it('tabs are measured with the indent unit', () => {
		const generated = 'bar();\n  baz();\n';
		// with 2-space indentation a tab is 2 columns: "  baz();" stays in the block (as the model wrote it:
		// rewriting it in the document's tabs is test/unit/documentIndent.test.ts's part)
		assert.deepEqual(processCompletion(generated, multi('\tfoo();\n\t', '', { indentUnit: '  ', documentIndent: false })), {
			text: 'bar();\n  baz();',
			done: false,
		});
		// with the default 4 columns it is a dedent (which the old rule cut; keepDedent is blockEndRules.test.ts's part)
		assert.deepEqual(processCompletion(generated, multi('\tfoo();\n\t', '', { keepDedent: false })), {
			text: 'bar();',
			done: true,
			reason: 'block-end',
		});
	});

	it('single-line mode ignores block rules', () => {
		assert.equal(processCompletion('a, b)', single('foo(', '')).text, 'a, b)');
	});
});

describe('processCompletion: text hygiene and edge cases', () => {
	it('drops NUL and other control characters', () => {
		assert.equal(processCompletion('a\u0000b\u0007c\u001bd\u009be', multi('', '')).text, 'abcde');
	});

	it('strips trailing whitespace on every line and at the end', () => {
		assert.equal(processCompletion('y = 2   \nz = 3\t \n\n', multi('x = 1\n', '')).text, 'y = 2\nz = 3');
	});

	it('CRLF documents: model output in either line ending comes back in CRLF', () => {
		const ctx = multi('function f() {\r\n  ', '\r\n}\r\n');
		assert.deepEqual(processCompletion('const a = 1;\r\n  return a;\r\n}', ctx), {
			text: 'const a = 1;\r\n  return a;',
			done: false,
		});
		assert.equal(processCompletion('const a = 1;\n  return a;\n', ctx).text, 'const a = 1;\r\n  return a;');
	});

	it('LF documents: CRLF and lone CR line breaks from the model become LF', () => {
		assert.equal(processCompletion('a\r\nb\rc', multi('x\n', '')).text, 'a\nb\nc');
	});

	it('empty prefix, empty output, whitespace-only output', () => {
		assert.deepEqual(processCompletion('hello', multi('', '')), { text: 'hello', done: false });
		assert.deepEqual(processCompletion('', multi('', '')), { text: '', done: false });
		assert.equal(processCompletion('   \n  ', multi('x', '')).text, '');
		assert.equal(processCompletion('   ', single('f(', 'b)')).text, '');
	});

	it('cursor at the end of the document', () => {
		assert.deepEqual(processCompletion('c\n', multi('a\nb\n', '')), { text: 'c', done: false });
	});

	it('unicode text survives, and an incomplete character at the end is held back', () => {
		assert.equal(processCompletion("héllo 🌍';", single("const s = '", "';")).text, 'héllo 🌍');
		assert.equal(processCompletion('naïve\uFFFD', multi('', '')).text, 'naïve');
		assert.equal(processCompletion('日本語', single('// ', '')).text, '日本語');
	});

	it('a multi-megabyte suffix is not scanned whole: a line two megabytes away is not the next line', () => {
		// Seen a few blank lines below the cursor, the model's second line repeats the document's next line and ends the completion.
		assert.deepEqual(processCompletion('x = 1\ny = 2\n', multi('a\n', '\n'.repeat(10) + 'y = 2')), {
			text: 'x = 1',
			done: true,
			reason: 'suffix-duplicate',
		});
		// Past the bounded look-ahead, the same line is never reached, so nothing stops the completion.
		assert.deepEqual(processCompletion('x = 1\ny = 2\n', multi('a\n', '\n'.repeat(2_000_000) + 'y = 2')), {
			text: 'x = 1\ny = 2',
			done: false,
		});
	});
});

describe('isProbablyBinary', () => {
	it('plain text and source code are not binary', () => {
		assert.equal(isProbablyBinary('function f() {\n\treturn 1;\r\n}\n'), false);
		assert.equal(isProbablyBinary(''), false);
		assert.equal(isProbablyBinary('page one\fpage two'), false);
		assert.equal(isProbablyBinary('unicode: 日本語 🌍'), false);
	});

	it('any NUL in the sample means binary', () => {
		assert.equal(isProbablyBinary('abc\u0000def'), true);
	});

	it('many control or replacement characters mean binary', () => {
		assert.equal(isProbablyBinary('\u0089PNG\r\n\u001a\n' + '\uFFFD\u0001\u0002x'.repeat(50)), true);
		assert.equal(isProbablyBinary('a'.repeat(80) + '\u0001'.repeat(20)), true);
		assert.equal(isProbablyBinary('a'.repeat(95) + '\u0001'.repeat(5)), false);
	});

	it('only a sample is inspected', () => {
		assert.equal(isProbablyBinary('a'.repeat(10_000) + '\u0000'), false);
	});
});

describe('clampContext', () => {
	it('leaves short context alone', () => {
		assert.deepEqual(clampContext('abc', 'def', { maxPrefixChars: 10, maxSuffixChars: 10 }), {
			prefix: 'abc',
			suffix: 'def',
			prefixTruncated: false,
			suffixTruncated: false,
		});
	});

	it('cuts the prefix at a line start and the suffix at a line end', () => {
		const r = clampContext('line1\nline2\nline3', 'line1\nline2\nline3', { maxPrefixChars: 10, maxSuffixChars: 10 });
		assert.deepEqual(r, { prefix: 'line3', suffix: 'line1\n', prefixTruncated: true, suffixTruncated: true });
	});

	it('cuts mid-line when the nearest line boundary would throw most of the window away', () => {
		assert.equal(clampContext('aaaaaaaaa\nb', '', { maxPrefixChars: 10, maxSuffixChars: 0 }).prefix, 'aaaaaaaa\nb');
		assert.equal(clampContext('x'.repeat(100), '', { maxPrefixChars: 10, maxSuffixChars: 0 }).prefix, 'x'.repeat(10));
		assert.equal(clampContext('', 'a\nbbbbbbbbbbbb', { maxPrefixChars: 0, maxSuffixChars: 10 }).suffix, 'a\nbbbbbbbb');
	});

	it('never splits a surrogate pair or a CRLF', () => {
		assert.equal(clampContext('a😀b', '', { maxPrefixChars: 2, maxSuffixChars: 0 }).prefix, 'b');
		assert.equal(clampContext('', 'a😀b', { maxPrefixChars: 0, maxSuffixChars: 2 }).suffix, 'a');
		assert.equal(clampContext('', 'abcdef\r\nxyz', { maxPrefixChars: 0, maxSuffixChars: 7 }).suffix, 'abcdef');
		assert.equal(clampContext('', 'ab\r\ncd\r\nef', { maxPrefixChars: 0, maxSuffixChars: 8 }).suffix, 'ab\r\ncd\r\n');
	});

	it('zero limits give empty strings', () => {
		assert.deepEqual(clampContext('abc', 'def', { maxPrefixChars: 0, maxSuffixChars: 0 }), {
			prefix: '',
			suffix: '',
			prefixTruncated: true,
			suffixTruncated: true,
		});
	});

	it('multi-megabyte documents are reduced to the window', () => {
		const line = 'const value = compute(input);\n';
		const big = line.repeat(200_000); // ~6 MB
		const r = clampContext(big + 'tail', 'head' + big, { maxPrefixChars: 2000, maxSuffixChars: 1000 });
		assert.ok(r.prefix.length <= 2000 && r.prefix.length > 1000);
		assert.ok(r.prefix.startsWith('const value') && r.prefix.endsWith('tail'));
		assert.ok(r.suffix.length <= 1000 && r.suffix.startsWith('head') && r.suffix.endsWith('\n'));
	});
});

describe('processCompletion: streaming contract', () => {
	// The runtime calls processCompletion after every token and stops at the first `done`;
	// that is only safe if no later output could have changed the answer.
	const cases: Array<[prefix: string, suffix: string, generated: string]> = [
		['function f() {\n  ', '\n}\n', 'const a = 1;\n  return a;\n}\n\nfunction g() {\n  return 2;\n}\n'],
		['def f(x):\n    ', '', 'y = x * 2\n    return y\n\ndef g():\n    pass\n'],
		['foo(', ');\n', '\n  a,\n  b\n);\nnext()'],
		['if (x) {', '', '\n  return 1;\n}\n'],
		['', '', 'a();\nb();\nb();\nb();\nc();\n'],
		['impl Foo {\n    ', '\n}', "fn get<'a>(&'a self) -> &'a str {\n        &self.name\n    }\n}\n"],
		['function f() {\r\n  ', '\r\n}\r\n', 'const a = 1;\r\n  return a;\r\n}\r\n'],
		['x = [', ']', '\n  1,\n  2,\n]\ny = 3\n'],
	];

	it('once done, every longer output gives the same text', () => {
		for (const [prefix, suffix, generated] of cases) {
			for (const mode of ['single-line', 'multi-line'] as const) {
				const ctx = { prefix, suffix, mode };
				let doneText: string | undefined;
				for (let end = 0; end <= generated.length; end++) {
					const r = processCompletion(generated.slice(0, end), ctx);
					if (doneText === undefined) {
						if (r.done) doneText = r.text;
					} else {
						assert.equal(r.done, true, `${mode} ${JSON.stringify(prefix)} at ${end}`);
						assert.equal(r.text, doneText, `${mode} ${JSON.stringify(prefix)} at ${end}`);
					}
				}
				assert.notEqual(doneText, undefined, `${mode} ${JSON.stringify(prefix)} never finished`);
			}
		}
	});
});
