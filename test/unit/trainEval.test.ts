import assert from 'node:assert/strict';
import { editSimilarity, exactMatch, levenshtein } from '../../src/train/eval/editSimilarity.js';
import { pickMiddles } from '../../src/train/eval/pickMiddles.js';
import { selectTasks } from '../../src/train/eval/taskSelection.js';
import { headerTokensIn } from '../../src/train/tokenize/documentTokens.js';
import { lineChunks } from '../../src/train/tokenize/lineChunks.js';

const file = {
	path: 'src/shapes.ts',
	language: 'typescript',
	text: [
		'export interface Point {',
		'\tx: number;',
		'\ty: number;',
		'}',
		'',
		'export function distance(a: Point, b: Point): number {',
		'\tconst dx = a.x - b.x;',
		'\tconst dy = a.y - b.y;',
		'\treturn Math.sqrt(dx * dx + dy * dy);',
		'}',
		'',
		'export function midpoint(a: Point, b: Point): Point {',
		'\treturn { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };',
		'}',
		'',
	].join('\n'),
};

describe('evaluation middles', function () {
	it('cut a file into prefix + middle + suffix, deterministically by seed', function () {
		const tasks = pickMiddles(file, { seed: 7, singleLinePerFile: 3, multiLinePerFile: 2 });
		assert.deepEqual(tasks, pickMiddles(file, { seed: 7, singleLinePerFile: 3, multiLinePerFile: 2 }));
		assert.ok(tasks.length >= 3);
		for (const task of tasks) assert.equal(task.prefix + task.middle + task.suffix, file.text);
	});

	it('single-line middles are the rest of one line, multi-line ones 2 to 6 whole lines', function () {
		for (let seed = 0; seed < 30; seed++) {
			for (const task of pickMiddles(file, { seed, singleLinePerFile: 1, multiLinePerFile: 1 })) {
				if (task.kind === 'single-line') {
					assert.ok(!task.middle.includes('\n') && task.middle.trim().length >= 2, JSON.stringify(task.middle));
					assert.ok(task.suffix.startsWith('\n'));
				} else {
					assert.ok(task.prefix === '' || task.prefix.endsWith('\n'));
					assert.ok(task.middle.endsWith('\n'));
					const lines = task.middle.split('\n').length - 1;
					assert.ok(lines >= 2 && lines <= 6, `${lines} lines`);
				}
			}
		}
	});

	it('a file with nothing worth completing gives no tasks', function () {
		assert.deepEqual(
			pickMiddles({ path: 'a', language: 'x', text: '}\n\n)\n' }, { seed: 1, singleLinePerFile: 2, multiLinePerFile: 1 }),
			[],
		);
	});

	it('selection goes round-robin over languages', function () {
		const tasks = ['python', 'python', 'python', 'go', 'rust'].map((language, index) => ({
			id: `${index}`,
			path: `${index}`,
			language,
			kind: 'single-line' as const,
			prefix: '',
			middle: '',
			suffix: '',
		}));
		assert.deepEqual(
			selectTasks(tasks, 3, 1)
				.map((task) => task.language)
				.sort(),
			['go', 'python', 'rust'],
		);
	});
});

describe('evaluation scores', function () {
	it('edit similarity is 1 − Levenshtein ÷ longer length, ignoring trailing whitespace', function () {
		assert.equal(levenshtein('kitten', 'sitting'), 3);
		assert.equal(editSimilarity('kitten', 'sitting'), 1 - 3 / 7);
		assert.equal(editSimilarity('return x;\n', 'return x;'), 1);
		assert.equal(editSimilarity('', ''), 1);
		assert.equal(editSimilarity('', 'abc'), 0);
		assert.ok(exactMatch('a + b\n', 'a + b'));
		assert.ok(!exactMatch('a + c', 'a + b'));
	});
});

describe('tokenized documents', function () {
	it('long files are cut at line boundaries into pieces within the budget', function () {
		const text = Array.from({ length: 100 }, (_, index) => `line ${index}\n`).join('');
		const chunks = lineChunks(text, 10, (line) => line.length / 4);
		assert.equal(chunks.join(''), text);
		for (const chunk of chunks) assert.ok(chunk.endsWith('\n') && chunk.length / 4 <= 10 + 1e-9);
	});

	it('the header count includes the token that joins the path line with the code', function () {
		assert.equal(headerTokensIn([10, 11, 12, 99, 100], [10, 11, 12]), 3);
		assert.equal(headerTokensIn([10, 11, 77, 100], [10, 11, 12]), 3);
	});
});
