import assert from 'node:assert/strict';
import { sweepThresholds } from '../../src/bench/quality/confidenceSweep.js';
import { autoIndent, candidatePoints, detectIndentUnit, samplePoints } from '../../src/bench/quality/cursorPoints.js';
import { ringChunks, shouldDiscard } from '../../src/bench/quality/llamaVscodeQuality.js';
import { planPoints } from '../../src/bench/quality/pointPlan.js';
import { loadQualityFiles, QUALITY_LANGUAGES } from '../../src/bench/quality/qualityFixtures.js';
import { acceptedByWords, firstLine, scoreSuggestion, summarizeOutcomes } from '../../src/bench/quality/qualityMetrics.js';
import { parseQualityOptions } from '../../src/bench/quality/qualityOptions.js';

describe('quality replay: scoring one suggestion', function () {
	it('a suggestion that is the whole truth is precise and saves every character', function () {
		const score = scoreSuggestion('return a + b\n', 'return a + b');
		assert.deepEqual(score, {
			shown: true,
			firstLineRight: true,
			wholePrefix: true,
			precise: true,
			wrong: false,
			charsSaved: 12,
			truthChars: 12,
		});
	});

	it('a right start that stops early saves its length but is not precise', function () {
		const score = scoreSuggestion('return a', 'return a + b');
		assert.equal(score.wholePrefix, true);
		assert.equal(score.firstLineRight, false);
		assert.equal(score.precise, false);
		assert.equal(score.wrong, false);
		assert.equal(score.charsSaved, 8);
	});

	it('a wrong suggestion saves the whole words before the first wrong one (accept-word)', function () {
		// Agrees for "return a + " then says "c": accept-word takes "return", " a", " +" (10 characters).
		const score = scoreSuggestion('return a + c', 'return a + b');
		assert.equal(score.wrong, true);
		assert.equal(score.precise, false);
		assert.equal(score.charsSaved, 10);
		// A wrong character inside the first word saves nothing.
		assert.equal(scoreSuggestion('retire', 'return').charsSaved, 0);
	});

	it('a suggestion running past the truth is wrong, yet its right first line is still typed by accept-word', function () {
		const score = scoreSuggestion('x = 1\ny = 2', 'x = 1');
		assert.equal(score.firstLineRight, true);
		assert.equal(score.wholePrefix, false);
		assert.equal(score.precise, false);
		assert.equal(score.wrong, true);
		assert.equal(score.charsSaved, 5);
	});

	it('blank suggestions are not shown and cost nothing', function () {
		assert.deepEqual(scoreSuggestion(' \n\t', 'foo()'), {
			shown: false,
			firstLineRight: false,
			wholePrefix: false,
			precise: false,
			wrong: false,
			charsSaved: 0,
			truthChars: 5,
		});
	});

	it('at a line end the first line is the one after the line break', function () {
		assert.equal(firstLine('\n    return result\n'), '\n    return result');
		const score = scoreSuggestion('\n    return result', '\n    return result');
		assert.equal(score.precise, true);
		assert.equal(score.charsSaved, 18);
		assert.equal(scoreSuggestion('\n    return other', '\n    return result').charsSaved, '\n    return'.length);
	});

	it('accept-word stops at word and symbol runs', function () {
		assert.equal(acceptedByWords('foo.bar(baz)', 12), 12);
		assert.equal(acceptedByWords('foo.bar(baz)', 5), 4);
		assert.equal(acceptedByWords('foo.bar(baz)', 2), 0);
		assert.equal(acceptedByWords('  x = y', 3), 3);
	});

	it('adds up: rates, precision over shown, wrong per 100 points', function () {
		const outcome = (suggestion: string, truth: string) => ({
			...scoreSuggestion(suggestion, truth),
			latencyMs: 100,
			generatedTokens: 4,
		});
		const summary = summarizeOutcomes([outcome('abc', 'abc'), outcome('abd', 'abc'), outcome('', 'abcd'), outcome('ab', 'abc')]);
		assert.equal(summary.points, 4);
		assert.equal(summary.shown, 3);
		assert.equal(summary.shownRate, 0.75);
		assert.equal(summary.precise, 1);
		assert.equal(summary.precision, 0.3333);
		assert.equal(summary.wrong, 1);
		assert.equal(summary.wrongPer100Points, 25);
		// 3 (whole) + 0 ("abd": the first word is wrong) + 0 + 2 (a right start) of 3 + 3 + 4 + 3.
		assert.equal(summary.charsSaved, 5);
		assert.equal(summary.truthChars, 13);
		assert.equal(summary.generatedTokensPerPoint, 4);
	});
});

