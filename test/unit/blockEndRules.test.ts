import assert from 'node:assert/strict';
import { processCompletion, type CompletionContext } from '../../src/engine/postprocess/index.js';

const multi = (prefix: string, suffix: string, extra: Partial<CompletionContext> = {}): CompletionContext => ({
	prefix,
	suffix,
	mode: 'multi-line',
	...extra,
});
const OLD_RULES = { keepDedent: false, lineEndContinue: false };

describe('processCompletion: a dedented next line at a block end is kept (keepDedent)', () => {
	const loop = 'def squares(values):\n    result = []\n    for v in values:';
	const after = '\n\n\ndef main():\n    print(squares([1, 2, 3]))\n';

	it('keeps `return result` after a loop body the completion wrote, then stops', () => {
		const generated = '\n        result.append(v * v)\n    return result\n\ndef other():\n';
		assert.deepEqual(processCompletion(generated, multi(loop, after)), {
			text: '\n        result.append(v * v)\n    return result',
			done: true,
			reason: 'block-end',
		});
		assert.equal(processCompletion(generated, multi(loop, after, OLD_RULES)).text, '\n        result.append(v * v)');
	});

	it('shows the dedented line while it is being written', () => {
		const generated = '\n        result.append(v * v)\n    return res';
		assert.deepEqual(processCompletion(generated, multi(loop, after)), {
			text: '\n        result.append(v * v)\n    return res',
			done: false,
		});
	});

	it('does not keep a dedented line after a blank line (a new definition usually starts there)', () => {
		const generated = '\n        result.append(v * v)\n\ndef other():\n';
		assert.equal(processCompletion(generated, multi(loop, after)).text, '\n        result.append(v * v)');
	});

	it('does not keep a line below the level the document goes on at after the cursor', () => {
		const ctx = multi('class A:\n    def f(self, xs):\n        for x in xs:', '\n    def g(self):\n        pass\n');
		const generated = '\n            print(x)\nprint("done")\n';
		assert.equal(processCompletion(generated, ctx).text, '\n            print(x)');
	});
});

describe('processCompletion: at a line end, a completion that starts with a line break goes on (lineEndContinue)', () => {
	const prefix = 'def mean(values):\n    total = 0\n    for v in values:\n        total += v';

	it('the next line, dedented below the cursor line, is shown', () => {
		const generated = '\n    return total\n\n';
		// The line sets the level of what the completion writes: more may follow at it.
		assert.deepEqual(processCompletion(generated, multi(prefix, '\n')), { text: '\n    return total', done: false });
		assert.deepEqual(processCompletion(generated + 'def other():\n', multi(prefix, '\n')), {
			text: '\n    return total',
			done: true,
			reason: 'block-end',
		});
		// Before: the line dedents below the cursor line's level and nothing is shown.
		assert.deepEqual(processCompletion(generated, multi(prefix, '\n', OLD_RULES)), { text: '', done: true, reason: 'block-end' });
	});

	it('each fix alone shows it', () => {
		const generated = '\n    return total\n\n';
		assert.equal(processCompletion(generated, multi(prefix, '\n', { keepDedent: false })).text, '\n    return total');
		assert.equal(processCompletion(generated, multi(prefix, '\n', { lineEndContinue: false })).text, '\n    return total');
	});

	it('a blank line first keeps the old rule: what follows a blank line at a lower level is a new block', () => {
		const generated = '\n\ndef other():\n    pass\n';
		assert.equal(processCompletion(generated, multi(prefix, '\n')).text, '');
	});
});
