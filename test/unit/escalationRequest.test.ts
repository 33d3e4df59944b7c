import assert from 'node:assert/strict';
import { extractRewrite } from '../../src/extension/escalation/frontier/extractRewrite.js';
import { buildOutgoingRequest, formatPreview } from '../../src/extension/escalation/frontier/outgoingRequest.js';
import type { EscalationTask } from '../../src/extension/escalation/frontier/escalationTask.js';
import { fencedBlock, findFencedBlocks } from '../../src/extension/escalation/frontier/codeFence.js';
import { estimateChatTokens } from '../../src/extension/escalation/frontier/tokenEstimate.js';

// Generated fakes of the right shape (as in test/fixtures/secrets).
const AWS_KEY_ID = 'AKIAN2G7AZCW2M4GNFMT';
const AWS_SECRET = 'QMig7Q0W9t5G+WGjutHqUZectw4gcRD3XhZHRW6O';
const GITHUB_TOKEN = 'ghp_n4n1B8rdEkVYACJyRyfJvhDBXkvHcZfYsB28';
const STRIPE_KEY = 'sk_live_8FzIHd7sqV5paIHNJurMaysqo1GEvrPbHZ8WbVLQcO9H0pyUlfns';

const CODE_WITH_SECRETS = [
	'import boto3',
	'',
	'def client():',
	`    return boto3.client("s3", aws_access_key_id="${AWS_KEY_ID}", aws_secret_access_key="${AWS_SECRET}")`,
	'',
	`GITHUB = "${GITHUB_TOKEN}"`,
	`STRIPE = "${STRIPE_KEY}"`,
	`STRIPE_AGAIN = "${STRIPE_KEY}"`,
	'',
].join('\n');

function task(overrides: Partial<EscalationTask> = {}): EscalationTask {
	return { kind: 'explain', code: CODE_WITH_SECRETS, languageId: 'python', filePath: 'src/storage/client.py', ...overrides };
}