describe('quality replay: cursor points', function () {
	const python = [
		'import os',
		'',
		'',
		'def total(items):',
		'    result = 0',
		'    for item in items:',
		'        result += item',
		'    return result',
		'',
	].join('\n');

	it('detects the indentation unit and the auto-indentation after Enter', function () {
		assert.equal(detectIndentUnit(python), '    ');
		assert.equal(detectIndentUnit('a {\n\tb\n\t\tc\n}'), '\t');
		assert.equal(autoIndent('    for item in items:', '    ', 'python'), '        ');
		assert.equal(autoIndent('    x = 1', '    ', 'python'), '    ');
		assert.equal(autoIndent('  if (a) {', '  ', 'typescript'), '    ');
	});

	it('a new-line point is the document after Enter, and the rest of the line is the truth', function () {
		const points = candidatePoints(python, 'new-line', 'python');
		const loopBody = points.find((point) => point.line === 6)!;
		assert.equal(loopBody.prefix, 'import os\n\n\ndef total(items):\n    result = 0\n    for item in items:\n        ');
		assert.equal(loopBody.suffix, '\n    return result\n');
		assert.equal(loopBody.truth, 'result += item');
		// `return result` is a dedent after the loop body: not a new-line point.
		assert.equal(
			points.some((point) => point.line === 7),
			false,
		);
	});

	it('a line-end point asks after the complete line above; the truth starts with the line break', function () {
		const point = candidatePoints(python, 'line-end', 'python').find((candidate) => candidate.line === 7)!;
		assert.equal(point.prefix.endsWith('        result += item'), true);
		assert.equal(point.suffix, '\n');
		assert.equal(point.truth, '\n    return result');
		assert.equal(point.prefix + point.truth + point.suffix, python);
	});

	it('an argument-list point keeps the closing parenthesis and what follows', function () {
		const text = 'a\nb\nc\nconst x = compute(first, second) + 1;\nd\n';
		const points = candidatePoints(text, 'argument-list', 'typescript');
		assert.deepEqual(
			points.map((point) => point.truth),
			['first, second', 'second'],
		);
		for (const point of points) {
			assert.equal(point.prefix + point.truth + point.suffix, text);
			assert.equal(point.suffix.startsWith(') + 1;'), true);
		}
	});

	it('mid-line points type 2-6 characters and leave at least 3; draws repeat with the seed', function () {
		const first = samplePoints(python, 'mid-line', 'python', 3, 7);
		assert.deepEqual(samplePoints(python, 'mid-line', 'python', 3, 7), first);
		for (const point of first) {
			const typed = point.prefix.slice(point.prefix.lastIndexOf('\n') + 1).trimStart();
			assert.ok(typed.length >= 1 && typed.length <= 6, JSON.stringify(typed));
			assert.ok(point.truth.length >= 3);
			const original = python.split('\n')[point.line]!;
			assert.equal(original.trimStart(), typed + point.truth);
		}
	});

	it('plans points per language over the fixture files, evenly over the kinds', function () {
		const files = loadQualityFiles();
		assert.deepEqual([...new Set(files.map((file) => file.language))], [...QUALITY_LANGUAGES]);
		const plan = planPoints(
			files.filter((file) => file.language === 'go'),
			8,
			17,
		);
		const points = plan.flatMap((entry) => entry.points);
		assert.equal(points.length, 8);
		for (const kind of ['new-line', 'mid-line', 'line-end', 'argument-list']) {
			assert.equal(points.filter((point) => point.kind === kind).length, 2, kind);
		}
		assert.deepEqual(
			planPoints(
				files.filter((file) => file.language === 'go'),
				8,
				17,
			).flatMap((entry) => entry.points),
			points,
		);
	});
});

