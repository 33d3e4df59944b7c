import assert from 'node:assert/strict';
import { checkCommentOnlyChange, type CommentOnlyVerdict } from '../../src/engine/actions/commentOnlyCheck.js';
import { canSplitComments, splitCommentSpans } from '../../src/engine/actions/commentSpans.js';

const lines = (...parts: string[]): string => parts.join('\n');

/** The comment texts the lexer finds, in order. */
function commentsOf(text: string, languageId: string): string[] {
	const segments = splitCommentSpans(text, languageId);
	assert.ok(segments, `${languageId} is supported`);
	return segments.filter((segment) => segment.kind === 'comment').map((segment) => segment.text);
}

function accepts(languageId: string, original: string, rewritten: string): void {
	assert.deepEqual(checkCommentOnlyChange(original, rewritten, languageId), { ok: true });
}

function refuses(languageId: string, original: string, rewritten: string, reason?: RegExp): Extract<CommentOnlyVerdict, { ok: false }> {
	const verdict = checkCommentOnlyChange(original, rewritten, languageId);
	assert.equal(verdict.ok, false, `expected a refusal for:\n${rewritten}`);
	const refusal = verdict as Extract<CommentOnlyVerdict, { ok: false }>;
	if (reason) assert.match(refusal.reason, reason);
	return refusal;
}

/** Replaces exactly one occurrence, so that a typo in a test cannot make it pass vacuously. */
function edit(text: string, from: string, to: string): string {
	const at = text.indexOf(from);
	assert.ok(at >= 0, `test text contains ${JSON.stringify(from)}`);
	return text.slice(0, at) + to + text.slice(at + from.length);
}

