import assert from 'node:assert/strict';
import {
	chatModelSummary,
	chatTooltipLine,
	escapeMarkdown,
	MAX_TOOLTIP_LINES,
	modelDetailLines,
	SHORT_NAME_LENGTH,
	SHORT_ROUTE_LENGTH,
	shortModelName,
	shortRoute,
	speedText,
	tooltipLines,
	type TooltipInput,
} from '../../src/extension/statusText.js';
import type { ChatModelStatus, ServerStatus } from '../../src/shared/protocol.js';

/** The status bar item's model name: short enough to stay compact, still telling models apart. */
describe('status bar: the short model name', function () {
	it('drops the "Hearth " prefix, a .gguf ending and a quantisation suffix', function () {
		assert.equal(shortModelName('Hearth Starter gpu-base'), 'Starter gpu-base');
		assert.equal(shortModelName('tiny-fim.Q8_0'), 'tiny-fim');
		assert.equal(shortModelName('codegemma-2b-f16.gguf'), 'codegemma-2b');
		assert.equal(shortModelName('Qwen2.5-Coder 1.5B'), 'Qwen2.5-Coder 1.5B');
	});

	it(`cuts a long name to ${SHORT_NAME_LENGTH} characters with an ellipsis`, function () {
		const short = shortModelName('qwen2.5-coder-1.5b-instruct-q8_0.gguf');
		assert.equal(short, 'qwen2.5-coder-1.5b-…');
		assert.equal(short.length, SHORT_NAME_LENGTH);
	});

	it('keeps a name that would otherwise be empty', function () {
		assert.equal(shortModelName('Hearth'), 'Hearth');
	});
});

const MODEL = {
	displayName: 'Hearth Starter gpu-base',
	path: '/ext/models/starter/hearth-starter-gpu-base.Q8_0.gguf',
	sizeBytes: 52 * 1024 ** 2,
	quantization: 'Q8_0',
};

const CHAT: ChatModelStatus = {
	state: 'ready',
	where: 'local',
	displayName: 'tiny-qwen2-instruct',
	location: '/models/tiny-qwen2-instruct.Q8_0.gguf',
	sizeBytes: 3 * 1024 ** 2,
	canChat: true,
	evidence: ['chat template: chatml', 'instruction-tuned (name and template)'],
	speed: { promptTokensPerSecond: 1234.4, generatedTokensPerSecond: 88.6, runs: 3 },
};

/** The tooltip: a few lines, both models, the measured speed; the menu's Details have the rest. */
describe('status bar: the tooltip', function () {
	const ready: TooltipInput = {
		words: 'ready',
		working: true,
		model: MODEL,
		readoutHeadline: 'No completions yet.',
		heldBack: 0,
		language: { id: 'typescript', on: true },
		hasStatus: true,
	};

	it('names the state, the model, its file, the readout, the chat route and the language, in six lines', function () {
		const lines = tooltipLines({ ...ready, actionRoute: 'Document This on Hearth Starter gpu-base: a base model, no chat model' });
		assert.deepEqual(lines, [
			'**Hearth** — ready',
			'Model: Hearth Starter gpu\\-base',
			`File: ${escapeMarkdown(MODEL.path)} (52.0 MiB, Q8_0)`,
			'No completions yet.',
			'Chat: none — actions: Document This on Hearth Starter gpu\\-base',
			'Completions are on for typescript.',
		]);
	});

	it('shows the chat model by name and state, and the completion model’s measured speed beside the readout', function () {
		const lines = tooltipLines({
			...ready,
			model: { ...MODEL, speed: { promptTokensPerSecond: 412.3, generatedTokensPerSecond: 37.8, runs: 9 } },
			readoutHeadline: 'Last: 120 ms · 16 tokens · 40 tok/s',
			chatModel: CHAT,
			heldBack: 2,
		});
		assert.ok(lines.length <= MAX_TOOLTIP_LINES, lines.join('\n'));
		assert.ok(lines.includes('Speed: 412 prompt tok/s · 38 tok/s · Last: 120 ms · 16 tokens · 40 tok/s'), lines.join('\n'));
		assert.ok(lines.includes('Chat: tiny\\-qwen2\\-instruct · ready'), lines.join('\n'));
		// Seven lines would show: the held-back count and the click hint go, the models stay.
		assert.ok(!lines.some((line) => /held back|Click for/.test(line)), lines.join('\n'));
		assert.ok(lines.some((line) => line.startsWith('File: ')));
	});

	it('keeps the click hint and the held-back count when there is room', function () {
		const lines = tooltipLines({ words: 'loading 40 %', working: false, message: 'Loading x… 40 %', heldBack: 1, hasStatus: false });
		assert.deepEqual(lines, [
			'**Hearth** — loading 40 %',
			'Loading x… 40 %',
			'1 unsure suggestion held back (hearth.inlineCompletion.minConfidence and minTokenConfidence).',
			'Click for models, this language, details and logs.',
		]);
	});

	it('says a chat model sharing the completion model’s file is that file, loaded once', function () {
		assert.equal(
			chatTooltipLine({ ...CHAT, where: 'shared', state: 'loading' }, undefined),
			'Chat: tiny-qwen2-instruct (the completion model’s file) · loading',
		);
		assert.equal(chatTooltipLine(undefined, undefined), 'Chat: none — actions: on the completion model');
	});

	it('shortens the action route to its first clause', function () {
		assert.equal(shortRoute('Explain on tiny-qwen2-instruct (the chat model): instruction-tuned'), 'Explain on tiny-qwen2-instruct');
		const long = shortRoute('x'.repeat(100));
		assert.equal(long.length, SHORT_ROUTE_LENGTH);
		assert.ok(long.endsWith('…'));
	});

	it('leaves out a speed that has no figure', function () {
		assert.equal(speedText(undefined), undefined);
		assert.equal(speedText({ runs: 0 }), undefined);
		assert.equal(speedText({ generatedTokensPerSecond: 12.2, runs: 1 }), '12 tok/s');
	});
});

