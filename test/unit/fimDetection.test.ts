import assert from 'node:assert/strict';
import { detectFimTemplate, type FimDetection, type ModelVocabProbe } from '../../src/engine/fim/detectFamily.js';
import { renderPromptForDisplay } from '../../src/engine/fim/promptPieces.js';

/**
 * Special-token texts of real vocabularies (from each model's tokenizer_config.json /
 * GGUF token list), trimmed to the control tokens that matter for detection.
 */
const VOCAB = {
	qwen25Coder: [
		'<|endoftext|>',
		'<|im_start|>',
		'<|im_end|>',
		'<|object_ref_start|>',
		'<|object_ref_end|>',
		'<|box_start|>',
		'<|box_end|>',
		'<|quad_start|>',
		'<|quad_end|>',
		'<|vision_start|>',
		'<|vision_end|>',
		'<|vision_pad|>',
		'<|image_pad|>',
		'<|video_pad|>',
		'<tool_call>',
		'</tool_call>',
		'<|fim_prefix|>',
		'<|fim_middle|>',
		'<|fim_suffix|>',
		'<|fim_pad|>',
		'<|repo_name|>',
		'<|file_sep|>',
	],
	codeGemma: [
		'<pad>',
		'<eos>',
		'<bos>',
		'<unk>',
		'<mask>',
		'<2mass>',
		'[@BOS@]',
		'<start_of_turn>',
		'<end_of_turn>',
		'<|fim_prefix|>',
		'<|fim_middle|>',
		'<|fim_suffix|>',
		'<|file_separator|>',
	],
	starCoder: [
		'<|endoftext|>',
		'<fim_prefix>',
		'<fim_middle>',
		'<fim_suffix>',
		'<fim_pad>',
		'<filename>',
		'<gh_stars>',
		'<issue_start>',
		'<issue_comment>',
		'<issue_closed>',
		'<jupyter_start>',
		'<jupyter_text>',
		'<jupyter_code>',
		'<jupyter_output>',
		'<empty_output>',
		'<commit_before>',
		'<commit_msg>',
		'<commit_after>',
		'<reponame>',
	],
	starCoder2: [
		'<|endoftext|>',
		'<fim_prefix>',
		'<fim_middle>',
		'<fim_suffix>',
		'<fim_pad>',
		'<repo_name>',
		'<file_sep>',
		'<issue_start>',
		'<issue_comment>',
		'<issue_closed>',
		'<jupyter_start>',
		'<jupyter_text>',
		'<jupyter_code>',
		'<jupyter_output>',
		'<jupyter_script>',
		'<empty_output>',
		'<code_to_intermediate>',
		'<intermediate_to_code>',
		'<pr>',
		'<pr_status>',
		'<pr_is_merged>',
		'<pr_base>',
		'<pr_file>',
		'<pr_base_code>',
		'<pr_diff>',
	],
	deepSeekCoder: [
		'<｜begin▁of▁sentence｜>',
		'<｜end▁of▁sentence｜>',
		'<｜fim▁hole｜>',
		'<｜fim▁begin｜>',
		'<｜fim▁end｜>',
		'<pad>',
		'<|User|>',
		'<|Assistant|>',
		'<|EOT|>',
	],
	codeLlamaGguf: ['<unk>', '<s>', '</s>', '▁<PRE>', '▁<SUF>', '▁<MID>', '▁<EOT>'],
	codeLlamaPlain: ['<unk>', '<s>', '</s>', '<PRE>', '<SUF>', '<MID>', '<EOT>'],
	codestral: [
		'<unk>',
		'<s>',
		'</s>',
		'[INST]',
		'[/INST]',
		'[TOOL_CALLS]',
		'[AVAILABLE_TOOLS]',
		'[/AVAILABLE_TOOLS]',
		'[TOOL_RESULTS]',
		'[/TOOL_RESULTS]',
		'[control_8]',
		'[control_9]',
		'[control_10]',
		'[SUFFIX]',
		'[PREFIX]',
		'[MIDDLE]',
		'[control_14]',
	],
	llama3: [
		'<|begin_of_text|>',
		'<|end_of_text|>',
		'<|reserved_special_token_0|>',
		'<|start_header_id|>',
		'<|end_header_id|>',
		'<|eot_id|>',
		'<|python_tag|>',
	],
} satisfies Record<string, string[]>;