describe('splitCommentSpans: telling comments from code', function () {
	it('gives back segments that put together are the text, for every supported language', function () {
		const sample = lines(
			'#!/x',
			'// a "b" /* c */ \'d\' `e` -- f # g <!-- h --> {- i -} =begin',
			'x = "y # z" /r/ \'q\' $# ${#v}',
			'=end',
			'"""doc"""',
			'',
		);
		for (const languageId of [
			'typescript',
			'python',
			'rust',
			'go',
			'c',
			'csharp',
			'swift',
			'kotlin',
			'scala',
			'dart',
			'php',
			'ruby',
			'perl',
			'shellscript',
			'yaml',
			'toml',
			'dockerfile',
			'makefile',
			'r',
			'lua',
			'sql',
			'haskell',
			'html',
			'xml',
			'css',
			'scss',
			'less',
			'markdown',
		]) {
			const segments = splitCommentSpans(sample, languageId)!;
			assert.equal(segments.map((segment) => segment.text).join(''), sample, languageId);
			for (let i = 1; i < segments.length; i++)
				assert.notEqual(segments[i]!.kind, segments[i - 1]!.kind, `${languageId}: segments alternate`);
		}
	});

	it('knows which languages it can read', function () {
		assert.ok(canSplitComments('typescriptreact'));
		assert.ok(canSplitComments('markdown'));
		assert.equal(canSplitComments('cobol'), false);
		assert.equal(splitCommentSpans('x', 'cobol'), undefined);
	});

	const cases: [string, string, string[]][] = [
		// JavaScript / TypeScript: strings, template literals and regexes hide comment markers
		['typescript', 'const a = "// no"; // yes', ['// yes']],
		['typescript', "const a = '/* no */'; /* yes */", ['/* yes */']],
		['typescript', 'const t = `a // no ${b /* in interpolation */ + "}"} /* no */`; // yes', ['// yes']],
		['typescript', 'const r = /\\/\\*/g; const s = /[/*]/; // yes', ['// yes']],
		['typescript', 'x = a / b / c; // yes', ['// yes']],
		['typescript', 'return /\\/\\//.test(s); // yes', ['// yes']],
		['javascript', '#!/usr/bin/env node\n// yes', ['// yes']],
		['typescriptreact', '/** Doc. */\nconst C = () => <div>{/* jsx */}</div>;', ['/** Doc. */', '/* jsx */']],
		// JSX text is not parsed: a URL or a glob in it must not open a comment that hides the code after it
		['typescriptreact', 'const A = () => <p>See https://x.com or src/*.ts</p>;\nconst b = a + 1;\nx/* inline */;', ['/* inline */']],
		// Python: docstrings are documentation, strings elsewhere are code
		[
			'python',
			'def f():\n    """Doc # not a comment marker."""\n    return "# no"  # yes',
			['"""Doc # not a comment marker."""', '# yes'],
		],
		['python', "x = '#'  # yes\ny = f\"{d['#']}\"  # also", ['# yes', '# also']],
		['python', 'x = (\n    """not a docstring"""\n)\ny = """nor this"""\nz = r"\\"#"  # yes', ['# yes']],
		['python', "class A:\n    '''Class doc.'''\n    u = f'''{x}'''\n", ["'''Class doc.'''"]],
		['python', 'x = f\'{n:#x} {d["k"]!r:>{w}}\'  # yes', ['# yes']],
		[
			'python',
			'class A:\n    x = 1\n    """Attribute doc."""\n    def f(\n        self,\n    ) -> int:\n        """Wrapped signature doc."""\n        if x:\n            """not documentation"""',
			['"""Attribute doc."""', '"""Wrapped signature doc."""'],
		],
		// a selection that starts inside brackets: a string after a comma or `in` is an operand, not a docstring
		['python', '    "a",\n    """part of a call"""\n)\nz = [y for y in\n    """s"""]', []],
		// Rust: nested comments, raw strings, lifetimes and char literals
		['rust', '/* a /* b */ c */ fn f() {}', ['/* a /* b */ c */']],
		['rust', 'let s = r#"// "no" /* "#; // yes', ['// yes']],
		['rust', "fn f<'a>(x: &'a str) -> char { '\"' } // yes \"", ['// yes "']],
		['rust', "/// Doc.\n//! Inner.\nlet c = b'/'; let d = '\\''; // yes", ['/// Doc.', '//! Inner.', '// yes']],
		// Go
		['go', "x := `// raw\n/* raw */` // yes\nr := '\"' /* b */", ['// yes', '/* b */']],
		// C and C++: a backslash continues a // comment; digit separators are not quotes
		['cpp', "// a \\\nstill comment\nint x = 1'000; // yes", ['// a \\\nstill comment', '// yes']],
		['cpp', 'auto s = R"x(// no )" /* no */)x"; // yes', ['// yes']],
		['c', 'char c = \'"\'; char *s = "/*"; // yes', ['// yes']],
		// C#, Java, Kotlin, Swift, Scala, Dart, PHP
		['csharp', 'var s = @"C:\\dir\\"; var t = $"{a}/* no */"; // yes', ['// yes']],
		['csharp', 'var r = """\n  // no\n  """; // yes', ['// yes']],
		['java', 'String s = """\n  // no\n  """; // yes', ['// yes']],
		['kotlin', 'val s = "${map["//"]}" /* a /* nested */ b */', ['/* a /* nested */ b */']],
		['swift', 'let s = "\\(x["//"])" + #"raw // "# // yes', ['// yes']],
		['scala', 'val s = s"${x}//no" // yes', ['// yes']],
		['dart', "var s = r'\\' // yes\nvar t = '${a['//']}';", ['// yes']],
		['php', "<?php\n#[Attr]\n$a = '# no'; # yes\n$b = <<<EOT\n# data\nEOT;\n// end", ['# yes', '// end']],
		// Ruby and Perl
		[
			'ruby',
			'x = "#{h["#"]}" # yes\ny = %w[a #b]\nz = /#/ =~ s\n=begin\ndoc\n=end\nq = <<~EOS\n  # data\nEOS',
			['# yes', '=begin\ndoc\n=end'],
		],
		[
			'perl',
			'my $n = $#arr; # yes\n$s =~ s/#/x/g;\nmy @a = split /#/, $x;\nprint q{#no};\n=pod\nDoc.\n=cut',
			['# yes', '=pod\nDoc.\n=cut'],
		],
		// Shell: # only at the start of a word; heredoc bodies are data
		[
			'shellscript',
			"echo $# ${#x} a#b \"#\" '#' \\# # yes\ncat <<EOF\n# data\nEOF\ncat <<- 'END'\n\t# data\n\tEND\n# done",
			['# yes', '# done'],
		],
		['shellscript', 'echo "$(echo "# no")" # yes', ['# yes']],
		// YAML: quoted scalars and block scalars hold text, not comments
		[
			'yaml',
			"a: b # yes\nurl: http://x/#frag\nit: it's # yes\nq: 'a # b'\nrun: |\n  # script line\n  echo hi\nnext: 1 # yes",
			['# yes', '# yes', '# yes'],
		],
		['yaml', 'steps:\n  - run: >-\n      # folded text\n    name: build # yes', ['# yes']],
		['toml', "a = \"# no\" # yes\nb = '''\n# no\n'''", ['# yes']],
		['dockerfile', '# yes\nRUN echo a#b && \\\n    # yes too\n    ls\nRUN <<EOF\n# script\nEOF', ['# yes', '# yes too']],
		['makefile', 'CFLAGS = -O2 # yes\nall:\n\techo "#" # passed to the shell\n\t# yes\nX = a\\#b', ['# yes', '# yes']],
		['r', 'x <- "# no" # yes\ny <- r"(# no)"', ['# yes']],
		// Lua, SQL, Haskell
		['lua', '--[==[ long\n]==] x = "--no" .. [[--no]] -- yes\n--[[ blk ]]', ['--[==[ long\n]==]', '-- yes', '--[[ blk ]]']],
		['sql', "-- yes\nSELECT '--no', 'it''s -- no', $$ -- body $$ /* yes */ FROM t; -- yes", ['-- yes', '/* yes */', '-- yes']],
		['haskell', "{- a {- b -} c -}\nf x = x --> y -- yes\ng' = 'a' ++ \"--\"", ['{- a {- b -} c -}', '-- yes']],
		// Markup and styles
		['html', '<!-- yes -->\n<p title="x">t</p>\n<script>var s = "<!-- no -->";</script>', ['<!-- yes -->']],
		['xml', '<a><![CDATA[ <!-- no --> ]]></a><!-- yes -->', ['<!-- yes -->']],
		['css', 'a { content: "/* no */"; } /* yes */\nb { background: url(//cdn/x.png); }', ['/* yes */']],
		['scss', '/* yes */ a { background: url(http://x.com/a.png); } // yes\n$s: "// no";', ['/* yes */', '// yes']],
	];
	for (const [languageId, text, expected] of cases) {
		it(`${languageId}: ${JSON.stringify(text).slice(0, 70)}`, function () {
			assert.deepEqual(commentsOf(text, languageId), expected);
		});
	}
});