describe('status menu: the details of both models', function () {
	const status: ServerStatus = {
		state: 'ready',
		model: {
			...MODEL,
			contextSize: 2048,
			threads: 2,
			backend: 'cpu',
			fimFamily: 'qwen',
			fimReason: 'FIM tokens in the vocabulary',
			speed: { promptTokensPerSecond: 400, generatedTokensPerSecond: 40, runs: 1 },
		},
		chatModel: CHAT,
		actionRoute: 'Explain on tiny-qwen2-instruct (the chat model)',
	};

	it('gives each model its evidence, its speed with the run count, and the action route', function () {
		const lines = modelDetailLines(status);
		assert.ok(lines.includes('Completion model: Hearth Starter gpu-base: 52.0 MiB, Q8_0'), lines.join('\n'));
		assert.ok(lines.includes('Completion speed here: 400 prompt tok/s · 40 tok/s (1 run)'), lines.join('\n'));
		assert.ok(lines.includes('Chat model: tiny-qwen2-instruct · ready (its own file, 3.0 MiB)'), lines.join('\n'));
		assert.ok(lines.includes('Chat model: chat template: chatml'), lines.join('\n'));
		assert.ok(lines.includes('Chat speed here: 1234 prompt tok/s · 89 tok/s (3 runs)'), lines.join('\n'));
		assert.equal(lines.at(-1), 'Actions: Explain on tiny-qwen2-instruct (the chat model)');
	});

	it('says there is no chat model, and nothing about models before the first status', function () {
		assert.ok(modelDetailLines({ ...status, chatModel: undefined }).includes('Chat model: none (hearth.chatModel.backend)'));
		assert.deepEqual(modelDetailLines(undefined), []);
	});

	it('names the chat model for the switcher: loaded, chosen but not loaded, or none with the route', function () {
		assert.deepEqual(chatModelSummary('tiny.gguf', status), { name: 'tiny-qwen2-instruct', state: 'ready' });
		assert.deepEqual(chatModelSummary('tiny.gguf', { state: 'ready' }), { name: 'tiny.gguf', state: 'not loaded yet' });
		assert.deepEqual(chatModelSummary('none', { state: 'ready', actionRoute: 'Document This on Starter; a base model' }), {
			name: 'none',
			state: 'actions: Document This on Starter',
		});
		assert.deepEqual(chatModelSummary('none', { ...status, chatModel: { ...CHAT, canChat: false } }), {
			name: 'tiny-qwen2-instruct',
			state: 'ready · follows no instructions',
		});
	});
});
