import assert from 'node:assert/strict';
import type { FimTemplate, PromptPiece } from '../../src/engine/fim/templates.js';
import {
	CODELLAMA_SENTENCEPIECE_MARKERS,
	codeGemmaTemplate,
	codeLlamaSpmTemplate,
	codeLlamaTemplate,
	codestralTemplate,
	createCodeLlamaTemplate,
	createDeclaredFimTemplate,
	createQwenCoderTemplate,
	createStarCoder2Template,
	createStarCoderTemplate,
	deepSeekCoderTemplate,
	prefixOnlyTemplate,
	qwenCoderTemplate,
	starCoder2Template,
	starCoderSpmTemplate,
	starCoderTemplate,
} from '../../src/engine/fim/templates.js';
import { renderPromptForDisplay } from '../../src/engine/fim/promptPieces.js';

const S = (text: string): PromptPiece => ({ kind: 'special', text });
const T = (text: string): PromptPiece => ({ kind: 'text', text });

const PREFIX = 'def area(r):\n    ';
const SUFFIX = '\n    return result\n';
const sample = { prefix: PREFIX, suffix: SUFFIX };

describe('FIM templates: exact layouts', () => {
	it('Qwen2.5-Coder: <|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>', () => {
		assert.deepEqual(qwenCoderTemplate.build(sample), [
			S('<|fim_prefix|>'),
			T(PREFIX),
			S('<|fim_suffix|>'),
			T(SUFFIX),
			S('<|fim_middle|>'),
		]);
		assert.equal(
			renderPromptForDisplay(qwenCoderTemplate.build(sample)),
			`<|fim_prefix|>${PREFIX}<|fim_suffix|>${SUFFIX}<|fim_middle|>`,
		);
	});

	it('Qwen2.5-Coder with a path uses the repo-level header <|file_sep|>{path}\\n before <|fim_prefix|>', () => {
		assert.deepEqual(qwenCoderTemplate.build({ ...sample, filePath: 'src/geometry.py' }), [
			S('<|file_sep|>'),
			T('src/geometry.py\n'),
			S('<|fim_prefix|>'),
			T(PREFIX),
			S('<|fim_suffix|>'),
			T(SUFFIX),
			S('<|fim_middle|>'),
		]);
	});

	it('Qwen2.5-Coder without <|file_sep|> in the vocab ignores the path', () => {
		const noHeader = createQwenCoderTemplate({ withFileHeader: false });
		assert.deepEqual(noHeader.build({ ...sample, filePath: 'a.py' }), qwenCoderTemplate.build(sample));
		assert.ok(!noHeader.requiredSpecialTokens.includes('<|file_sep|>'));
	});

	it('StarCoder PSM: <fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>', () => {
		assert.deepEqual(starCoderTemplate.build(sample), [S('<fim_prefix>'), T(PREFIX), S('<fim_suffix>'), T(SUFFIX), S('<fim_middle>')]);
		assert.equal(starCoderTemplate.order, 'psm');
	});

	it('StarCoder PSM with a path puts <filename>{path}\\n at the start of the prefix', () => {
		assert.deepEqual(starCoderTemplate.build({ ...sample, filePath: 'geo.py' }), [
			S('<fim_prefix>'),
			S('<filename>'),
			T('geo.py\n' + PREFIX),
			S('<fim_suffix>'),
			T(SUFFIX),
			S('<fim_middle>'),
		]);
	});

	it('StarCoder SPM: <fim_prefix><fim_suffix>{suffix}<fim_middle>{prefix}, a separate template object', () => {
		assert.notEqual(starCoderSpmTemplate, starCoderTemplate);
		assert.equal(starCoderSpmTemplate.family, 'starcoder');
		assert.equal(starCoderSpmTemplate.order, 'spm');
		assert.deepEqual(starCoderSpmTemplate.build(sample), [
			S('<fim_prefix>'),
			S('<fim_suffix>'),
			T(SUFFIX),
			S('<fim_middle>'),
			T(PREFIX),
		]);
		// The prefix is the last piece: what the user types next only appends to the prompt.
		const longer = starCoderSpmTemplate.build({ ...sample, prefix: PREFIX + 'x' });
		assert.equal(renderPromptForDisplay(longer), renderPromptForDisplay(starCoderSpmTemplate.build(sample)) + 'x');
	});

	it('StarCoder SPM with a path keeps the header right before the prefix', () => {
		assert.deepEqual(starCoderSpmTemplate.build({ ...sample, filePath: 'geo.py' }), [
			S('<fim_prefix>'),
			S('<fim_suffix>'),
			T(SUFFIX),
			S('<fim_middle>'),
			S('<filename>'),
			T('geo.py\n' + PREFIX),
		]);
	});

	it('StarCoder without <filename> in the vocab emits no header', () => {
		const t = createStarCoderTemplate({ order: 'psm', withFileNameHeader: false });
		assert.deepEqual(t.build({ ...sample, filePath: 'geo.py' }), starCoderTemplate.build(sample));
	});

	it('StarCoder2: plain form without a path, <file_sep><fim_prefix>{path}\\n{prefix} with one', () => {
		assert.deepEqual(starCoder2Template.build(sample), [S('<fim_prefix>'), T(PREFIX), S('<fim_suffix>'), T(SUFFIX), S('<fim_middle>')]);
		assert.deepEqual(starCoder2Template.build({ ...sample, filePath: 'pkg/geo.py' }), [
			S('<file_sep>'),
			S('<fim_prefix>'),
			T('pkg/geo.py\n' + PREFIX),
			S('<fim_suffix>'),
			T(SUFFIX),
			S('<fim_middle>'),
		]);
		assert.deepEqual(
			createStarCoder2Template({ withFileHeader: false }).build({ ...sample, filePath: 'x.py' }),
			starCoder2Template.build(sample),
		);
	});

	it('DeepSeek-Coder uses full-width bars and U+2581', () => {
		assert.deepEqual(deepSeekCoderTemplate.build(sample), [
			S('<｜fim▁begin｜>'),
			T(PREFIX),
			S('<｜fim▁hole｜>'),
			T(SUFFIX),
			S('<｜fim▁end｜>'),
		]);
		const begin = deepSeekCoderTemplate.requiredSpecialTokens[0]!;
		assert.equal(begin.codePointAt(1), 0xff5c);
		assert.equal(begin.codePointAt(5), 0x2581);
		assert.deepEqual([...deepSeekCoderTemplate.stopStrings].slice(0, 2), ['<|EOT|>', '<｜end▁of▁sentence｜>']);
	});

	it('CodeLlama PSM: <PRE> then " "+prefix (SentencePiece dummy space), <SUF>{suffix}, <MID>', () => {
		assert.deepEqual(codeLlamaTemplate.build(sample), [S('<PRE>'), T(' ' + PREFIX), S('<SUF>'), T(SUFFIX), S('<MID>')]);
		assert.deepEqual(codeLlamaTemplate.stopStrings, ['<EOT>']);
	});

	it('CodeLlama with an empty prefix adds no dummy space (encode("") is empty)', () => {
		assert.deepEqual(codeLlamaTemplate.build({ prefix: '', suffix: 'x' }), [S('<PRE>'), S('<SUF>'), T('x'), S('<MID>')]);
	});

	it('CodeLlama SPM: <PRE><SUF>{suffix}<MID> then " "+prefix', () => {
		assert.deepEqual(codeLlamaSpmTemplate.build(sample), [S('<PRE>'), S('<SUF>'), T(SUFFIX), S('<MID>'), T(' ' + PREFIX)]);
		assert.equal(codeLlamaSpmTemplate.order, 'spm');
	});

	it('CodeLlama with SentencePiece-spelled markers (▁<PRE>) uses them verbatim', () => {
		const t = createCodeLlamaTemplate({ order: 'psm', markers: CODELLAMA_SENTENCEPIECE_MARKERS });
		assert.deepEqual(t.build(sample), [S('▁<PRE>'), T(' ' + PREFIX), S('▁<SUF>'), T(SUFFIX), S('▁<MID>')]);
		assert.deepEqual(t.requiredSpecialTokens, ['▁<PRE>', '▁<SUF>', '▁<MID>']);
	});

	it('Codestral: [SUFFIX]{suffix}[PREFIX] {prefix}, order spm', () => {
		assert.deepEqual(codestralTemplate.build(sample), [S('[SUFFIX]'), T(SUFFIX), S('[PREFIX]'), T(' ' + PREFIX)]);
		assert.equal(codestralTemplate.order, 'spm');
		assert.deepEqual(codestralTemplate.stopStrings, ['</s>']);
	});

	it('CodeGemma: <|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>, ignores paths', () => {
		assert.deepEqual(codeGemmaTemplate.build({ ...sample, filePath: 'a.py' }), [
			S('<|fim_prefix|>'),
			T(PREFIX),
			S('<|fim_suffix|>'),
			T(SUFFIX),
			S('<|fim_middle|>'),
		]);
		assert.deepEqual(codeGemmaTemplate.stopStrings, [
			'<|file_separator|>',
			'<|fim_prefix|>',
			'<|fim_suffix|>',
			'<|fim_middle|>',
			'<eos>',
		]);
	});

	it('gguf-declared builds PSM from the declared token texts', () => {
		const t = createDeclaredFimTemplate({ prefix: '<A>', suffix: '<B>', middle: '<C>' });
		assert.equal(t.family, 'gguf-declared');
		assert.deepEqual(t.build(sample), [S('<A>'), T(PREFIX), S('<B>'), T(SUFFIX), S('<C>')]);
		assert.deepEqual(t.requiredSpecialTokens, ['<A>', '<B>', '<C>']);
	});

	it('prefix-only sends the prefix as text and nothing else', () => {
		assert.deepEqual(prefixOnlyTemplate.build({ ...sample, filePath: 'a.py' }), [T(PREFIX)]);
		assert.equal(prefixOnlyTemplate.supportsSuffix, false);
		assert.deepEqual(prefixOnlyTemplate.requiredSpecialTokens, []);
	});
});