describe('checkCommentOnlyChange: JavaScript and TypeScript', function () {
	const TS = lines(
		'/** adds up teh totals */',
		'export function total(items: number[]): number {',
		'\t// loop over them',
		'\tconst pattern = /\\/\\*/; const url = "http://example.com"; // a regex and a string with markers',
		'\treturn items.reduce((a, b) => a / 1 + b, 0); // sum',
		'}',
		'',
	);

	it('accepts reworded, reflowed, added and removed comments', function () {
		const rewritten = lines(
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
		);
		accepts('typescript', TS, rewritten);
	});

	it('accepts reformatted JSDoc tags and a comment re-indented on its own line', function () {
		const original = lines(
			'  /**',
			'  * sums.',
			'  * @param {number} a - first',
			'  * @returns {number} the sum',
			'  */',
			'  function sum(a, b) { return a + b; }',
		);
		const rewritten = lines(
			'  /**',
			'   * Sums two numbers.',
			'   *',
			'   * @param {number} a The first number.',
			'   * @returns {number} The sum.',
			'   */',
			'  function sum(a, b) { return a + b; }',
		);
		accepts('javascript', original, rewritten);
		accepts('javascript', original, lines('  /** Sums two numbers. */', '  function sum(a, b) { return a + b; }'));
	});

	it('accepts a new comment, and changes to the spaces before a trailing comment', function () {
		const original = 'const a = 1;\nconst b = 2;   // two\n';
		accepts('typescript', original, '// Constants.\nconst a = 1; // One.\nconst b = 2; // Two.\n');
		accepts('typescript', original, 'const a = 1;\nconst b = 2;\n');
	});

	it('accepts inline block comments reworded, and one removed where spaces remain', function () {
		const original = 'call(a, /* the b */ b, c /* last */);\n';
		accepts('typescript', original, 'call(a, /* The B value. */ b, c /* The last one. */);\n');
		accepts('typescript', original, 'call(a, b, c /* The last one. */);\n');
	});

	it('accepts template literals and regexes left alone while their neighbouring comments change', function () {
		const original = 'const t = `// not ${x /* y */} a comment`; // note\nconst r = /[/*]+/; // pattern\n';
		accepts('typescript', original, 'const t = `// not ${x /* y */} a comment`; // A note.\nconst r = /[/*]+/; // The pattern.\n');
	});

	const rejected: [string, string, RegExp][] = [
		[
			'a changed operator',
			edit(TS, 'a / 1 + b', 'a / 1 - b'),
			/^the model changed code on line 5: `return items\.reduce\(\(a, b\) => a \/ 1 \+ b, 0\); \/\/ sum` became `return items\.reduce\(\(a, b\) => a \/ 1 - b, 0\); \/\/ sum`$/,
		],
		['a renamed identifier', edit(TS, 'total(items', 'sum(items'), /changed code on line 2: `export function total/],
		['changed indentation of code', edit(TS, '\treturn', '    return'), /changed the indentation of line 5/],
		['trailing whitespace added to code', edit(TS, 'number {', 'number { '), /changed the trailing whitespace of line 2/],
		['a changed string that looks like a comment', edit(TS, '"http://example.com"', '"http://example.org"'), /changed code on line 4/],
		['a changed regex', edit(TS, '/\\/\\*/', '/\\/\\*+/'), /changed code on line 4/],
		[
			'a removed line of code',
			edit(TS, '\treturn items.reduce((a, b) => a / 1 + b, 0); // sum\n', ''),
			/removed code on line 5: `return items/,
		],
		['code moved into a comment', edit(TS, '\treturn items', '\t// return items'), /turned code on line 5 into a comment/],
		['a comment turned into code', edit(TS, '\t// loop over them', '\tloopOverThem();'), /added code at line 4: `loopOverThem\(\);`/],
		['a comment uncommented', edit(TS, '\t// loop over them', '\tloop over them'), /turned a comment into code at line 4/],
		['an added blank line', edit(TS, '}\n', '\n}\n'), /added a blank line at line 6/],
		[
			'a block comment opened over code',
			edit(edit(TS, '// loop over them', '/* loop over them'), '// a regex', '*/ // a regex'),
			/line 4/,
		],
	];
	for (const [what, rewritten, reason] of rejected) {
		it(`refuses ${what}, saying where`, function () {
			refuses('typescript', TS, rewritten, reason);
		});
	}

	it('reports the first difference with its line and both texts', function () {
		const refusal = refuses('typescript', TS, edit(TS, 'a / 1 + b', 'a * 1 + b'));
		assert.deepEqual(refusal.firstDifference, {
			line: 5,
			originalText: '\treturn items.reduce((a, b) => a / 1 + b, 0); // sum',
			rewrittenText: '\treturn items.reduce((a, b) => a * 1 + b, 0); // sum',
		});
	});

	it('refuses a removed blank line', function () {
		const original = TS + '\nnext();\n';
		refuses('typescript', original, edit(original, '}\n\n', '}\n'), /^the model removed the blank line 7$/);
	});

	it('refuses a removed inline comment that glues two tokens together', function () {
		refuses('typescript', 'let x = a/* sep */in b;\n', 'let x = ain b;\n');
	});

	it('holds directive comments to the code standard', function () {
		const original = '// @ts-ignore\nfoo(x);\n/* eslint-disable no-console */\n';
		refuses('typescript', original, '// @ts-expect-error\nfoo(x);\n/* eslint-disable no-console */\n');
		refuses('typescript', original, 'foo(x);\n/* eslint-disable no-console */\n');
		accepts('typescript', original, '// @ts-ignore\nfoo(x);\n/* eslint-disable no-console */\n');
	});

	it('keeps CRLF comment reflows acceptable and a changed line break a code change', function () {
		const original = '// one two\r\nconst a = 1;\r\n';
		accepts('typescript', original, '// One\r\n// two.\r\nconst a = 1;\r\n');
		refuses('typescript', original, '// One two.\r\nconst a = 1;\n', /line 2/);
	});

	it("treats the last line's comment and its line break together", function () {
		accepts('typescript', 'x();\n// done', 'x();');
		accepts('typescript', 'x();', 'x();\n// Done.');
		accepts('typescript', 'x(); // done', 'x();');
	});
});