describe("quality replay: llama.vscode's answer handling", function () {
	const documentLines = ['function f() {', '  ', '  return 1;', '}', ''];

	it('discards blank answers and answers that repeat the next line', function () {
		assert.equal(shouldDiscard([], documentLines, 1, '  ', ''), true);
		assert.equal(shouldDiscard([' '], documentLines, 1, '  ', ''), true);
		assert.equal(shouldDiscard(['return 1;'], documentLines, 1, '  ', ''), true);
		assert.equal(shouldDiscard(['const x = 2;'], documentLines, 1, '  ', ''), false);
		assert.equal(shouldDiscard(['return 1;', '}'], documentLines, 1, '  ', ''), true);
		assert.equal(shouldDiscard(['return 1;', 'x'], documentLines, 1, '  ', ''), false);
	});

	it("gives the package's other files as ring-buffer chunks of their first 32 lines", function () {
		const long = Array.from({ length: 50 }, (_, index) => `line ${index}`).join('\n');
		const chunks = ringChunks({ language: 'go', path: 'a.go', origin: 'x', text: '', siblings: [{ path: 'b.go', text: long }] });
		assert.equal(chunks.length, 1);
		assert.equal(chunks[0]!.filename, 'b.go');
		assert.equal(chunks[0]!.text.split('\n').length, 33);
	});
});

describe('quality replay: the confidence threshold', function () {
	it('picks the lowest threshold that halves the wrong ones within 10 % of the characters saved', function () {
		const points = [
			{ shown: true, wrong: true, charsSaved: 0, confidence: -3 },
			{ shown: true, wrong: true, charsSaved: 2, confidence: -2.5 },
			{ shown: true, wrong: false, charsSaved: 40, confidence: -0.5 },
			{ shown: true, wrong: true, charsSaved: 0, confidence: -0.4 },
			{ shown: true, wrong: false, charsSaved: 30, confidence: -0.2 },
			{ shown: false, wrong: false, charsSaved: 0 },
		];
		const sweep = sweepThresholds(points);
		assert.deepEqual(sweep.ungated, { shown: 5, wrong: 3, charsSaved: 72 });
		// -2.5 keeps 2 wrong of 3 (not halved); -0.5 keeps 1 wrong (≤ 1.5) and 70 of 72 characters.
		assert.equal(sweep.chosen?.threshold, -0.5);
		assert.equal(sweep.chosen?.wrong, 1);
		assert.equal(sweep.chosen?.charsSaved, 70);
	});

	it('chooses none when halving the wrong ones costs more than 10 %', function () {
		const sweep = sweepThresholds([
			{ shown: true, wrong: true, charsSaved: 0, confidence: -0.1 },
			{ shown: true, wrong: false, charsSaved: 50, confidence: -1 },
		]);
		assert.equal(sweep.chosen, null);
	});
});

describe('quality replay: options', function () {
	it('defaults to every language, 32 points, hearth and before; --quick is python, 12, hearth', function () {
		const full = parseQualityOptions(['--quality', '--no-llama-server']);
		assert.ok(full !== 'help');
		assert.deepEqual(full.languages, [...QUALITY_LANGUAGES]);
		assert.equal(full.pointsPerLanguage, 32);
		assert.deepEqual(full.variants, ['hearth', 'before']);
		assert.equal(full.timeLimits, false);
		const quick = parseQualityOptions(['--quality', '--quick', '--no-llama-server']);
		assert.ok(quick !== 'help');
		assert.deepEqual([quick.languages, quick.pointsPerLanguage, quick.variants], [['python'], 12, ['hearth']]);
		const llamaOnly = parseQualityOptions(['--quality', '--variants', 'none']);
		assert.ok(llamaOnly !== 'help');
		assert.deepEqual(llamaOnly.variants, []);
		assert.throws(() => parseQualityOptions(['--quality', '--languages', 'cobol']), /Unknown language/);
		assert.throws(() => parseQualityOptions(['--quality', '--variants', 'no-magic']), /Unknown variant/);
	});
});