describe('FIM templates: invariants', () => {
	const all: FimTemplate[] = [
		qwenCoderTemplate,
		starCoderTemplate,
		starCoderSpmTemplate,
		starCoder2Template,
		deepSeekCoderTemplate,
		codeLlamaTemplate,
		codeLlamaSpmTemplate,
		codestralTemplate,
		codeGemmaTemplate,
		prefixOnlyTemplate,
		createDeclaredFimTemplate({ prefix: '<p>', suffix: '<s>', middle: '<m>' }),
	];

	it('user text that spells a marker stays a text piece (no control-token injection)', () => {
		const hostile = { prefix: 'x = "<fim_prefix><|fim_middle|>[PREFIX]<PRE>"', suffix: '<fim_middle>', filePath: '<filename>.py' };
		for (const t of all) {
			for (const piece of t.build(hostile)) {
				if (piece.kind === 'special') {
					assert.ok(t.requiredSpecialTokens.includes(piece.text), `${t.displayName}: ${piece.text}`);
				}
			}
			const texts = t
				.build(hostile)
				.filter((p) => p.kind === 'text')
				.map((p) => p.text)
				.join('');
			assert.ok(texts.includes('<fim_prefix><|fim_middle|>[PREFIX]<PRE>'), t.displayName);
		}
	});

	it('every special piece a template can emit is listed in requiredSpecialTokens', () => {
		for (const t of all) {
			const pieces = t.build({ prefix: 'a', suffix: 'b', filePath: 'dir/f.ts' });
			for (const p of pieces.filter((x) => x.kind === 'special')) {
				assert.ok(t.requiredSpecialTokens.includes(p.text), `${t.displayName} emits ${p.text}`);
			}
		}
	});

	it('empty prefix/suffix produce no empty text pieces', () => {
		for (const t of all) {
			for (const p of t.build({ prefix: '', suffix: '' })) {
				assert.ok(p.kind === 'special' || p.text !== '', t.displayName);
			}
		}
	});

	it('suffix is present exactly once for suffix-capable templates', () => {
		const suffix = '\n}\n// unique-suffix-marker\n';
		for (const t of all.filter((x) => x.supportsSuffix)) {
			const rendered = renderPromptForDisplay(t.build({ prefix: 'p', suffix }));
			assert.equal(rendered.split('unique-suffix-marker').length - 1, 1, t.displayName);
		}
	});

	it('a multi-line file path cannot break the header line', () => {
		const pieces = qwenCoderTemplate.build({ prefix: 'a', suffix: 'b', filePath: 'evil\nname.py' });
		assert.deepEqual(pieces[1], T('evil name.py\n'));
	});

	it('templates are immutable', () => {
		assert.throws(() => {
			(qwenCoderTemplate.stopStrings as string[]).push('x');
		});
	});
});