describe('checkCommentOnlyChange: Python', function () {
	const PY = lines(
		'"""module doc"""',
		'import re',
		'',
		'def inc(x):',
		'    """adds one"""',
		'    s = "# not a comment"',
		'    t = f"{x!r:>{10}} # no"',
		'    return x + 1  # plus',
		'',
	);

	it('accepts docstrings reworded and expanded over more lines, and # comments reworded', function () {
		const rewritten = lines(
			'"""Module documentation."""',
			'import re',
			'',
			'def inc(x):',
			'    """Add one to x.',
			'',
			'    Returns:',
			'        The successor of x.',
			'    """',
			'    s = "# not a comment"',
			'    t = f"{x!r:>{10}} # no"',
			'    return x + 1  # Plus one.',
			'',
		);
		accepts('python', PY, rewritten);
	});

	it('refuses changes to # inside strings and f-strings', function () {
		refuses('python', PY, edit(PY, '# not a comment', '# changed'), /line 6/);
		refuses('python', PY, edit(PY, '{10}} # no', '{10}} # yes'), /line 7/);
	});

	it('refuses changed indentation, since it is Python syntax', function () {
		refuses('python', PY, edit(PY, '    return x + 1', '  return x + 1'), /indentation of line 8/);
	});

	it('does not take a string inside brackets or an assignment for a docstring', function () {
		const original = 'x = (\n    """text"""\n)\ny = """more"""\n';
		refuses('python', original, edit(original, '"""text"""', '"""Text."""'), /line 2/);
		refuses('python', original, edit(original, '"""more"""', '"""More."""'), /line 4/);
	});

	it('holds type and lint pragmas to the code standard', function () {
		const original = 'import x  # type: ignore\n';
		refuses('python', original, 'import x  # Type: ignore this.\n');
	});
});

