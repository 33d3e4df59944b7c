import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildCorpus, type CorpusBuildResult } from '../../src/train/corpus/buildCorpus.js';
import { readCorpusRecords, type CorpusRecord } from '../../src/train/corpus/corpusRecord.js';

const FILE_BYTES = 400;

/**
 * A source file of exactly FILE_BYTES bytes whose lines are made of pseudo-random identifiers, so
 * no two generated files are near duplicates of each other.
 */
function sourceFile(key: string, language: 'typescript' | 'python'): string {
	let state = [...key].reduce((hash, character) => Math.imul(hash ^ character.charCodeAt(0), 0x01000193) >>> 0, 0x811c9dc5);
	const word = () => {
		let text = '';
		for (let index = 0; index < 6; index++) {
			state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
			text += String.fromCharCode(97 + (state % 26));
		}
		return text;
	};
	const lines: string[] = [];
	for (let index = 0; index < 7; index++) {
		lines.push(
			language === 'python'
				? `${word()} = ${word()}(${index}, "${word()}")`
				: `export const ${word()} = ${word()}(${index}, '${word()}');`,
		);
	}
	const comment = language === 'python' ? '# ' : '// ';
	const body = lines.join('\n') + '\n';
	const padding = FILE_BYTES - Buffer.byteLength(body) - comment.length - 1;
	assert.ok(padding > 0);
	return `${body}${comment}${'z'.repeat(padding)}\n`;
}

/** An npm-style package folder with `files` generated source files. */
async function writePackage(root: string, name: string, files: number, language: 'typescript' | 'python'): Promise<void> {
	const directory = path.join(root, name);
	await mkdir(directory, { recursive: true });
	await writeFile(path.join(directory, 'package.json'), JSON.stringify({ name, version: '1.0.0', license: 'MIT' }));
	for (let index = 0; index < files; index++) {
		await writeFile(
			path.join(directory, `file${index}.${language === 'python' ? 'py' : 'ts'}`),
			sourceFile(`${name}/${index}`, language),
		);
	}
}

interface Built {
	readonly result: CorpusBuildResult;
	readonly records: CorpusRecord[];
	readonly filesOf: (origin: string) => number;
}

describe('corpus per-origin cap', function () {
	let directory: string;
	let serial = 0;

	before(async function () {
		directory = await mkdtemp(path.join(os.tmpdir(), 'hearth-origin-cap-'));
		// "typescript": one package of six files and seven one-file packages (the big one is 46 % of the language).
		// "mixed": TypeScript, one package of four files and five one-file packages; Python, one package (all of its language).
		await writePackage(path.join(directory, 'typescript'), 'heavy', 6, 'typescript');
		for (let index = 0; index < 7; index++) await writePackage(path.join(directory, 'typescript'), `light-${index}`, 1, 'typescript');
		await writePackage(path.join(directory, 'mixed'), 'heavy', 4, 'typescript');
		for (let index = 0; index < 5; index++) await writePackage(path.join(directory, 'mixed'), `light-${index}`, 1, 'typescript');
		await writePackage(path.join(directory, 'mixed'), 'snakes', 10, 'python');
	});

	after(async function () {
		if (directory) await rm(directory, { recursive: true, force: true });
	});

	async function build(root: string, maxBytes: number, maxOriginShare: number): Promise<Built> {
		const result = await buildCorpus({
			roots: [{ kind: 'npm', directory: path.join(directory, root) }],
			outDirectory: path.join(directory, `out${serial++}`),
			maxBytes,
			seed: 1,
			maxOriginShare,
		});
		const records: CorpusRecord[] = [];
		for await (const record of readCorpusRecords(result.files.corpus)) records.push(record);
		return { result, records, filesOf: (origin) => records.filter((record) => record.origin === origin).length };
	}

	it('keeps an origin to its share of the budget and counts the files it skipped', async function () {
		// Room for eight files; a cap of one file per origin.
		const capped = await build('typescript', 8 * FILE_BYTES, 0.125);
		assert.equal(capped.records.length, 8);
		assert.ok(capped.records.every((record) => record.bytes === FILE_BYTES));
		assert.equal(capped.filesOf('npm:heavy@1.0.0'), 1);
		for (let index = 0; index < 7; index++) assert.equal(capped.filesOf(`npm:light-${index}@1.0.0`), 1);
		// The other five heavy files: skipped over the cap, or not reached before the budget was spent.
		const overCap = capped.result.skipped['over-origin-cap'];
		assert.ok(overCap !== undefined && overCap.files >= 1, JSON.stringify(capped.result.skipped));
		assert.equal(overCap.bytes, overCap.files * FILE_BYTES);
		assert.ok(
			overCap.examples.every((example) => /^heavy\/file\d\.ts \(npm:heavy@1\.0\.0\)$/.test(example)),
			overCap.examples.join(', '),
		);
		const notReached = capped.result.skipped['over-language-budget'];
		assert.equal(overCap.files + (notReached?.files ?? 0), 5);
		assert.ok((notReached?.examples ?? []).every((example) => example.startsWith('heavy/')));
		const sources = JSON.parse(readFileSync(capped.result.files.sources, 'utf8')) as {
			maxOriginShare: number;
			originCapBytes: number;
			uncappedOrigins: unknown[];
		};
		assert.deepEqual([sources.maxOriginShare, sources.originCapBytes, sources.uncappedOrigins], [0.125, FILE_BYTES, []]);

		// Without the cap the same seed reads the same order, and the big package takes more than one file.
		const uncapped = await build('typescript', 8 * FILE_BYTES, 1);
		assert.equal(uncapped.records.length, 8);
		assert.ok(uncapped.filesOf('npm:heavy@1.0.0') > 1, `uncapped heavy ${uncapped.filesOf('npm:heavy@1.0.0')} files`);
		assert.equal(uncapped.result.skipped['over-origin-cap'], undefined);
		assert.equal(JSON.parse(readFileSync(uncapped.result.files.sources, 'utf8')).originCapBytes, null);
	});

	it('hands what the cap leaves to other languages, and does not cap an origin that is most of its language', async function () {
		// Budgets by weight: TypeScript 0.3 / 0.5 of fifteen files = nine, Python six. The cap (600 bytes)
		// leaves TypeScript one heavy file and the five light ones; Python's only package is not capped
		// and takes the three files TypeScript could not use.
		const built = await build('mixed', 15 * FILE_BYTES, 0.1);
		assert.equal(built.filesOf('npm:heavy@1.0.0'), 1);
		for (let index = 0; index < 5; index++) assert.equal(built.filesOf(`npm:light-${index}@1.0.0`), 1);
		assert.equal(built.filesOf('npm:snakes@1.0.0'), 9);
		assert.equal(built.result.sources.totals.bytes, 15 * FILE_BYTES);
		assert.equal(built.result.skipped['over-origin-cap']?.files, 3);
		const sources = JSON.parse(readFileSync(built.result.files.sources, 'utf8')) as { uncappedOrigins: unknown[] };
		assert.deepEqual(sources.uncappedOrigins, [{ language: 'python', origin: 'npm:snakes@1.0.0', share: 1 }]);
	});
});
