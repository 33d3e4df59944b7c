import assert from 'node:assert/strict';
import path from 'node:path';
import { parseBenchOptions, QUICK_EVENTS } from '../../src/bench/benchOptions.js';
import { UsageError } from '../../src/tooling/cliArguments.js';

describe('bench: command-line options', function () {
	it('runs both Qwen2.5-Coder shapes and the SPM-tokenizer 1.5B shape, every event, 16 multi-line tokens by default', function () {
		const options = parseBenchOptions([]);
		assert.notEqual(options, 'help');
		if (options === 'help') return;
		assert.deepEqual(options.models, [
			{ label: '0.5b', preset: 'qwen2.5-coder-0.5b-shape' },
			{ label: '1.5b', preset: 'qwen2.5-coder-1.5b-shape' },
			{ label: '1.5b-spm', preset: 'starcoder-spm-1.5b-shape' },
		]);
		assert.equal(options.maxEvents, undefined);
		assert.equal(options.maxTokens, 16);
		assert.equal(options.mode, 'multi-line');
		assert.equal(options.warmUp, true);
		assert.deepEqual(options.sections, { traces: true, actions: true });
	});

	it('--actions runs only the actions section, --no-actions skips it', function () {
		const only = parseBenchOptions(['--actions', '--models', '0.5b,1.5b']);
		assert.ok(only !== 'help');
		assert.deepEqual(only.sections, { traces: false, actions: true });
		assert.deepEqual(
			only.models.map((model) => model.label),
			['0.5b', '1.5b'],
		);
		const skip = parseBenchOptions(['--no-actions', '--quick']);
		assert.ok(skip !== 'help');
		assert.deepEqual(skip.sections, { traces: true, actions: false });
		assert.throws(() => parseBenchOptions(['--actions', '--no-actions']), UsageError);
		assert.throws(() => parseBenchOptions(['--actions', '--traces', 'ts-steady-typing']), UsageError);
	});

	it('--quick means the 0.5B shape and the first events of each trace, unless told otherwise', function () {
		const quick = parseBenchOptions(['--quick']);
		assert.ok(quick !== 'help');
		assert.deepEqual(
			quick.models.map((model) => model.label),
			['0.5b'],
		);
		assert.equal(quick.maxEvents, QUICK_EVENTS);
		const both = parseBenchOptions(['--quick', '--models', '0.5b,1.5b', '--max-events', '10']);
		assert.ok(both !== 'help');
		assert.equal(both.models.length, 2);
		assert.equal(both.maxEvents, 10);
	});

	it('takes presets, paths, traces, an output file and --cold', function () {
		const options = parseBenchOptions([
			'--models',
			'tiny-fim,models/x.gguf',
			'--traces',
			'a, b',
			'--out',
			'r.json',
			'--cold',
			'--per-request',
		]);
		assert.ok(options !== 'help');
		assert.deepEqual(options.models, [
			{ label: 'tiny-fim', preset: 'tiny-fim' },
			{ label: 'x.gguf', path: path.resolve('models/x.gguf') },
		]);
		assert.deepEqual(options.traces, ['a', 'b']);
		assert.equal(options.out, path.resolve('r.json'));
		assert.equal(options.warmUp, false);
		assert.equal(options.perRequest, true);
	});

	it('refuses what it does not know', function () {
		assert.throws(() => parseBenchOptions(['--models', 'gpt-5']), UsageError);
		assert.throws(() => parseBenchOptions(['--mode', 'fast']), UsageError);
		assert.throws(() => parseBenchOptions(['--max-tokens', '0']), UsageError);
		assert.throws(() => parseBenchOptions(['--verbose']), UsageError);
		assert.throws(() => parseBenchOptions(['extra']), UsageError);
		assert.equal(parseBenchOptions(['--help']), 'help');
	});
});