describe('checkCommentOnlyChange: Rust, Go, C family', function () {
	it('Rust: nested comments and doc comments may change, raw strings and chars may not', function () {
		const rust = lines(
			'/* outer /* inner */ still comment */',
			'/// adds',
			'fn main() { let s = r#"/* no */ "q" "#; let c = \'"\'; }',
			'',
		);
		accepts(
			'rust',
			rust,
			lines(
				'/* Outer /* inner */ still a comment. */',
				'/// Adds one.',
				'/// Returns the sum.',
				'fn main() { let s = r#"/* no */ "q" "#; let c = \'"\'; }',
				'',
			),
		);
		refuses('rust', rust, edit(rust, '/* no */ "q"', '/* yes */ "q"'), /line 3/);
		refuses('rust', rust, edit(rust, 'still comment */', 'still comment'), /line 3/);
	});

	it('Go: comments may change, raw strings and build directives may not', function () {
		const go = lines('//go:build linux', '', '// Package x does things.', 'package x', '', 'var s = `// raw`', '');
		accepts('go', go, edit(go, '// Package x does things.', '// Package x does things\n// for linux.'));
		refuses('go', go, edit(go, '`// raw`', '`// Raw`'), /line 6/);
		refuses('go', go, edit(go, '//go:build linux', '//go:build darwin'), /line 1/);
	});

	it('C: a backslash that continues a // comment over the next line is caught', function () {
		const c = 'int x = 0; // see C:\\dir\nx++;\n';
		refuses('c', c, 'int x = 0; // See C:\\\nx++;\n', /line 2/);
		accepts('c', c, 'int x = 0; // See the dir.\nx++;\n');
	});

	it('Java, C#, Kotlin, Swift: strings with comment markers are code', function () {
		refuses('java', 'String s = "// a"; // b\n', 'String s = "// A"; // b\n');
		refuses('csharp', 'var s = @"/* a */"; // b\n', 'var s = @"/* A */"; // b\n');
		refuses('kotlin', 'val s = "${"//"}" // b\n', 'val s = "${"// "}" // b\n');
		refuses('swift', 'let s = #"// a"# // b\n', 'let s = #"// A"# // b\n');
		accepts('swift', '/* a /* b */ c */ let x = 1\n', '/* A /* B */ C. */ let x = 1\n');
	});
});