describe('escalation: the outgoing request', function () {
	it('redacts secrets of several kinds from the messages, and reports kinds and counts (never values)', function () {
		const request = buildOutgoingRequest(task({ kind: 'ask', question: `why does ${GITHUB_TOKEN} fail?` }), { redact: true });
		const sent = JSON.stringify(request.messages);
		for (const secret of [AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN, STRIPE_KEY]) {
			assert.ok(!sent.includes(secret), 'no secret is sent');
			assert.ok(!request.previewText.includes(secret), 'nor previewed');
			assert.ok(!JSON.stringify(request.redactions).includes(secret), 'nor reported');
		}
		const counts = Object.fromEntries(request.redactions.map(({ kind, count }) => [kind, count]));
		assert.deepEqual(counts, {
			'aws-access-key-id': 1,
			'aws-secret-access-key': 1,
			'github-personal-access-token': 2,
			'stripe-live-secret-key': 2,
		});
		const user = request.messages[1]!.content;
		assert.match(
			user,
			/aws_access_key_id="\[REDACTED aws-access-key-id\]"/,
			'the placeholder names the kind and keeps the code around it',
		);
		assert.match(user, /why does \[REDACTED github-personal-access-token\] fail\?/, 'the question is redacted too');
		assert.match(request.messages[0]!.content, /placeholders/, 'the model is told what the placeholders are');
	});

	it('sends the code as it is without redaction, and says nothing of placeholders then', function () {
		const request = buildOutgoingRequest(task(), { redact: false });
		assert.ok(request.messages[1]!.content.includes(CODE_WITH_SECRETS));
		assert.deepEqual(request.redactions, []);
		assert.doesNotMatch(request.messages[0]!.content, /placeholder/);
		const clean = buildOutgoingRequest(task({ code: 'const a = 1;\n' }), { redact: true });
		assert.deepEqual(clean.redactions, []);
		assert.doesNotMatch(clean.messages[0]!.content, /placeholder/);
	});

	it('previews every character of every message, verbatim, and counts them', function () {
		for (const kind of ['ask', 'explain', 'refactor', 'cleanup'] as const) {
			const request = buildOutgoingRequest(
				task({ kind, question: 'use a dataclass', localAnswer: { model: 'qwen2.5-coder-1.5b', text: 'It makes an S3 client.' } }),
				{ redact: true },
			);
			assert.deepEqual(
				request.messages.map((message) => message.role),
				['system', 'user'],
			);
			assert.equal(request.previewText, formatPreview(request.messages));
			assert.equal(request.previewText, request.messages.map((message) => `── ${message.role} ──\n${message.content}`).join('\n\n'));
			for (const message of request.messages) {
				assert.ok(request.previewText.includes(message.content));
			}
			assert.equal(request.characters, request.messages[0]!.content.length + request.messages[1]!.content.length);
			assert.equal(request.estimatedInputTokens, estimateChatTokens(request.messages));
			assert.ok(request.estimatedInputTokens > request.characters / 4);
		}
	});

	it('words each task for what it asks, and asks rewrites for one fenced block', function () {
		const ask = buildOutgoingRequest(task({ kind: 'ask', question: 'Is this thread-safe?' }), { redact: true });
		assert.match(ask.messages[1]!.content, /^Question about the code below: Is this thread-safe\?/);
		assert.match(buildOutgoingRequest(task({ kind: 'ask' }), { redact: true }).messages[1]!.content, /bugs, risks/);
		assert.match(
			buildOutgoingRequest(task({ kind: 'explain' }), { redact: true }).messages[1]!.content,
			/^Explain what the code below does/,
		);
		const refactor = buildOutgoingRequest(task({ kind: 'refactor', question: 'extract a function' }), { redact: true });
		assert.match(refactor.messages[1]!.content, /^Refactor the code below as follows: extract a function/);
		for (const request of [refactor, buildOutgoingRequest(task({ kind: 'cleanup' }), { redact: true })]) {
			assert.match(request.messages[0]!.content, /exactly one fenced code block holding the complete rewritten code/);
		}
		assert.match(
			buildOutgoingRequest(task({ kind: 'cleanup' }), { redact: true }).messages[1]!.content,
			/^Improve the comments and documentation .* Do not change any code, identifier, string or whitespace outside comments\./,
		);
		assert.doesNotMatch(ask.messages[0]!.content, /fenced code block/);
		assert.match(ask.messages[1]!.content, /from src\/storage\/client\.py \(python\):\n\n```python\nimport boto3\n/);
	});

	it('includes the local answer for comparison, redacted as well', function () {
		const request = buildOutgoingRequest(task({ localAnswer: { model: 'tiny', text: `Uses the token ${GITHUB_TOKEN}.` } }), {
			redact: true,
		});
		const user = request.messages[1]!.content;
		assert.match(user, /a small local model \(tiny\) answered/);
		assert.match(user, /Uses the token \[REDACTED github-personal-access-token\]\./);
		assert.equal(request.redactions.find((r) => r.kind === 'github-personal-access-token')!.count, 2);
	});

	it('fences code that itself holds fences with a longer fence', function () {
		const markdown = 'Usage:\n\n```sh\nnpm test\n```\n';
		const block = fencedBlock(markdown, 'markdown');
		assert.ok(block.startsWith('````markdown\n'));
		assert.deepEqual(findFencedBlocks(`Here:\n\n${block}\n`), [{ content: markdown.replace(/\n$/, ''), closed: true }]);
		assert.equal(fencedBlock('x', 'c++'), '```c++\nx\n```');
		assert.equal(fencedBlock('x', 'weird id!'), '```\nx\n```', 'an id that is no info string is left out');
	});
});

describe('escalation: extracting the rewrite from a frontier answer', function () {
	it('takes the one fenced block, in the original layout', function () {
		const original = '\nfunction add(a, b) {\n\treturn a + b;\n}\n';
		const answer =
			'Here is the cleaned-up code:\n\n```js\nfunction add(left, right) {\n\treturn left + right;\n}\n```\n\nI renamed the parameters.';
		assert.deepEqual(extractRewrite(answer, original), {
			code: '\nfunction add(left, right) {\n\treturn left + right;\n}\n',
			restoredSecrets: 0,
			unrestoredPlaceholders: 0,
			truncated: false,
		});
		assert.equal(
			extractRewrite('```js\nlet x = 2;\n```', 'let x = 1;')!.code,
			'let x = 2;',
			'no line break is added when the original had none',
		);
		assert.equal(extractRewrite('```\r\na();\r\nb();\r\n```', 'a();\r\nb();\r\n')!.code, 'a();\r\nb();\r\n', 'CRLF stays CRLF');
	});

	it('takes the longest block when there are several, and keeps inner fences of a longer fence', function () {
		const answer =
			'Rewritten:\n```ts\nexport function area(r: number): number {\n\treturn Math.PI * r ** 2;\n}\n```\nUse it as:\n```ts\narea(2);\n```';
		assert.equal(
			extractRewrite(answer, 'function area(r) { return 3.14 * r * r; }')!.code,
			'export function area(r: number): number {\n\treturn Math.PI * r ** 2;\n}',
		);
		const markdown = '# Title\n\n```sh\nnpm test\n```\n';
		assert.equal(extractRewrite(`\`\`\`\`markdown\n${markdown}\`\`\`\`\n`, markdown)!.code, markdown);
	});

	it('is undefined without a fenced block, and says when the block was cut short', function () {
		assert.equal(extractRewrite('The code is already clean.', 'x = 1'), undefined);
		assert.equal(extractRewrite('```py\nx = 1\ny =', 'x = 1\n')!.truncated, true);
	});

	it('puts the secrets the model saw as placeholders back, locally', function () {
		const original = `KEY = "${AWS_KEY_ID}"\nS1 = "${STRIPE_KEY}"\nS2 = "${STRIPE_KEY}"\n`;
		const request = buildOutgoingRequest(
			{ kind: 'cleanup', code: original, languageId: 'python', filePath: 'keys.py' },
			{ redact: true },
		);
		assert.ok(!request.messages[1]!.content.includes(AWS_KEY_ID));
		// A model that kept the placeholders, and repeated one of them.
		const answer =
			'```python\nAWS_KEY_ID = "[REDACTED aws-access-key-id]"\nSTRIPE_KEY = "[REDACTED stripe-live-secret-key]"\nBACKUP = "[REDACTED stripe-live-secret-key]"\nOTHER = "[REDACTED stripe-live-secret-key]"\n```';
		const rewrite = extractRewrite(answer, original)!;
		assert.equal(
			rewrite.code,
			`AWS_KEY_ID = "${AWS_KEY_ID}"\nSTRIPE_KEY = "${STRIPE_KEY}"\nBACKUP = "${STRIPE_KEY}"\nOTHER = "${STRIPE_KEY}"\n`,
			'one value per kind: every placeholder of it',
		);
		assert.deepEqual([rewrite.restoredSecrets, rewrite.unrestoredPlaceholders], [4, 0]);
	});

	it('restores in order when counts match, and leaves ambiguous placeholders for the user to see', function () {
		const other = 'AKIAIOSFODNN7EXAMPLF';
		const original = `A = "${AWS_KEY_ID}"\nB = "${other}"\n`;
		const inOrder = extractRewrite(
			'```\nfirst = "[REDACTED aws-access-key-id]"\nsecond = "[REDACTED aws-access-key-id]"\n```',
			original,
		)!;
		assert.equal(inOrder.code, `first = "${AWS_KEY_ID}"\nsecond = "${other}"\n`);
		const ambiguous = extractRewrite('```\nonly = "[REDACTED aws-access-key-id]"\n```', original)!;
		assert.equal(ambiguous.code, 'only = "[REDACTED aws-access-key-id]"\n');
		assert.deepEqual([ambiguous.restoredSecrets, ambiguous.unrestoredPlaceholders], [0, 1]);
	});
});