type ProbeFields = Omit<ModelVocabProbe, 'isSingleSpecialToken'>;

/** A probe whose vocabulary is a set of special-token texts; everything else tokenizes to several tokens. */
function probe(tokens: readonly string[], fields: ProbeFields): ModelVocabProbe & { asked: string[] } {
	const set = new Set(tokens);
	const asked: string[] = [];
	return {
		...fields,
		asked,
		isSingleSpecialToken(text: string) {
			asked.push(text);
			return set.has(text);
		},
	};
}

function assertAllRequiredTokensPresent(detection: FimDetection, tokens: readonly string[]) {
	for (const t of [detection.template, detection.spmTemplate].filter((x) => x !== undefined)) {
		for (const required of t.requiredSpecialTokens) {
			assert.ok(tokens.includes(required), `${t.displayName} requires ${required}, which the vocab lacks`);
		}
	}
}

describe('FIM family detection', () => {
	it('Qwen2.5-Coder (qwen2 architecture, <|file_sep|>) with the repo-level file header', () => {
		const d = detectFimTemplate(
			probe(VOCAB.qwen25Coder, {
				architecture: 'qwen2',
				name: 'Qwen2.5 Coder 1.5B',
				tokenizerPre: 'qwen2',
				tokenizerModel: 'gpt2',
			}),
		);
		assert.equal(d.template.family, 'qwen2.5-coder');
		assert.equal(d.spmTemplate, undefined);
		assert.match(d.reason, /Qwen2\.5-Coder FIM tokens present in vocabulary/);
		assert.match(d.reason, /tokenizer\.ggml\.pre=qwen2/);
		assert.doesNotMatch(d.reason, /untrained/);
		assert.ok(d.template.requiredSpecialTokens.includes('<|file_sep|>'));
		assertAllRequiredTokensPresent(d, VOCAB.qwen25Coder);
	});

	it('a non-Coder Qwen2.5 is still Qwen (same tokenizer) but the reason warns', () => {
		const d = detectFimTemplate(probe(VOCAB.qwen25Coder, { architecture: 'qwen2', name: 'Qwen2.5 7B Instruct' }));
		assert.equal(d.template.family, 'qwen2.5-coder');
		assert.match(d.reason, /may be untrained/);
	});

	it('trap: CodeGemma shares <|fim_prefix|> with Qwen; gemma architecture decides', () => {
		const d = detectFimTemplate(
			probe(VOCAB.codeGemma, {
				architecture: 'gemma',
				name: 'codegemma-2b',
				tokenizerModel: 'llama',
			}),
		);
		assert.equal(d.template.family, 'codegemma');
		assert.match(d.reason, /CodeGemma/);
		assert.match(d.reason, /architecture=gemma/);
		assertAllRequiredTokensPresent(d, VOCAB.codeGemma);
	});

	it('trap: CodeGemma vocabulary under a mislabelled architecture is told apart by <|file_separator|>', () => {
		const d = detectFimTemplate(probe(VOCAB.codeGemma, { architecture: 'llama' }));
		assert.equal(d.template.family, 'codegemma');
		assert.match(d.reason, /<\|file_separator\|>/);
	});

	it('trap: the gemma architecture alone decides when no separator token tells', () => {
		const trioOnly = ['<bos>', '<eos>', '<start_of_turn>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'];
		assert.equal(detectFimTemplate(probe(trioOnly, { architecture: 'gemma' })).template.family, 'codegemma');
		assert.equal(detectFimTemplate(probe(trioOnly, { architecture: 'llama' })).template.family, 'prefix-only');
	});

	it('trap: gemma2 architecture is also CodeGemma', () => {
		assert.equal(detectFimTemplate(probe(VOCAB.codeGemma, { architecture: 'gemma2' })).template.family, 'codegemma');
	});

	it('trap: Qwen markers (<|file_sep|>, <|im_start|>) keep a qwen2 model Qwen', () => {
		// Even with a Gemma separator added, Qwen's own markers keep it Qwen on a non-Gemma architecture.
		const d = detectFimTemplate(probe([...VOCAB.qwen25Coder, '<|file_separator|>'], { architecture: 'qwen2' }));
		assert.equal(d.template.family, 'qwen2.5-coder');
	});

	it('Qwen with <|im_start|> but no <|file_sep|> emits no file header', () => {
		const tokens = VOCAB.qwen25Coder.filter((t) => t !== '<|file_sep|>');
		const d = detectFimTemplate(probe(tokens, { architecture: 'qwen2' }));
		assert.equal(d.template.family, 'qwen2.5-coder');
		assert.ok(!renderPromptForDisplay(d.template.build({ prefix: 'a', suffix: 'b', filePath: 'x.py' })).includes('x.py'));
		assertAllRequiredTokensPresent(d, tokens);
	});

	it('the <|fim_*|> trio with neither Qwen nor Gemma markers is not guessed', () => {
		const d = detectFimTemplate(probe(['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'], { architecture: 'phi3' }));
		assert.equal(d.template.family, 'prefix-only');
		assert.match(d.reason, /neither Qwen/);
	});

	it('StarCoder (1): PSM template plus a separate SPM template', () => {
		const d = detectFimTemplate(
			probe(VOCAB.starCoder, {
				architecture: 'starcoder',
				tokenizerPre: 'starcoder',
				tokenizerModel: 'gpt2',
			}),
		);
		assert.equal(d.template.family, 'starcoder');
		assert.equal(d.template.order, 'psm');
		assert.equal(d.spmTemplate?.family, 'starcoder');
		assert.equal(d.spmTemplate?.order, 'spm');
		assert.equal(
			d.reason,
			'StarCoder FIM tokens present in vocabulary (architecture=starcoder, tokenizer.ggml.pre=starcoder, tokenizer.ggml.model=gpt2)',
		);
		assertAllRequiredTokensPresent(d, VOCAB.starCoder);
	});

	it('trap: StarCoder2 is told apart from StarCoder by <file_sep> / architecture', () => {
		const d = detectFimTemplate(probe(VOCAB.starCoder2, { architecture: 'starcoder2', tokenizerPre: 'starcoder' }));
		assert.equal(d.template.family, 'starcoder2');
		assert.equal(d.spmTemplate, undefined);
		assertAllRequiredTokensPresent(d, VOCAB.starCoder2);

		const byToken = detectFimTemplate(probe(VOCAB.starCoder2, { architecture: 'llama' }));
		assert.equal(byToken.template.family, 'starcoder2');
		assert.match(byToken.reason, /<file_sep>/);

		const byArch = detectFimTemplate(
			probe(
				VOCAB.starCoder2.filter((t) => t !== '<file_sep>'),
				{ architecture: 'starcoder2' },
			),
		);
		assert.equal(byArch.template.family, 'starcoder2');
		assert.ok(!byArch.template.requiredSpecialTokens.includes('<file_sep>'));
	});

	it("a model that declares its trained layout (Hearth's starter model) gets StarCoder PSM and SPM with its own header token", () => {
		const d = detectFimTemplate({
			...probe(VOCAB.starCoder2, { architecture: 'llama', tokenizerPre: 'starcoder' }),
			trainedLayout: { orders: ['psm', 'spm'], fileHeaderToken: '<file_sep>' },
		});
		assert.equal(d.template.family, 'starcoder');
		assert.equal(d.template.order, 'psm');
		assert.equal(d.spmTemplate?.order, 'spm');
		assert.ok(d.spmTemplate?.requiredSpecialTokens.includes('<file_sep>'));
		assert.match(d.reason, /trained in both orders with <file_sep> file headers/);
		// Without the declaration the same vocabulary means StarCoder2 (PSM only).
		assert.equal(detectFimTemplate(probe(VOCAB.starCoder2, { architecture: 'llama' })).template.family, 'starcoder2');
		// A declared header token the vocabulary lacks is not used (it would be spelled out as text).
		const missing = detectFimTemplate({
			...probe(VOCAB.starCoder, { architecture: 'llama' }),
			trainedLayout: { orders: ['psm', 'spm'], fileHeaderToken: '<nope>' },
		});
		assert.equal(missing.spmTemplate?.requiredSpecialTokens.includes('<nope>'), false);
	});

	it('StarCoder-style vocab without <filename> gets a template that does not need it', () => {
		const tokens = VOCAB.starCoder.filter((t) => t !== '<filename>');
		const d = detectFimTemplate(probe(tokens, { architecture: 'refact', tokenizerPre: 'refact' }));
		assert.equal(d.template.family, 'starcoder');
		assertAllRequiredTokensPresent(d, tokens);
	});

	it('DeepSeek-Coder (llama architecture) and DeepSeek-Coder-V2-Lite (deepseek2)', () => {
		for (const architecture of ['llama', 'deepseek2']) {
			const d = detectFimTemplate(probe(VOCAB.deepSeekCoder, { architecture, tokenizerPre: 'deepseek-coder' }));
			assert.equal(d.template.family, 'deepseek-coder', architecture);
			assert.match(d.reason, /tokenizer\.ggml\.pre=deepseek-coder/);
			assertAllRequiredTokensPresent(d, VOCAB.deepSeekCoder);
		}
	});

	it('trap: ASCII look-alikes of the DeepSeek markers are not DeepSeek', () => {
		const fake = ['<|fim▁begin|>', '<|fim▁hole|>', '<|fim▁end|>', '<|fim_begin|>'];
		assert.equal(detectFimTemplate(probe(fake, { architecture: 'llama' })).template.family, 'prefix-only');
	});

	it('CodeLlama GGUF with ▁-spelled markers uses those spellings, plus an SPM template', () => {
		const d = detectFimTemplate(probe(VOCAB.codeLlamaGguf, { architecture: 'llama', tokenizerModel: 'llama' }));
		assert.equal(d.template.family, 'codellama');
		assert.deepEqual(d.template.requiredSpecialTokens, ['▁<PRE>', '▁<SUF>', '▁<MID>']);
		assert.equal(d.spmTemplate?.order, 'spm');
		assertAllRequiredTokensPresent(d, VOCAB.codeLlamaGguf);
	});

	it('CodeLlama with plain <PRE> markers', () => {
		const d = detectFimTemplate(probe(VOCAB.codeLlamaPlain, { architecture: 'llama' }));
		assert.equal(d.template.family, 'codellama');
		assert.deepEqual(d.template.requiredSpecialTokens, ['<PRE>', '<SUF>', '<MID>']);
	});

	it('Codestral: SPM-only, so spmTemplate is the template itself', () => {
		const d = detectFimTemplate(probe(VOCAB.codestral, { architecture: 'llama', tokenizerModel: 'llama' }));
		assert.equal(d.template.family, 'codestral');
		assert.equal(d.spmTemplate, d.template);
		assertAllRequiredTokensPresent(d, VOCAB.codestral);
	});

	it('a model without FIM tokens falls back to prefix-only and says so', () => {
		const d = detectFimTemplate(probe(VOCAB.llama3, { architecture: 'llama', tokenizerPre: 'llama-bpe', name: 'Llama 3.2 1B' }));
		assert.equal(d.template.family, 'prefix-only');
		assert.equal(d.template.supportsSuffix, false);
		assert.match(d.reason, /prefix only/);
		assert.match(d.reason, /architecture=llama/);
	});

	it('trap: the model name is never decisive', () => {
		const named = detectFimTemplate(probe(VOCAB.llama3, { architecture: 'llama', name: 'Qwen2.5-Coder-7B starcoder codellama' }));
		assert.equal(named.template.family, 'prefix-only');
		const misnamed = detectFimTemplate(probe(VOCAB.starCoder, { architecture: 'starcoder', name: 'qwen2.5-coder' }));
		assert.equal(misnamed.template.family, 'starcoder');
	});

	it('trap: a vocabulary with only some FIM tokens is not FIM-capable', () => {
		const partial = ['<|endoftext|>', '<fim_prefix>', '<fim_middle>'];
		const d = detectFimTemplate(probe(partial, { architecture: 'starcoder' }));
		assert.equal(d.template.family, 'prefix-only');
		assert.match(d.reason, /incomplete FIM token set: has <fim_prefix> <fim_middle> but lacks <fim_suffix>/);

		const qwenPartial = VOCAB.qwen25Coder.filter((t) => t !== '<|fim_middle|>');
		assert.equal(detectFimTemplate(probe(qwenPartial, { architecture: 'qwen2' })).template.family, 'prefix-only');
	});

	it('unknown family with GGUF-declared FIM tokens uses gguf-declared', () => {
		const tokens = ['<s>', '</s>', '<|code_prefix|>', '<|code_suffix|>', '<|code_middle|>'];
		const d = detectFimTemplate(
			probe(tokens, {
				architecture: 'glm4moe',
				declaredFim: { prefix: '<|code_prefix|>', suffix: '<|code_suffix|>', middle: '<|code_middle|>' },
			}),
		);
		assert.equal(d.template.family, 'gguf-declared');
		assert.equal(
			renderPromptForDisplay(d.template.build({ prefix: 'P', suffix: 'S' })),
			'<|code_prefix|>P<|code_suffix|>S<|code_middle|>',
		);
		assert.match(d.reason, /declared by the GGUF/);
	});

	it('declared FIM tokens that are not single special tokens are rejected', () => {
		const d = detectFimTemplate(
			probe(VOCAB.llama3, {
				architecture: 'llama',
				declaredFim: { prefix: '<x_pre>', suffix: '<x_suf>', middle: '<x_mid>' },
			}),
		);
		assert.equal(d.template.family, 'prefix-only');
		assert.match(d.reason, /not single special tokens/);
	});

	it('a known family wins over declared tokens (the family template has the right stops/headers)', () => {
		const d = detectFimTemplate(
			probe(VOCAB.qwen25Coder, {
				architecture: 'qwen2',
				declaredFim: { prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>' },
			}),
		);
		assert.equal(d.template.family, 'qwen2.5-coder');
	});

	it('a probe that throws counts as "token absent" instead of crashing detection', () => {
		const d = detectFimTemplate({
			architecture: 'llama',
			isSingleSpecialToken: () => {
				throw new Error('tokenizer exploded');
			},
		});
		assert.equal(d.template.family, 'prefix-only');
	});

	it('asks the tokenizer about each text at most once', () => {
		const p = probe(VOCAB.llama3, { architecture: 'llama' });
		detectFimTemplate(p);
		assert.equal(new Set(p.asked).size, p.asked.length);
	});

	it('every detection only uses tokens that pass isSingleSpecialToken', () => {
		for (const [name, tokens] of Object.entries(VOCAB)) {
			const d = detectFimTemplate(probe(tokens, { architecture: name.startsWith('codeGemma') ? 'gemma' : 'llama' }));
			assertAllRequiredTokensPresent(d, tokens);
		}
	});
});