describe('checkCommentOnlyChange: shell, Ruby, Perl, Dockerfile, Makefile', function () {
	const SH = lines('#!/bin/sh', '# count args', 'echo $# "#" \'#\' ${#x} # args', 'cat <<EOF', '# kept as data', 'EOF', '');

	it('shell: comments may change, $#, quoted # and heredoc lines may not', function () {
		accepts('shellscript', SH, edit(edit(SH, '# count args', '# Count the arguments.'), '# args', '# The argument count.'));
		refuses('shellscript', SH, edit(SH, "'#'", "'# '"), /line 3/);
		refuses('shellscript', SH, edit(SH, '# kept as data', '# Kept as data.'), /line 5/);
		refuses('shellscript', SH, edit(SH, '#!/bin/sh', '#!/bin/bash'), /line 1/);
	});

	it('ruby: =begin blocks and # comments may change, interpolations and %w may not', function () {
		const rb = '=begin\ndoc\n=end\nx = "#{a} #b" # c\ny = %w[#a b]\n';
		accepts('ruby', rb, '=begin\nThe doc.\n=end\nx = "#{a} #b" # The c.\ny = %w[#a b]\n');
		refuses('ruby', rb, edit(rb, '#b"', '#B"'));
		refuses('ruby', rb, edit(rb, '%w[#a b]', '%w[#A b]'));
	});

	it('perl: POD and comments may change, $#array may not', function () {
		const pl = '=pod\n\nsums\n\n=cut\nmy $last = $#items; # last index\n';
		accepts('perl', pl, '=pod\n\nSums the items.\n\n=cut\nmy $last = $#items; # The last index.\n');
		refuses('perl', pl, edit(pl, '$#items', '$#things'));
	});

	it('dockerfile and makefile: only real comments may change', function () {
		const docker = '# syntax=docker/dockerfile:1\n# base image\nFROM alpine\nRUN echo a#b\n';
		accepts('dockerfile', docker, edit(docker, '# base image', '# The base image.'));
		refuses('dockerfile', docker, edit(docker, 'a#b', 'a#c'));
		refuses('dockerfile', docker, edit(docker, 'dockerfile:1', 'dockerfile:2'));
		const make = 'CC = gcc # compiler\nall:\n\techo "#" # to the shell\n';
		accepts('makefile', make, edit(make, '# compiler', '# The C compiler.'));
		refuses('makefile', make, edit(make, '# to the shell', '# To the shell.'));
	});
});

describe('checkCommentOnlyChange: YAML, TOML, HTML, CSS, SQL, Lua, Haskell', function () {
	it('YAML: comments may change; quoted # and block scalar lines may not', function () {
		const yaml = lines('# build', 'on: push # trigger', 'url: "http://x/#a" # link', 'run: |', '  # step one', '  make', '');
		accepts('yaml', yaml, edit(edit(yaml, '# build', '# Build the project.\n# On every push.'), '# trigger', '# The trigger.'));
		refuses('yaml', yaml, edit(yaml, 'x/#a', 'x/#b'), /line 3/);
		refuses('yaml', yaml, edit(yaml, '# step one', '# Step one.'), /line 5/);
		refuses('yaml', yaml, edit(yaml, '  make', '    make'), /indentation of line 6/);
	});

	it('TOML: # in strings is code', function () {
		const toml = 'name = "a#b" # the name\n';
		accepts('toml', toml, 'name = "a#b" # The name.\n');
		refuses('toml', toml, 'name = "a#c" # the name\n');
	});

	it('HTML: comments may change; text, attributes and script may not', function () {
		const html = '<!-- nav -->\n<nav class="top">Home</nav>\n<script>var s = "<!-- x -->";</script>\n';
		accepts('html', html, edit(html, 'nav -->', 'Navigation bar -->'));
		refuses('html', html, edit(html, 'Home', 'Start'), /line 2/);
		refuses('html', html, edit(html, '<!-- x -->', '<!-- y -->'), /line 3/);
	});

	it('CSS and SCSS: /* */ (and // in SCSS) may change; url() and strings may not', function () {
		const css = '/* header */\nh1 { content: "/* x */"; }\n';
		accepts('css', css, '/* The page header. */\nh1 { content: "/* x */"; }\n');
		refuses('css', css, edit(css, '/* x */"', '/* y */"'));
		const scss = 'a { background: url(http://x.com/a.png); } // bg\n';
		accepts('scss', scss, 'a { background: url(http://x.com/a.png); } // The background.\n');
		refuses('scss', scss, edit(scss, 'a.png', 'b.png'));
	});

	it('SQL: -- in strings and dollar-quoted bodies is code', function () {
		const sql = "-- find users\nSELECT * FROM users WHERE name = '-- x'; -- by name\n";
		accepts('sql', sql, edit(edit(sql, 'find users', 'Find all users.'), 'by name', 'Filtered by name.'));
		refuses('sql', sql, edit(sql, "'-- x'", "'-- y'"), /line 2/);
		refuses('sql', sql, edit(sql, 'SELECT *', 'SELECT id'), /line 2/);
	});

	it('Lua: long comments may change; long strings may not', function () {
		const lua = '--[[ helper ]]\nlocal s = [[-- not a comment]] -- text\n';
		accepts('lua', lua, '--[[\n  The helper.\n]]\nlocal s = [[-- not a comment]] -- The text.\n');
		refuses('lua', lua, edit(lua, '[[-- not', '[[-- Not'));
	});

	it('Haskell: nested comments may change; operators made of dashes and pragmas may not', function () {
		const hs = '{-# LANGUAGE GADTs #-}\n{- outer {- inner -} -}\nf = a --> b -- arrow\n';
		accepts('haskell', hs, edit(edit(hs, 'outer', 'Outer'), '-- arrow', '-- The arrow.'));
		refuses('haskell', hs, edit(hs, 'a --> b', 'a --> c'));
		refuses('haskell', hs, edit(hs, 'GADTs', 'RankNTypes'));
	});
});

describe('checkCommentOnlyChange: prose and unknown languages', function () {
	it('allows anything in Markdown and plain text', function () {
		accepts('markdown', 'teh text\n```js\nx = 1\n```\n', 'The text.\n');
		accepts('plaintext', 'a', 'b');
	});

	it('refuses a language it cannot read, saying why', function () {
		const refusal = refuses('cobol', 'x\ny', 'x\nz', /cannot tell comments from code in cobol/);
		assert.deepEqual(refusal.firstDifference, { line: 2, originalText: 'y', rewrittenText: 'z' });
	});
});
